// The judicial confirmation order (民事裁定书（司法确认）) as a PDF: the court, the parties, the
// mediation and its agreement (the signed contract's final digest), the ruling, the judge and the
// time in China time, in Chinese with English beside it. The judge's visible stamp goes in
// STAMP_RECT on the first page, kept clear.
import { PDFDocument } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { A4, GREY, TextFlow } from "../pdf/layout";
import { chinaTime } from "../contracts/format";

export interface ConfirmationOrder {
  id: string;
  court: string;
  filing: { id: string; title: string };
  parties: { name: string; kind: string }[];
  mediation: { id: string; mediator: string | null };
  agreement: { contractId: string; title: string; sha256: string };
  ruling: string | null;
  judge: { name: string };
  issuedAt: Date;
}

const MARGIN = 64;
export const STAMP_RECT: [number, number, number, number] = [A4[0] - MARGIN - 220, MARGIN - 20, 220, 70];
const PARTY_KINDS: Record<string, string> = { plaintiff: "申请人 Applicant", defendant: "被申请人 Respondent", "third-party": "第三人 Third party" };

export const DEFAULT_RULING = {
  zh: "本院经审查认为，申请人达成的调解协议符合司法确认的条件，依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条的规定，裁定如下：上述调解协议有效。当事人应当按照调解协议的约定自觉履行义务。一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请执行。",
  en: "Having examined the application, the court finds that the mediation agreement meets the conditions for judicial confirmation and, under Articles 205 and 206 of the Civil Procedure Law of the PRC, rules: the mediation agreement above is valid. The parties shall perform it as agreed; if a party refuses to perform it or performs it only in part, the other may apply to the court for enforcement.",
};

export async function renderConfirmationOrder(o: ConfirmationOrder): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`民事裁定书（司法确认） Judicial confirmation — ${o.filing.title}`, { showInWindowTitleBar: true });
  doc.setSubject(`judicial confirmation order ${o.id}`);
  doc.setCreationDate(o.issuedAt);
  doc.setModificationDate(o.issuedAt);
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font, { top: MARGIN, bottom: MARGIN + 70, left: MARGIN, right: MARGIN });
  const h2 = { size: 12.5, leading: 1.7 };
  const body = { size: 10.5, leading: 1.55 };
  const small = { size: 9, color: GREY, leading: 1.5 };
  const field = (label: string, value: string) => flow.text(`${label}：${value}`, { ...body, hanging: 24 });

  flow.text(o.court, { size: 16, align: "center" });
  flow.text("民事裁定书（司法确认）", { size: 20, align: "center" });
  flow.text("Civil ruling: judicial confirmation of a mediation agreement", { size: 12, align: "center", color: GREY });
  flow.gap(14);
  for (const p of o.parties) field(PARTY_KINDS[p.kind] ?? p.kind, p.name);
  flow.gap(8);
  flow.rule();
  flow.text("调解 Mediation", h2);
  field("立案申请 Filing", `《${o.filing.title}》（${o.filing.id}）`);
  field("诉前调解 Mediation", o.mediation.id);
  if (o.mediation.mediator) field("调解员 Mediator", o.mediation.mediator);
  field("调解协议 Agreement", `《${o.agreement.title}》（合同 contract ${o.agreement.contractId}）`);
  field("协议文件摘要 Agreement SHA-256", o.agreement.sha256);
  flow.gap(8);
  flow.rule();
  flow.text("裁定 Ruling", h2);
  if (o.ruling) flow.text(o.ruling, body);
  else {
    flow.text(DEFAULT_RULING.zh, body);
    flow.text(DEFAULT_RULING.en, small);
  }
  flow.gap(8);
  field("审判员 Judge", o.judge.name);
  field("裁定时间 Issued at", chinaTime(o.issuedAt));
  flow.gap(6);
  flow.text(`裁定书编号 Order ${o.id}。本裁定书由审判员以其平台证书电子签名（PAdES），存证并锚定上链。`, small);
  flow.text("Signed by the judge with their platform certificate (PAdES), then hashed and anchored as evidence.", small);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
