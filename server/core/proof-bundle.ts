// The proof bundle: a self-contained receipt for one leaf, and the offline half of its
// verification (everything except reading the chain). Shared by the API, the CLI and tests.
import { leafOf } from "./evidence-record";
import { isHex32, fromHex, toHex } from "./hex";
import { canonicalize } from "./jcs";
import { MERKLE_ALGORITHM, rootFromAuditPath } from "./merkle";
import { logSectionProblems, verifyLogSection, type LogSection } from "./log-bundle";

/** Version 1: a batch with a tree of its own (before the log). Still issued for those batches, and read. */
export const BUNDLE_VERSION = 1;
/** Version 2: a leaf of the one log, with its log section (checkpoints, inclusion, consistency). */
export const BUNDLE_VERSION_LOG = 2;

export interface ProofBundle {
  version: number;
  record: Record<string, unknown>;
  merkle: {
    algorithm: string;
    leafHash: string;
    leafIndex: number;
    treeSize: number;
    auditPath: string[];
    root: string;
  };
  anchor: {
    chainId: number;
    registry: string;
    txHash: string;
    blockNumber: number;
    blockTimestamp: number;
  };
  log?: LogSection;
  [section: string]: unknown;
}

/** Names of verification steps, in the order they are checked. */
export type CheckName =
  | "bundle-format"
  | "file-digest"
  | "record-leaf"
  | "audit-path"
  | "checkpoint-signature"
  | "log-inclusion"
  | "log-consistency"
  | "signature"
  | "timestamp"
  | "certificate-status"
  | "chain-id"
  | "transaction"
  | "root-on-chain"
  | "checkpoint-on-chain";

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

const FAILURE_SUMMARY: Record<CheckName, string> = {
  "bundle-format": "malformed bundle",
  "file-digest": "wrong file",
  "record-leaf": "record altered",
  "audit-path": "path altered",
  "checkpoint-signature": "checkpoint signature invalid",
  "log-inclusion": "leaf not in the checkpoint",
  "log-consistency": "log forked",
  signature: "signature invalid",
  timestamp: "timestamp invalid",
  "certificate-status": "certificate revoked",
  "chain-id": "other chain",
  transaction: "transaction does not anchor this root",
  "root-on-chain": "root not on chain",
  "checkpoint-on-chain": "checkpoint not on chain",
};

export function failureSummary(name: CheckName): string {
  return FAILURE_SUMMARY[name];
}

/** Structural check; returns a list of problems (empty when well-formed). */
export function bundleProblems(value: unknown): string[] {
  const problems: string[] = [];
  const b = value as Partial<ProofBundle> | null;
  if (!b || typeof b !== "object") return ["bundle is not a JSON object"];
  if (b.version !== BUNDLE_VERSION && b.version !== BUNDLE_VERSION_LOG) problems.push(`unsupported version ${String(b.version)}`);
  if (b.version === BUNDLE_VERSION_LOG) problems.push(...logSectionProblems(b.log));
  if (!b.record || typeof b.record !== "object") problems.push("record missing");
  else if (Array.isArray(b.record)) problems.push("record is not a JSON object");
  else {
    // A record JCS cannot encode (e.g. a lone surrogate, which JSON.parse lets through) has no
    // leaf; report it here instead of letting the record-leaf step throw.
    try {
      canonicalize(b.record);
    } catch (err) {
      problems.push(`record cannot be canonicalized: ${(err as Error).message}`);
    }
  }
  const m = b.merkle;
  if (!m || typeof m !== "object") problems.push("merkle section missing");
  else {
    if (m.algorithm !== MERKLE_ALGORITHM) problems.push(`unsupported algorithm ${String(m.algorithm)}`);
    if (!Number.isSafeInteger(m.treeSize) || m.treeSize < 1) problems.push("merkle.treeSize invalid");
    if (!Number.isSafeInteger(m.leafIndex) || m.leafIndex < 0) problems.push("merkle.leafIndex invalid");
    if (!isHex32(m.root)) problems.push("merkle.root is not 0x + 64 hex digits");
    if (m.leafHash !== undefined && !isHex32(m.leafHash)) problems.push("merkle.leafHash malformed");
    if (!Array.isArray(m.auditPath) || !m.auditPath.every(isHex32)) problems.push("merkle.auditPath malformed");
  }
  const a = b.anchor;
  if (!a || typeof a !== "object") problems.push("anchor section missing");
  else {
    if (!Number.isSafeInteger(a.chainId)) problems.push("anchor.chainId invalid");
    if (typeof a.registry !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a.registry)) problems.push("anchor.registry invalid");
    if (!isHex32(a.txHash)) problems.push("anchor.txHash malformed");
    if (!Number.isSafeInteger(a.blockNumber)) problems.push("anchor.blockNumber invalid");
    if (!Number.isSafeInteger(a.blockTimestamp)) problems.push("anchor.blockTimestamp invalid");
  }
  return problems;
}

/**
 * The offline checks: the file's digest against the record, the record against its leaf, the
 * leaf and audit path against the root; for version 2, the log section (checkpoint signatures,
 * inclusion in the later checkpoint, consistency with the anchored one), trusting `opts.logKey`
 * when given instead of the key the bundle names. `fileSha256` is omitted when only the bundle is checked.
 */
export function verifyBundleOffline(bundle: ProofBundle, fileSha256?: string, opts: { logKey?: string } = {}): Check[] {
  const checks: Check[] = [];
  const problems = bundleProblems(bundle);
  checks.push({ name: "bundle-format", ok: problems.length === 0, detail: problems.join("; ") || "well-formed" });
  if (problems.length) return checks;

  if (fileSha256 !== undefined) {
    const ok = fileSha256 === bundle.record.sha256;
    checks.push({
      name: "file-digest",
      ok,
      detail: ok ? `SHA-256 ${fileSha256} matches the record` : `file SHA-256 ${fileSha256} differs from the record's ${String(bundle.record.sha256)}`,
    });
    if (!ok) return checks;
  }

  const leaf = leafOf(bundle.record).hash;
  const declared = bundle.merkle.leafHash;
  if (declared !== undefined && declared !== leaf) {
    checks.push({ name: "record-leaf", ok: false, detail: `record hashes to leaf ${leaf}, bundle names ${declared}` });
    return checks;
  }
  checks.push({ name: "record-leaf", ok: true, detail: `leaf ${leaf}` });

  const { leafIndex, treeSize, auditPath, root } = bundle.merkle;
  const computed = rootFromAuditPath(fromHex(leaf), leafIndex, treeSize, auditPath.map(fromHex));
  const ok = computed !== null && toHex(computed) === root;
  checks.push({
    name: "audit-path",
    ok,
    detail: ok
      ? `leaf ${leafIndex} of ${treeSize} leads to root ${root}`
      : computed === null
        ? `an audit path of ${auditPath.length} hashes does not fit leaf ${leafIndex} of ${treeSize}`
        : `path leads to ${toHex(computed)}, not to root ${root}`,
  });
  if (ok && bundle.version === BUNDLE_VERSION_LOG) {
    checks.push(...verifyLogSection(bundle.log!, { leafHash: leaf, leafIndex, anchoredSize: treeSize, anchoredRoot: root }, opts.logKey));
  }
  return checks;
}
