// The log's part of a version 2 proof bundle, and its offline checks. A v2 bundle's merkle section is
// the leaf's audit path to the anchored checkpoint (the root on chain); its log section carries that
// checkpoint signed, a later checkpoint of the log (the latest when the bundle was made), the leaf's
// inclusion proof against the later one and the consistency proof from the anchored one to it.
import { parseVerifierKey, verifyCheckpoint, type NoteVerifier, type SignedCheckpoint } from "./checkpoint";
import { verifyConsistency } from "./consistency";
import { fromHex, isHex32, toHex } from "./hex";
import { rootFromAuditPath } from "./merkle";

export interface LogSection {
  origin: string;
  /** The note verifier key "<name>+<key ID>+<base64 key>" (pin it with the verifier's --log-key). */
  verifierKey: string;
  /** The signed checkpoint whose root and size the anchor transaction committed. */
  anchoredCheckpoint: string;
  /** A later signed checkpoint (or the same). */
  checkpoint: string;
  /** The leaf's audit path in the tree of `checkpoint`. */
  inclusion: { treeSize: number; auditPath: string[] };
  /** PROOF(anchored size, checkpoint size). */
  consistency: { from: number; to: number; proof: string[] };
}

export interface LogCheck {
  name: "checkpoint-signature" | "log-inclusion" | "log-consistency";
  ok: boolean;
  detail: string;
}

const isSize = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isHexList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isHex32);

export function logSectionProblems(value: unknown): string[] {
  const l = value as Partial<LogSection> | null;
  if (!l || typeof l !== "object") return ["log section missing"];
  const p: string[] = [];
  if (typeof l.origin !== "string" || !l.origin) p.push("log.origin missing");
  if (typeof l.verifierKey !== "string") p.push("log.verifierKey missing");
  if (typeof l.anchoredCheckpoint !== "string") p.push("log.anchoredCheckpoint missing");
  if (typeof l.checkpoint !== "string") p.push("log.checkpoint missing");
  if (!l.inclusion || !isSize(l.inclusion.treeSize) || !isHexList(l.inclusion.auditPath)) p.push("log.inclusion malformed");
  if (!l.consistency || !isSize(l.consistency.from) || !isSize(l.consistency.to) || !isHexList(l.consistency.proof)) p.push("log.consistency malformed");
  return p;
}

/** Reads the verifier: the pinned key when given (the bundle's must then be the same), else the bundle's. */
function verifierFor(log: LogSection, pinnedKey?: string): NoteVerifier | string {
  try {
    const key = parseVerifierKey(pinnedKey ?? log.verifierKey);
    if (pinnedKey !== undefined && pinnedKey.trim() !== log.verifierKey.trim()) return `the bundle names log key ${log.verifierKey}, not the pinned ${pinnedKey.trim()}`;
    return key;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The three offline checks of the log section, for a leaf `leafHash` at `leafIndex` whose audit path
 * already led to `anchoredRoot` at `anchoredSize`.
 */
export function verifyLogSection(
  log: LogSection,
  leaf: { leafHash: string; leafIndex: number; anchoredSize: number; anchoredRoot: string },
  pinnedKey?: string,
): LogCheck[] {
  const checks: LogCheck[] = [];
  const verifier = verifierFor(log, pinnedKey);
  let anchored: SignedCheckpoint | null = null;
  let later: SignedCheckpoint | null = null;
  let problem = typeof verifier === "string" ? verifier : "";
  if (typeof verifier !== "string") {
    const a = verifyCheckpoint(log.anchoredCheckpoint, verifier);
    // The latest checkpoint is often the anchored one itself: the same text, checked once.
    const b = log.checkpoint === log.anchoredCheckpoint ? a : verifyCheckpoint(log.checkpoint, verifier);
    if (!a.ok) problem = `anchored checkpoint: ${a.reason}`;
    else if (!b.ok) problem = `checkpoint: ${b.reason}`;
    else {
      anchored = a.checkpoint;
      later = b.checkpoint;
      if (anchored.origin !== log.origin || later.origin !== log.origin) problem = `a checkpoint names another log than ${log.origin}`;
      else if (anchored.treeSize !== leaf.anchoredSize || toHex(anchored.root) !== leaf.anchoredRoot) {
        problem = `the anchored checkpoint is of size ${anchored.treeSize}, root ${toHex(anchored.root)}; the bundle's merkle section says ${leaf.anchoredSize}, ${leaf.anchoredRoot}`;
      }
    }
  }
  checks.push({
    name: "checkpoint-signature",
    ok: !problem,
    detail: problem || `checkpoints of ${log.origin} at sizes ${anchored!.treeSize} and ${later!.treeSize} signed by ${log.verifierKey.split("+")[0]}+${log.verifierKey.split("+")[1]}`,
  });
  if (problem || !anchored || !later) return checks;

  const inc = log.inclusion;
  const computed = inc.treeSize === later.treeSize ? rootFromAuditPath(fromHex(leaf.leafHash), leaf.leafIndex, inc.treeSize, inc.auditPath.map(fromHex)) : null;
  const incOk = computed !== null && computed.equals(later.root);
  checks.push({
    name: "log-inclusion",
    ok: incOk,
    detail: incOk
      ? `leaf ${leaf.leafIndex} is in the checkpoint of size ${later.treeSize}`
      : inc.treeSize !== later.treeSize
        ? `the inclusion proof is for size ${inc.treeSize}, the checkpoint is of size ${later.treeSize}`
        : `the inclusion proof does not lead leaf ${leaf.leafIndex} to the checkpoint's root`,
  });
  if (!incOk) return checks;

  const c = log.consistency;
  const sizesOk = c.from === anchored.treeSize && c.to === later.treeSize;
  const consOk = sizesOk && verifyConsistency(c.from, c.to, anchored.root, later.root, c.proof.map(fromHex));
  checks.push({
    name: "log-consistency",
    ok: consOk,
    detail: consOk
      ? `the log at ${later.treeSize} extends the anchored log at ${anchored.treeSize}`
      : !sizesOk
        ? `the consistency proof is from ${c.from} to ${c.to}, the checkpoints are of sizes ${anchored.treeSize} and ${later.treeSize}`
        : `the checkpoint of size ${later.treeSize} is not an extension of the anchored one of size ${anchored.treeSize}: the log forked`,
  });
  return checks;
}

/**
 * For monitors: two signed checkpoints of one log and the proof between them. True when both are
 * signed by `verifier` and the later extends the earlier.
 */
export function checkpointsConsistent(
  older: string,
  newer: string,
  proof: readonly string[],
  verifierKeyText: string,
): { ok: boolean; detail: string } {
  let v: NoteVerifier;
  try {
    v = parseVerifierKey(verifierKeyText);
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
  const a = verifyCheckpoint(older, v);
  if (!a.ok) return { ok: false, detail: `older checkpoint: ${a.reason}` };
  const b = verifyCheckpoint(newer, v);
  if (!b.ok) return { ok: false, detail: `newer checkpoint: ${b.reason}` };
  const [x, y] = [a.checkpoint, b.checkpoint];
  if (x.origin !== y.origin) return { ok: false, detail: `the checkpoints are of two logs: ${x.origin}, ${y.origin}` };
  if (x.treeSize > y.treeSize) return { ok: false, detail: `the older checkpoint (${x.treeSize}) is larger than the newer (${y.treeSize})` };
  if (x.treeSize === 0) return { ok: true, detail: `every log extends the empty one (0 -> ${y.treeSize})` };
  if (!proof.every(isHex32)) return { ok: false, detail: "the proof is not a list of 0x + 64 hex digits" };
  const ok = verifyConsistency(x.treeSize, y.treeSize, x.root, y.root, proof.map(fromHex));
  return ok
    ? { ok, detail: `${y.origin} at ${y.treeSize} extends ${x.treeSize}` }
    : { ok, detail: `${y.origin} at ${y.treeSize} (root ${toHex(y.root)}) does not extend ${x.treeSize} (root ${toHex(x.root)}): the log forked` };
}
