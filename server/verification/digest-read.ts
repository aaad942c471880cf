// What verifying a digest reads from the database, in two indexed statements instead of a dozen
// ORM queries: every item with that SHA-256 with its leaf, batch, anchored checkpoint and signer
// certificate row, and the log's head with the latest CRL. The verdict is still recomputed from
// these rows on every request (verification/service.ts).
import type { PointReader } from "../db/point-reader";
import type { AnchoredLeaf } from "../anchoring/proof";
import type { HeadRow } from "../log/reader";
import { HEAD_ID } from "../log/reader";

const ITEMS = `SELECT e."id", e."leafSeq", e."signatureCms",
  l."record", l."leafHash", l."leafIndex", l."auditPath",
  b."status", b."root", b."treeSize", b."inLog", b."chainId", b."registry", b."txHash", b."blockNumber", b."blockTimestamp", b."timestampToken",
  cp."note" AS "anchoredNote",
  c."fingerprint", c."revokedAt", c."revocationReason"
FROM "EvidenceItem" e
JOIN "Leaf" l ON l."seq" = e."leafSeq"
LEFT JOIN "Batch" b ON b."id" = l."batchId"
LEFT JOIN "LogCheckpoint" cp ON cp."treeSize" = b."treeSize"
LEFT JOIN "Certificate" c ON c."id" = e."signerCertId"
WHERE e."sha256" = ?
ORDER BY e."acceptedAt" ASC, e."id" ASC`;

const CONTEXT = `SELECT h."origin", h."publicKey", h."treeSize", h."root", h."note", r."der" AS "crlDer", r."createdAt" AS "crlCreatedAt"
FROM "LogHead" h
LEFT JOIN (SELECT "der", "createdAt" FROM "RevocationList" ORDER BY "number" DESC LIMIT 1) r ON 1 = 1
WHERE h."id" = ?`;

type Instant = string | Date;
type Flag = boolean | number;
type BigNumber = number | bigint | string;

interface ItemRow {
  id: string;
  leafSeq: number;
  signatureCms: string | null;
  record: string;
  leafHash: string;
  leafIndex: number | null;
  auditPath: string | null;
  status: string | null;
  root: string | null;
  treeSize: number | null;
  inLog: Flag | null;
  chainId: string | null;
  registry: string | null;
  txHash: string | null;
  blockNumber: BigNumber | null;
  blockTimestamp: BigNumber | null;
  timestampToken: string | null;
  anchoredNote: string | null;
  fingerprint: string | null;
  revokedAt: Instant | null;
  revocationReason: string | null;
}

export interface DigestItem {
  id: string;
  leafSeq: number;
  signatureCms: string | null;
  /** null while the item's batch is not anchored */
  anchored: AnchoredLeaf | null;
  /** the note of the checkpoint its batch anchored (a batch of the log) */
  anchoredNote: string | null;
  /** the row of the certificate the item names as its signer's */
  signerRow: { fingerprint: string; revokedAt: Date | null; revocationReason: string | null } | null;
}

export interface DigestContext {
  head: HeadRow | null;
  /** the latest CRL, null when none was published yet, undefined when not read (no log head) */
  latestCrl: { der: string; createdAt: Date } | null | undefined;
}

const instant = (v: Instant | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

function itemOf(r: ItemRow): DigestItem {
  const anchored =
    r.status === "anchored" && r.leafIndex !== null && r.auditPath !== null && r.root !== null && r.treeSize !== null && r.registry !== null && r.txHash !== null && r.chainId !== null && r.blockNumber !== null && r.blockTimestamp !== null
      ? {
          record: r.record,
          leafHash: r.leafHash,
          leafIndex: Number(r.leafIndex),
          auditPath: r.auditPath,
          batch: {
            root: r.root,
            treeSize: Number(r.treeSize),
            inLog: r.inLog === true || Number(r.inLog) === 1,
            chainId: r.chainId,
            registry: r.registry,
            txHash: r.txHash,
            blockNumber: BigInt(r.blockNumber),
            blockTimestamp: BigInt(r.blockTimestamp),
            timestampToken: r.timestampToken,
          },
        }
      : null;
  return {
    id: r.id,
    leafSeq: Number(r.leafSeq),
    signatureCms: r.signatureCms,
    anchored,
    anchoredNote: r.anchoredNote,
    signerRow: r.fingerprint === null ? null : { fingerprint: r.fingerprint, revokedAt: instant(r.revokedAt), revocationReason: r.revocationReason },
  };
}

/** The items of a SHA-256, oldest first, and what their bundles share. */
export async function readDigest(point: PointReader, sha256: string): Promise<{ items: DigestItem[]; context: DigestContext }> {
  const [rows, [ctx]] = await Promise.all([
    point.rows<ItemRow>(ITEMS, [sha256]),
    point.rows<{ origin: string; publicKey: string; treeSize: number; root: string; note: string; crlDer: string | null; crlCreatedAt: Instant | null }>(CONTEXT, [HEAD_ID]),
  ]);
  return {
    items: rows.map(itemOf),
    context: {
      head: ctx ? { origin: ctx.origin, publicKey: ctx.publicKey, treeSize: Number(ctx.treeSize), root: ctx.root, note: ctx.note } : null,
      latestCrl: !ctx ? undefined : ctx.crlDer ? { der: ctx.crlDer, createdAt: instant(ctx.crlCreatedAt)! } : null,
    },
  };
}
