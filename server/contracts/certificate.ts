// The completion certificate: a PDF that travels with the contract. It names the final document by
// its digests, lists every signer with their certificate and the document's digest after their
// signature, prints the audit trail (every event with who, when, from where, and the document's
// digest at that point), carries a QR code to the public verification page of the final document,
// and has the signed contract itself attached (an embedded file, AFRelationship Source), so that
// one file holds both. The contract keeps its bytes: its last signature still covers all of it.
import { AFRelationship, PDFDocument } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { chinaTime } from "./format";
import { A4, GREY, TextFlow, drawQr } from "../pdf/layout";

export interface CertificateSigner {
  step: number;
  role: string | null;
  name: string;
  organization: string | null;
  signedAt: Date;
  signedSha256: string;
  certificate: { subject: string; serialHex: string; fingerprint: string } | null;
  /** the signature timestamp's genTime from the TSA token in the signature */
  timestampedAt: string | null;
}

export interface CertificateEvent {
  seq: number;
  at: Date;
  action: string;
  actor: string | null;
  ip: string | null;
  userAgent: string | null;
  documentSha256: string;
  note: string | null;
}

export interface CompletionInput {
  contractId: string;
  title: string;
  sender: string;
  createdAt: Date;
  completedAt: Date;
  originalSha256: string;
  finalSha256: string;
  finalSm3: string;
  signers: CertificateSigner[];
  events: CertificateEvent[];
  verifyUrl: string;
  finalPdf: Buffer;
  issuedAt: Date;
}

export const ACTION_LABELS: Record<string, string> = {
  created: "创建 Created",
  fields_placed: "放置签署位置 Fields placed",
  sent: "发送 Sent",
  opened: "打开邀请 Invitation opened",
  code_issued: "签发验证码 One-time code issued",
  invitation_reissued: "重发邀请 Invitation reissued",
  signed: "签署 Signed",
  declined: "拒签 Declined",
  voided: "撤销 Voided",
  expired: "过期 Expired",
  completed: "完成 Completed",
};

const MARGIN = 56;

/** Where the QR code sits on page 1 (PDF points, A4): its square with a quiet zone of QR_QUIET modules. */
export const QR_PLACEMENT = { x: A4[0] - MARGIN - 104, yTop: A4[1] - MARGIN + 8, size: 104, quiet: 2 };

/** The QR code of `text` as one vector path (dark modules), drawn with its top-left at (x, yTop). */

export async function renderCompletionCertificate(c: CompletionInput): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`合同签署完成证书 Certificate of Completion — ${c.title}`, { showInWindowTitleBar: true });
  doc.setSubject(`contract ${c.contractId}, final SHA-256 ${c.finalSha256}`);
  doc.setCreator("Evidence Platform contracts");
  doc.setProducer("pdf-lib");
  doc.setCreationDate(c.issuedAt);
  doc.setModificationDate(c.issuedAt);
  doc.setLanguage("zh-CN");
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font, { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN }, A4);

  const qr = QR_PLACEMENT;
  drawQr(flow, c.verifyUrl, qr.x, qr.yTop, qr.size, qr.quiet);
  flow.page.drawText("扫码验证 Scan to verify", {
    x: qr.x + 6,
    y: qr.yTop - qr.size - 6,
    size: 7.5,
    font,
    color: GREY,
  });
  flow.text("合同签署完成证书", { size: 20, leading: 1.5 });
  flow.text("Certificate of Completion", { size: 13, color: GREY });
  flow.gap(30);

  const row = (label: string, value: string) => flow.text(`${label}：${value}`, { size: 9.5, hanging: 24 });
  row("合同名称 Title", c.title);
  row("合同编号 Contract ID", c.contractId);
  row("发起人 Sender", c.sender);
  row("创建时间 Created", chinaTime(c.createdAt));
  row("完成时间 Completed", chinaTime(c.completedAt));
  row("原始文件 SHA-256 Original document", c.originalSha256);
  row("最终文件 SHA-256 Final document", c.finalSha256);
  row("最终文件 SM3 Final document", c.finalSm3);
  row("验证地址 Verification", c.verifyUrl);

  flow.gap(8);
  flow.text("签署人 Signers", { size: 12.5 });
  flow.rule();
  for (const s of c.signers) {
    flow.ensure(70);
    const who = s.organization ? `${s.name}（${s.organization}）` : s.name;
    flow.text(`第 ${s.step} 步 Step ${s.step}  ·  ${s.role ?? "签署方 Signer"}  ·  ${who}`, { size: 10.5 });
    const details = [
      `签署时间 Signed: ${chinaTime(s.signedAt)}${s.timestampedAt ? `；时间戳 Timestamp (TSA): ${chinaTime(new Date(s.timestampedAt))}` : ""}`,
      s.certificate
        ? `证书 Certificate: ${s.certificate.subject}；序列号 serial ${s.certificate.serialHex}；SHA-256 ${s.certificate.fingerprint}`
        : "证书 Certificate: —",
      `签署后文件 SHA-256 Document after this signature: ${s.signedSha256}`,
    ];
    for (const d of details) flow.text(d, { size: 8.5, indent: 12, color: GREY, leading: 1.4 });
    flow.gap(4);
  }

  flow.gap(6);
  flow.text("审计记录 Audit trail", { size: 12.5 });
  flow.text("每一步的时间、操作人、IP 地址、用户代理及该步之后的文件摘要。 Each step with its time, actor, IP address, user agent and the document's SHA-256 after it.", {
    size: 8.5,
    color: GREY,
  });
  flow.rule();
  for (const e of c.events) {
    flow.ensure(48);
    const label = ACTION_LABELS[e.action] ?? e.action;
    flow.text(`#${e.seq}  ${chinaTime(e.at)}  ${label}  ·  ${e.actor ?? "系统 System"}${e.note ? `  ·  ${e.note}` : ""}`, { size: 9.5, hanging: 18 });
    flow.text(`IP ${e.ip ?? "—"}  ·  ${e.userAgent ? e.userAgent.slice(0, 160) : "—"}`, { size: 8, indent: 18, color: GREY, leading: 1.35 });
    flow.text(`文件 SHA-256 Document: ${e.documentSha256}`, { size: 8, indent: 18, color: GREY, leading: 1.35 });
    flow.gap(3);
  }

  flow.gap(8);
  flow.text("如何验证 How to verify", { size: 12.5 });
  flow.rule();
  const notes = [
    `本证书附有已签署的合同文件（附件 contract-${c.contractId}.pdf）。其 SHA-256 应等于上列最终文件摘要；该摘要已提交区块链存证，扫描二维码或访问验证地址可查询存证时间与证明。`,
    `The signed contract is attached to this certificate (contract-${c.contractId}.pdf). Its SHA-256 must equal the final document digest above; that digest is anchored on chain: scan the QR code or open the verification address for the anchoring time and proof.`,
    "每个签名均为签署人本人证书所作的 PAdES 签名（含可信时间戳），可用 Adobe Acrobat、pdfsig 或 npm run verify -- contract.pdf 逐一验证。",
    "Each signature is a PAdES signature by the signer's own certificate with a trusted timestamp; check them with Adobe Acrobat, pdfsig, or npm run verify -- contract.pdf.",
  ];
  for (const n of notes) flow.text(n, { size: 9 });
  flow.footers((i, n) => `合同签署完成证书 Certificate of Completion · ${c.contractId} · 第 ${i} 页 / 共 ${n} 页  Page ${i} of ${n}`);

  await doc.attach(new Uint8Array(c.finalPdf), `contract-${c.contractId}.pdf`, {
    mimeType: "application/pdf",
    description: `已签署的合同 Signed contract ${c.title} (SHA-256 ${c.finalSha256})`,
    creationDate: c.completedAt,
    modificationDate: c.completedAt,
    afRelationship: AFRelationship.Source,
  });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
