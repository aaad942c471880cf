// The evidence certificate: a PDF a judge can put in the case file. It names the item by its
// digests, its submitter and the submitter's certificate, when the platform accepted it, the batch
// and the transaction that anchored it, the batch's RFC 3161 time, and carries a QR code to the
// public verification page; the platform signs it with its seal (PAdES B-T), so the certificate
// itself can be checked with pdfsig or any PDF reader.
import { createHash } from "node:crypto";
import { PDFDocument } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { extendToLongTerm, type LongTermOptions } from "../pdf/ltv";
import { signPdf, type PadesSigner } from "../pdf/pades";
import { A4, GREY, TextFlow, drawQr } from "../pdf/layout";
import { chinaTime } from "../contracts/format";
import type { PdfNotes } from "./pdf-notes";

export interface EvidenceCertificateInput {
  itemId: string;
  title: string | null;
  fileName: string | null;
  size: number | null;
  sha256: string;
  sm3: string | null;
  submitter: string;
  signer: { subject: string; serialHex: string; fingerprint: string } | null;
  acceptedAt: Date;
  batch: { id: number; root: string; leafIndex: number; treeSize: number };
  anchor: { chainId: number; registry: string; txHash: string; blockNumber: number; blockTimestamp: number };
  timestampedAt: Date | null;
  verifyUrl: string;
  issuedAt: Date;
  /** when the item is a signed PDF: the platform's verdict on its signatures (pdf-notes.ts) */
  pdfNotes?: PdfNotes | null;
}

const MARGIN = 56;

export async function renderEvidenceCertificate(c: EvidenceCertificateInput): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`电子证据证书 Electronic Evidence Certificate — ${c.itemId}`, { showInWindowTitleBar: true });
  doc.setSubject(`evidence ${c.itemId}, SHA-256 ${c.sha256}`);
  doc.setCreator("Evidence Platform");
  doc.setProducer("pdf-lib");
  doc.setCreationDate(c.issuedAt);
  doc.setModificationDate(c.issuedAt);
  doc.setLanguage("zh-CN");
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font, { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN }, A4);

  const qr = { x: A4[0] - MARGIN - 104, yTop: A4[1] - MARGIN + 8, size: 104 };
  drawQr(flow, c.verifyUrl, qr.x, qr.yTop, qr.size, 2);
  flow.page.drawText("扫码验证 Scan to verify", { x: qr.x + 6, y: qr.yTop - qr.size - 6, size: 7.5, font, color: GREY });
  flow.text("电子证据证书", { size: 20, leading: 1.5 });
  flow.text("Electronic Evidence Certificate", { size: 13, color: GREY });
  flow.gap(34);

  const section = (title: string) => {
    flow.gap(6);
    flow.text(title, { size: 12 });
    flow.rule();
  };
  const row = (label: string, value: string) => flow.text(`${label}：${value}`, { size: 9.5, hanging: 24 });

  section("证据 Evidence");
  row("证据编号 Item ID", c.itemId);
  if (c.title) row("名称 Title", c.title);
  if (c.fileName) row("文件名 File name", c.fileName);
  if (c.size !== null) row("大小 Size", `${c.size} 字节 bytes`);
  row("SHA-256", c.sha256);
  if (c.sm3) row("SM3", c.sm3);

  section("提交 Submission");
  row("提交人 Submitter", c.submitter);
  row("签名证书 Signing certificate", c.signer ? `${c.signer.subject}；序列号 serial ${c.signer.serialHex}` : "—");
  if (c.signer) row("证书指纹 Certificate SHA-256", c.signer.fingerprint);
  row("受理时间 Accepted", chinaTime(c.acceptedAt));

  section("存证 Anchoring");
  row("批次 Batch", `${c.batch.id}（叶子 leaf ${c.batch.leafIndex} / ${c.batch.treeSize}）`);
  row("默克尔根 Merkle root (RFC 6962)", c.batch.root);
  row("可信时间戳 RFC 3161 time", c.timestampedAt ? chinaTime(c.timestampedAt) : "—");
  row("链 Chain ID", String(c.anchor.chainId));
  row("登记合约 Registry", c.anchor.registry);
  row("交易 Transaction", c.anchor.txHash);
  row("区块 Block", `${c.anchor.blockNumber}，${chinaTime(new Date(c.anchor.blockTimestamp * 1000))}`);

  if (c.pdfNotes) {
    section("PDF 签名核验 PDF signatures");
    row("结论 Verdict", c.pdfNotes.allValid ? "全部签名有效 every signature valid" : "签名核验未通过 not every signature is valid");
    for (const s of c.pdfNotes.signatures) row(`签名 Signature ${s.field}`, `${s.signer}：${s.valid ? "有效 valid" : "无效 invalid"}`);
    for (const f of c.pdfNotes.findings) {
      flow.text(`[${f.code}] ${f.field ? `${f.field}: ` : ""}${f.message}`, { size: 8, color: f.severity === "error" ? undefined : GREY, leading: 1.4 });
    }
  }

  section("核验 Verification");
  flow.text(
    "任何人可在不依赖本平台服务器的情况下核验：用证明包（proof bundle）与原文件运行 npm run verify，或在验证页面上传文件摘要；链上部分可通过任一 EVM JSON-RPC 节点调用登记合约 anchoredAt(root) 核对。",
    { size: 9, leading: 1.5 },
  );
  flow.text(
    "Anyone can verify without this platform's server: run `npm run verify` with the proof bundle and the file, or use the verification page; the on-chain part is checked with the registry's anchoredAt(root) on any EVM JSON-RPC endpoint.",
    { size: 9, color: GREY, leading: 1.5 },
  );
  row("验证地址 Verification page", c.verifyUrl);
  flow.gap(8);
  row("签发时间 Issued", chinaTime(c.issuedAt));
  flow.footers((i, n) => `电子证据证书 ${c.itemId} · ${i}/${n}`);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Renders and seals the certificate: a visible stamp at the foot of its first page. */
export async function sealedEvidenceCertificate(
  input: EvidenceCertificateInput,
  seal: PadesSigner,
  timestamp: (sha256: Buffer) => Buffer,
  longTerm?: LongTermOptions,
): Promise<Buffer> {
  const pdf = await renderEvidenceCertificate(input);
  const sealed = await signPdf(pdf, seal, {
    fieldName: "platform-seal",
    reason: "电子证据证书 Evidence certificate issued by the platform",
    signingTime: input.issuedAt,
    stamp: { page: 0, rect: [A4[0] - MARGIN - 220, MARGIN - 10, 220, 70], lines: ["Evidence Platform 电子证据平台", "平台签章 Platform seal", chinaTime(input.issuedAt, false)] },
    timestamp: (signatureValue) => timestamp(createHash("sha256").update(signatureValue).digest()),
  });
  // PAdES B-LTA when the CA's validation data is given: the certificate outlives its TSA's certificate
  return longTerm ? extendToLongTerm(sealed, longTerm) : sealed;
}
