// Citations of evidence already anchored on the platform (as 天平链's 存证编号 works): the filer
// names an item by id or SHA-256, and the court sees it verified without the file being uploaded
// again. A filer may cite their own items and those of their organisation's members.
import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import { ApiError } from "../http/errors";
import type { EvidenceService } from "../evidence/service";
import type { VerificationService } from "../verification/service";
import type { ContentStore } from "../storage/content-store";
import type { Citation, CitationInput } from "./content";

type Filer = Pick<Principal, "userId" | "organizationId">;

interface CitableRow {
  id: string;
  submitterId: string;
  submitter: { organizationId: string | null };
}

const mayCite = (filer: Filer, item: CitableRow) =>
  item.submitterId === filer.userId || (filer.organizationId !== null && item.submitter.organizationId === filer.organizationId);

/**
 * Resolves each citation to an evidence id. Refuses 400 unknown_evidence (no such id or digest on
 * the platform) and 400 evidence_not_citable (it exists, but is neither the filer's nor their
 * organisation's).
 */
export async function resolveCitations(db: Db, filer: Filer, inputs: CitationInput[]): Promise<Citation[]> {
  const out: Citation[] = [];
  for (const [i, c] of inputs.entries()) {
    const rows: CitableRow[] = await db.evidenceItem.findMany({
      where: c.evidenceId ? { id: c.evidenceId } : { sha256: c.sha256 },
      orderBy: { acceptedAt: "asc" },
      select: { id: true, submitterId: true, submitter: { select: { organizationId: true } } },
    });
    const what = c.evidenceId ? `evidence ${c.evidenceId}` : `the digest ${c.sha256}`;
    if (!rows.length) throw new ApiError(400, "unknown_evidence", `citations.${i}: no evidence item on the platform is ${what}`);
    const own = rows.find((r) => mayCite(filer, r));
    if (!own) throw new ApiError(400, "evidence_not_citable", `citations.${i}: ${what} is neither yours nor your organisation's: it cannot be cited`);
    if (out.some((o) => o.evidenceId === own.id)) throw new ApiError(400, "invalid_input", `citations.${i}: the item is cited twice`);
    out.push({ evidenceId: own.id, purpose: c.purpose });
  }
  return out;
}

export interface CitationVerdict {
  evidenceId: string;
  purpose: string;
  title: string | null;
  sha256: string;
  /** digest-only items have no file: their record's digest is what is verified */
  hasFile: boolean;
  fileSha256: string | null;
  anchored: boolean;
  batch: { id: number; status: string; txHash: string | null; blockNumber: number | null; anchoredAt: string | null } | null;
  verified: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

/** Each citation's verdict, recomputed now (file digest, record, Merkle path, chain), never read from a stored status. */
export async function verifyCitations(
  d: { db: Db; evidence: EvidenceService; verification: VerificationService; store: ContentStore },
  citations: Citation[],
): Promise<CitationVerdict[]> {
  const out: CitationVerdict[] = [];
  for (const c of citations) {
    const item = await d.db.evidenceItem.findUnique({ where: { id: c.evidenceId }, include: { leaf: { include: { batch: true } } } });
    if (!item) throw new Error(`cited evidence ${c.evidenceId} vanished`);
    const b = item.leaf.batch;
    const batch = b
      ? { id: b.id, status: b.status, txHash: b.txHash ?? null, blockNumber: b.blockNumber === null ? null : Number(b.blockNumber), anchoredAt: b.blockTimestamp === null ? null : new Date(Number(b.blockTimestamp) * 1000).toISOString() }
      : null;
    const base = { evidenceId: item.id, purpose: c.purpose, title: item.title, sha256: item.sha256, hasFile: item.size !== null, batch };
    let fileSha256: string | null = null;
    if (item.size !== null && d.store.has(item.sha256)) {
      const hash = createHash("sha256");
      for await (const chunk of d.store.openRead(item.sha256) as AsyncIterable<Buffer>) hash.update(chunk);
      fileSha256 = "0x" + hash.digest("hex");
      if (fileSha256 !== item.sha256) {
        out.push({ ...base, fileSha256, anchored: b?.status === "anchored", verified: false, checks: [{ name: "file-digest", ok: false, detail: `the stored file hashes to ${fileSha256}, the record says ${item.sha256}` }] });
        continue;
      }
    }
    const result = await d.verification.verifyDigest(item.sha256);
    const match = result.matches.find((m) => m.evidenceId === item.id);
    out.push({
      ...base,
      fileSha256,
      anchored: match?.status === "anchored",
      verified: match?.verified ?? false,
      checks: (match?.checks ?? []).map((k) => ({ name: k.name, ok: k.ok, ...(k.detail ? { detail: k.detail } : {}) })),
    });
  }
  return out;
}
