// What every source needs about the evidence items behind its entries: digests, file facts, the
// submitter's name and the anchoring of the item's leaf (batch, transaction, block), in one query.
import type { Db } from "../../db/client";
import { statusOfBatch } from "../../anchoring/queue";
import type { Anchoring, CaseFileEntry } from "../entry";

export interface ItemFacts {
  id: string;
  sha256: string;
  size: number | null;
  fileName: string | null;
  mediaType: string | null;
  title: string | null;
  submitter: string;
  acceptedAt: Date;
  anchoring: Anchoring;
}

type BatchRow = { id: number; status: string; txHash: string | null; blockNumber: bigint | null } | null;

export function anchoringOf(batch: BatchRow): Anchoring {
  return {
    status: statusOfBatch(batch),
    batchId: batch?.id ?? null,
    txHash: batch?.txHash ?? null,
    blockNumber: batch?.blockNumber === null || batch?.blockNumber === undefined ? null : Number(batch.blockNumber),
  };
}

const BATCH_SELECT = { id: true, status: true, txHash: true, blockNumber: true } as const;

export async function itemFacts(db: Db, ids: string[]): Promise<Map<string, ItemFacts>> {
  if (!ids.length) return new Map();
  const rows = await db.evidenceItem.findMany({
    where: { id: { in: [...new Set(ids)] } },
    include: { submitter: { select: { name: true } }, leaf: { select: { batch: { select: BATCH_SELECT } } } },
  });
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        sha256: r.sha256,
        size: r.size === null ? null : Number(r.size),
        fileName: r.fileName,
        mediaType: r.mediaType,
        title: r.title,
        submitter: r.submitter.name,
        acceptedAt: r.acceptedAt,
        anchoring: anchoringOf(r.leaf.batch),
      },
    ]),
  );
}

/** The anchoring of leaves by sequence number (delivery receipts are leaves of their own). */
export async function leafAnchoring(db: Db, seqs: number[]): Promise<Map<number, Anchoring>> {
  if (!seqs.length) return new Map();
  const rows = await db.leaf.findMany({ where: { seq: { in: seqs } }, select: { seq: true, batch: { select: BATCH_SELECT } } });
  return new Map(rows.map((r) => [r.seq, anchoringOf(r.batch)]));
}

/** The file facts of an entry from its item; an item that vanished still shows, marked missing. */
export function fileFields(item: ItemFacts | undefined, evidenceId: string): Pick<CaseFileEntry, "evidenceId" | "sha256" | "size" | "fileName" | "mediaType" | "anchoring"> {
  return {
    evidenceId,
    sha256: item?.sha256 ?? "",
    size: item?.size ?? null,
    fileName: item?.fileName ?? null,
    mediaType: item?.mediaType ?? null,
    anchoring: item?.anchoring ?? { status: "missing", batchId: null, txHash: null, blockNumber: null },
  };
}

export async function userNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Context every source gets: the case and its parties' names. */
export interface SourceContext {
  db: Db;
  caseId: string;
  filingId: string | null;
  parties: Map<string, { name: string; kind: string }>;
}

export type Source = (ctx: SourceContext) => Promise<CaseFileEntry[]>;
