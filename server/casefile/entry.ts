// One entry of a case's electronic file (电子卷宗): a document the case holds, with who submitted it,
// when, its digest and where it is anchored. Every source (sources/*.ts) returns these; the file is
// the union of them in time order.
export const ENTRY_KINDS = [
  "filing-version",
  "filing-attachment",
  "evidence",
  "service",
  "address-confirmation",
  "hearing-record",
  "mediation-agreement",
  "order",
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** 卷宗 labels, printed in the catalogue. */
export const KIND_LABELS: Record<EntryKind, string> = {
  "filing-version": "起诉材料 Filing",
  "filing-attachment": "立案附件 Filing attachment",
  evidence: "证据 Evidence",
  service: "送达文书 Served document",
  "address-confirmation": "送达地址确认书 Address confirmation",
  "hearing-record": "庭审笔录 Hearing record",
  "mediation-agreement": "调解协议 Mediation agreement",
  order: "裁判文书 Court order",
};

/**
 * Who besides the case's judges may see an entry (access.ts's ENTRY_VISIBILITY decides for each):
 *   case            every party of the case (finalised submissions, filings, hearings, orders)
 *   own-submission  the submitting party only (a draft: the other parties must not know it exists)
 *   served-on       the party it was served on
 *   own-record      the party it belongs to (its address confirmation)
 */
export type Visibility =
  | { rule: "case" }
  | { rule: "own-submission"; partyId: string }
  | { rule: "served-on"; partyId: string }
  | { rule: "own-record"; partyId: string };

export interface Anchoring {
  status: "queued" | "batched" | "sent" | "anchored" | "missing";
  batchId: number | null;
  txHash: string | null;
  blockNumber: number | null;
}

export interface EntryOpinion {
  party: string;
  author: string;
  authenticity: string;
  legality: string;
  relevance: string;
  comments: string[];
  at: string;
}

export interface EntryReceipt {
  recipient: string;
  openedAt: string | null;
  /** the delivery receipt's own leaf (anchored apart from the document) */
  anchoring: Anchoring | null;
}

export interface CaseFileEntry {
  /** stable key: "<kind>:<row id>" */
  key: string;
  kind: EntryKind;
  title: string;
  at: Date;
  submitter: string;
  evidenceId: string;
  sha256: string;
  size: number | null;
  fileName: string | null;
  mediaType: string | null;
  visibility: Visibility;
  anchoring: Anchoring;
  /** short facts printed under the entry (purpose, state, party) */
  notes: string[];
  opinions?: EntryOpinion[];
  receipts?: EntryReceipt[];
}

/** The file's order: by time, then kind and key so that two entries of the same instant keep one order. */
export function byTime(a: CaseFileEntry, b: CaseFileEntry): number {
  return a.at.getTime() - b.at.getTime() || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key);
}

export function presentEntry(e: CaseFileEntry, n: number) {
  return {
    number: n,
    key: e.key,
    kind: e.kind,
    title: e.title,
    at: e.at.toISOString(),
    submitter: e.submitter,
    evidenceId: e.evidenceId,
    sha256: e.sha256,
    size: e.size,
    fileName: e.fileName,
    mediaType: e.mediaType,
    visibility: e.visibility.rule,
    anchoring: e.anchoring,
    notes: e.notes,
    ...(e.opinions ? { opinions: e.opinions } : {}),
    ...(e.receipts ? { receipts: e.receipts } : {}),
  };
}
