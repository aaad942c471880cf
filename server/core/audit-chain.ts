// The audit log's hash chain, pure: an entry's hash is SHA-256 over the RFC 8785 encoding of its
// sequence number, time, actor, action, subject, details and the previous entry's hash.
import { createHash } from "node:crypto";
import { canonicalBytes } from "./jcs";

export const GENESIS_HASH = "0x" + "00".repeat(32);

export interface AuditContent {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subject: string | null;
  details: unknown;
}

export interface ChainedEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

export function entryHash(content: AuditContent, prevHash: string): string {
  const bytes = canonicalBytes({ ...content, prevHash });
  return "0x" + createHash("sha256").update(bytes).digest("hex");
}

/** Chains new entries after `head` (the last entry, or null for an empty log). */
export function chainEntries(head: { seq: number; hash: string } | null, entries: Omit<AuditContent, "seq">[]): ChainedEntry[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return entries.map((e) => {
    const content = { ...e, seq: ++seq };
    const hash = entryHash(content, prev);
    const chained = { ...content, prevHash: prev, hash };
    prev = hash;
    return chained;
  });
}

export interface ChainBreak {
  seq: number;
  problem: string;
}

/**
 * Walks the entries in sequence order and returns the first broken link: a gap or repeat in the
 * sequence, a prevHash that is not the previous hash, or a hash that does not match the content.
 */
export function firstBreak(entries: Iterable<ChainedEntry>): ChainBreak | null {
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { seq: e.seq, problem: `expected entry ${expectedSeq}, found ${e.seq} (deleted or reordered)` };
    if (e.prevHash !== prev) return { seq: e.seq, problem: "prevHash is not the hash of the previous entry (an entry before it was changed, deleted or moved)" };
    const { prevHash: _p, hash, ...content } = e;
    if (entryHash(content, e.prevHash) !== hash) return { seq: e.seq, problem: "the entry's content does not match its hash (the entry was changed)" };
    prev = hash;
    expectedSeq++;
  }
  return null;
}
