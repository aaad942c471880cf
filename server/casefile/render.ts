// The exported case file as one PDF: a cover (the case, its parties, the export's version and time,
// a QR code to the verification page of the export's catalogue record), the catalogue (目录) with
// each entry's number, title, kind, submitter, time, SHA-256, anchoring and the page it starts on,
// then one sheet per entry followed by the entry's own pages when it is a PDF. Every stored file is
// also attached as an embedded file (the original bytes: a signed PDF keeps its signatures there),
// and the catalogue record itself is attached. A copied page's signature widgets are flattened into
// its content: the signatures belong to the attached original, not to this file. The page numbers printed in the catalogue are those
// the document ends up with: the layout is redone until they agree.
import { AFRelationship, PDFDocument, type PDFFont } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { flattenSignatureWidgets } from "../pdf/flatten-signatures";
import { A4, GREY, TextFlow, drawQr } from "../pdf/layout";
import { chinaTime } from "../contracts/format";
import { KIND_LABELS, type Anchoring, type CaseFileEntry } from "./entry";

export interface ExportCase {
  id: string;
  number: string;
  court: string;
  causeOfAction: string;
  status: string;
  parties: { name: string; kind: string }[];
}

/** An entry with its stored file (null for a digest-only item) and the file's pages when it is a PDF. */
export interface ExportEntry {
  entry: CaseFileEntry;
  bytes: Buffer | null;
  pdf: PDFDocument | null;
  /** the name it is attached under */
  attachmentName: string | null;
  /** a stored file left out of this export by its size budget (listed with its digest only) */
  notEmbedded?: boolean;
}

export interface ExportInput {
  courtCase: ExportCase;
  version: number;
  exportedAt: Date;
  exportedBy: string;
  entries: ExportEntry[];
  catalogue: { json: Buffer; sha256: string };
  verifyUrl: string;
}

const MARGIN = 56;
/** Where the cover's QR code sits (PDF points, A4): its square with a quiet zone of `quiet` modules. */
export const COVER_QR = { x: A4[0] - MARGIN - 104, yTop: A4[1] - MARGIN + 8, size: 104, quiet: 2 };
export const SEAL_RECT: [number, number, number, number] = [A4[0] - MARGIN - 220, MARGIN - 10, 220, 70];
const PARTY_KINDS: Record<string, string> = { plaintiff: "原告 Plaintiff", defendant: "被告 Defendant", "third-party": "第三人 Third party" };

export function anchoringText(a: Anchoring | null): string {
  if (!a) return "—";
  if (a.status === "missing") return "证据项缺失 item missing";
  if (a.batchId === null) return "排队中 queued";
  const parts = [`批次 batch ${a.batchId}`];
  parts.push(a.txHash ? `交易 tx ${a.txHash}` : "交易 tx —");
  parts.push(a.blockNumber !== null ? `区块 block ${a.blockNumber}` : "区块 block —");
  parts.push(`状态 ${a.status}`);
  return parts.join(" · ");
}

/** The catalogue's page line for entry n: printed exactly like this, so a reader (and a test) finds it. */
export const pageLine = (page: number) => `起始页 Starts on page ${page}`;
export const itemHeading = (n: number) => `第 ${n} 项 Item ${n}`;

export async function renderCaseFile(input: ExportInput): Promise<Buffer> {
  let starts = input.entries.map(() => 0);
  for (let attempt = 0; attempt < 6; attempt++) {
    const { doc, actual } = await layout(input, starts);
    if (actual.every((p, i) => p === starts[i])) {
      await attachFiles(doc, input);
      return Buffer.from(await doc.save({ useObjectStreams: false }));
    }
    starts = actual;
  }
  throw new Error("the case file's page numbers did not settle");
}

async function layout(input: ExportInput, starts: number[]): Promise<{ doc: PDFDocument; actual: number[] }> {
  const c = input.courtCase;
  const doc = await PDFDocument.create();
  doc.setTitle(`电子卷宗 Electronic case file — ${c.number} (v${input.version})`, { showInWindowTitleBar: true });
  doc.setSubject(`case ${c.id}, export version ${input.version}, catalogue SHA-256 ${input.catalogue.sha256}`);
  doc.setCreator("Evidence Platform case file");
  doc.setProducer("pdf-lib");
  doc.setCreationDate(input.exportedAt);
  doc.setModificationDate(input.exportedAt);
  doc.setLanguage("zh-CN");
  const font = await embedCjkFont(doc);
  const margin = { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN };

  cover(new TextFlow(doc, font, margin, A4), input, font);

  const cat = new TextFlow(doc, font, margin, A4);
  cat.text("目录 Catalogue", { size: 16, leading: 1.6 });
  cat.text(`共 ${input.entries.length} 项 ${input.entries.length} entries, in the order they happened`, { size: 9, color: GREY });
  cat.rule();
  input.entries.forEach(({ entry: e }, i) => {
    cat.ensure(90);
    cat.text(`${i + 1}. ${e.title}`, { size: 10.5, hanging: 16 });
    const lines = [
      `${KIND_LABELS[e.kind]} · ${e.submitter} · ${chinaTime(e.at)}`,
      `SHA-256 ${e.sha256 || "—"}`,
      // the transaction on a line of its own: a hash never wraps inside the anchoring line
      `存证 Anchoring: ${anchoringText({ ...e.anchoring, txHash: null }).replace(/ · 交易 tx —/, "")}`,
      `交易 tx ${e.anchoring.txHash ?? "—"}`,
      pageLine(starts[i]),
    ];
    for (const l of lines) cat.text(l, { size: 8, indent: 16, color: GREY, leading: 1.4 });
    cat.gap(4);
  });

  const actual: number[] = [];
  for (const [i, x] of input.entries.entries()) {
    actual.push(doc.getPageCount() + 1);
    sheet(new TextFlow(doc, font, margin, A4), x, i + 1);
    if (x.pdf) {
      const pages = await doc.copyPages(x.pdf, x.pdf.getPageIndices());
      for (const p of pages) {
        doc.addPage(p);
        // the entry's own signatures would show as broken ones of this file: drawn, not kept
        flattenSignatureWidgets(doc, p);
      }
    }
  }

  const total = doc.getPageCount();
  doc.getPages().forEach((p, i) => {
    const text = `电子卷宗 ${c.number} · 第 ${i + 1} 页 / 共 ${total} 页  Page ${i + 1} of ${total}`;
    const size = 7.5;
    const w = font.widthOfTextAtSize(text, size);
    const { x, y, width } = p.getMediaBox();
    p.drawText(text, { x: x + (width - w) / 2, y: y + 14, size, font, color: GREY });
  });

  return { doc, actual };
}

/** The catalogue record and every entry's original bytes, as embedded files (once the layout is final). */
async function attachFiles(doc: PDFDocument, input: ExportInput): Promise<void> {
  await doc.attach(new Uint8Array(input.catalogue.json), `catalogue-v${input.version}.json`, {
    mimeType: "application/json",
    description: `卷宗目录记录 Catalogue record (SHA-256 ${input.catalogue.sha256})`,
    creationDate: input.exportedAt,
    modificationDate: input.exportedAt,
    afRelationship: AFRelationship.Data,
  });
  for (const x of input.entries) {
    if (!x.bytes || !x.attachmentName) continue;
    await doc.attach(new Uint8Array(x.bytes), x.attachmentName, {
      mimeType: x.entry.mediaType ?? "application/octet-stream",
      description: `${x.entry.title} (SHA-256 ${x.entry.sha256})`,
      creationDate: x.entry.at,
      modificationDate: x.entry.at,
      afRelationship: AFRelationship.Source,
    });
  }
}

function cover(flow: TextFlow, input: ExportInput, font: PDFFont): void {
  const c = input.courtCase;
  const qr = COVER_QR;
  drawQr(flow, input.verifyUrl, qr.x, qr.yTop, qr.size, qr.quiet);
  flow.page.drawText("扫码验证 Scan to verify", { x: qr.x + 6, y: qr.yTop - qr.size - 6, size: 7.5, font, color: GREY });
  flow.text("电子卷宗", { size: 22, leading: 1.5 });
  flow.text("Electronic Case File", { size: 13, color: GREY });
  flow.gap(40);
  const row = (label: string, value: string) => flow.text(`${label}：${value}`, { size: 10.5, hanging: 24, leading: 1.6 });
  row("案号 Case number", c.number);
  row("法院 Court", c.court);
  row("案由 Cause of action", c.causeOfAction);
  row("案件状态 Status", c.status);
  for (const p of c.parties) row(PARTY_KINDS[p.kind] ?? p.kind, p.name);
  flow.gap(8);
  row("导出版本 Export version", String(input.version));
  row("导出时间 Exported", chinaTime(input.exportedAt));
  row("导出人 Exported by", input.exportedBy);
  row("条目 Entries", String(input.entries.length));
  row("目录记录 SHA-256 Catalogue record", input.catalogue.sha256);
  row("验证地址 Verification", input.verifyUrl);
  flow.gap(12);
  flow.text("如何验证 How to verify", { size: 12 });
  flow.rule();
  const notes = [
    "本卷宗由平台签章（PAdES B-T）并作为证据存证；目录记录（附件 catalogue-v*.json）亦已存证，扫描二维码可查询。每一项原件作为附件嵌入，其 SHA-256 应与目录一致。",
    "This file is sealed by the platform (PAdES B-T) and anchored as an evidence item; its catalogue record (attached as catalogue-v*.json) is anchored too: scan the QR code. Every item's original is attached; its SHA-256 must match the catalogue.",
  ];
  for (const n of notes) flow.text(n, { size: 8.5, color: GREY, leading: 1.5 });
}

function sheet(flow: TextFlow, x: ExportEntry, n: number): void {
  const e = x.entry;
  flow.text(itemHeading(n), { size: 14, leading: 1.6 });
  flow.text(e.title, { size: 12, leading: 1.5 });
  flow.rule();
  const row = (label: string, value: string) => flow.text(`${label}：${value}`, { size: 9, hanging: 24, leading: 1.5 });
  row("类别 Kind", KIND_LABELS[e.kind]);
  row("提交人 Submitter", e.submitter);
  row("时间 Time", chinaTime(e.at));
  row("证据编号 Evidence ID", e.evidenceId);
  row("SHA-256", e.sha256 || "—");
  if (e.fileName) row("文件名 File name", e.fileName);
  if (e.size !== null) row("大小 Size", `${e.size} 字节 bytes`);
  row("存证 Anchoring", anchoringText(e.anchoring));
  for (const note of e.notes) row("说明 Note", note);
  if (e.opinions?.length) {
    flow.gap(4);
    flow.text("质证意见 Opinions", { size: 10.5 });
    for (const o of e.opinions) {
      flow.text(`${o.party}（${o.author}，${chinaTime(new Date(o.at))}）：真实性 ${o.authenticity}；合法性 ${o.legality}；关联性 ${o.relevance}`, { size: 8.5, indent: 12, hanging: 12 });
      for (const comment of o.comments) flow.text(comment, { size: 8.5, indent: 24, color: GREY });
    }
  }
  if (e.receipts?.length) {
    flow.gap(4);
    flow.text("送达回证 Delivery receipts", { size: 10.5 });
    for (const r of e.receipts) {
      flow.text(`${r.recipient}：${r.openedAt ? `已签收 opened ${chinaTime(new Date(r.openedAt))}` : "未打开 not opened yet"}`, { size: 8.5, indent: 12 });
      if (r.anchoring) flow.text(`回证存证 Receipt anchoring: ${anchoringText(r.anchoring)}`, { size: 8, indent: 24, color: GREY });
    }
  }
  flow.gap(8);
  const where = x.notEmbedded
    ? "原件过大，未嵌入本卷宗；原件存于平台，可按上列摘要下载核对。 Too large to embed in this export: the original is held by the platform; download it there and check it against the digest above."
    : !x.bytes
    ? "仅摘要，平台未存原件 Digest only: the platform holds no file"
    : x.pdf
      ? `原件（PDF，${x.pdf.getPageCount()} 页）见其后各页，原始文件作为附件 ${x.attachmentName} 嵌入。 The document's ${x.pdf.getPageCount()} pages follow; its original bytes are attached as ${x.attachmentName}.`
      : `原件非 PDF，作为附件 ${x.attachmentName} 嵌入。 Not a PDF: the original is attached as ${x.attachmentName}.`;
  flow.text(where, { size: 9 });
}
