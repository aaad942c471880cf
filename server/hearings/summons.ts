// The summons (传票) as a PDF: the court, the case, the party summoned, the hearing's kind, time in
// China time, place (room and/or online link), the presiding judge, what to bring and what absence
// means in law, in Chinese with English beside it. The seal's visible stamp goes in SEAL_RECT.
import { PDFDocument } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { A4, GREY, TextFlow } from "../pdf/layout";
import { chinaTime } from "../contracts/format";
import { KIND_LABELS, type HearingKind } from "./input";

export interface SummonsSheet {
  id: string;
  courtCase: { number: string; court: string; causeOfAction: string };
  party: { name: string; kind: string };
  hearing: { id: string; kind: HearingKind; startsAt: Date; endsAt: Date; room: string | null; onlineUrl: string | null; notes: string | null; sequence: number };
  judge: string;
  issuedAt: Date;
}

const MARGIN = 64;
export const SEAL_RECT: [number, number, number, number] = [A4[0] - MARGIN - 220, MARGIN - 20, 220, 70];
const PARTY_KINDS: Record<string, string> = { plaintiff: "原告 Plaintiff", defendant: "被告 Defendant", "third-party": "第三人 Third party" };

/** Absence, as the summons states it (Civil Procedure Law arts. 146, 147). */
export const ABSENCE = {
  zh: "注意事项：原告经传票传唤，无正当理由拒不到庭的，可以按撤诉处理；被告经传票传唤，无正当理由拒不到庭的，可以缺席判决。不能按时到庭的，应当在开庭前通过平台申请改期并说明理由。",
  en: "Note: a plaintiff summoned who fails to appear without good reason may be treated as withdrawing the claim; a defendant may be judged by default. A party who cannot attend must ask on the platform, with a reason, before the hearing.",
};

export async function renderSummons(s: SummonsSheet): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`传票 Summons — ${s.courtCase.number} — ${s.party.name}`, { showInWindowTitleBar: true });
  doc.setSubject(`hearing summons ${s.id}`);
  doc.setCreationDate(s.issuedAt);
  doc.setModificationDate(s.issuedAt);
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font, { top: MARGIN, bottom: MARGIN + 70, left: MARGIN, right: MARGIN });
  const body = { size: 10.5, leading: 1.55 };
  const small = { size: 9, color: GREY, leading: 1.5 };
  const field = (label: string, value: string) => flow.text(`${label}：${value}`, { ...body, hanging: 24 });
  const kind = KIND_LABELS[s.hearing.kind];

  flow.text(s.courtCase.court, { size: 14, align: "center" });
  flow.text("传  票", { size: 22, align: "center" });
  flow.text("Summons", { size: 12, align: "center", color: GREY });
  flow.gap(14);
  field("案号 Case number", s.courtCase.number);
  field("案由 Cause of action", s.courtCase.causeOfAction);
  field("被传唤人 Party summoned", `${s.party.name}（${PARTY_KINDS[s.party.kind] ?? s.party.kind}）`);
  field("传唤事由 Summoned for", `${kind.zh} ${kind.en}`);
  field("应到时间 Time", `${chinaTime(s.hearing.startsAt)} 至 ${chinaTime(s.hearing.endsAt)}`);
  if (s.hearing.room) field("应到处所 Place", s.hearing.room);
  if (s.hearing.onlineUrl) field("在线庭审 Online hearing", s.hearing.onlineUrl);
  field("审判人员 Presiding judge", s.judge);
  if (s.hearing.notes) field("备注 Notes", s.hearing.notes);
  flow.gap(8);
  flow.rule();
  flow.text(ABSENCE.zh, body);
  flow.text(ABSENCE.en, small);
  flow.text("被传唤人应携带身份证件及本传票按时到庭；在线庭审的，应提前登录平台并确保网络畅通。", body);
  flow.text("Bring an identity document and this summons; for an online hearing, sign in early on a working connection.", small);
  flow.gap(8);
  flow.rule();
  field("签发时间 Issued", chinaTime(s.issuedAt));
  flow.text(`传票编号 Summons ${s.id}；庭审 Hearing ${s.hearing.id}（第 ${s.hearing.sequence + 1} 次安排 schedule ${s.hearing.sequence + 1}）。`, small);
  flow.text("本传票以平台签章电子签名（PAdES），经电子送达并存证锚定上链；送达回执由受送达人首次打开时生成。", small);
  flow.text("Sealed by the platform (PAdES), served electronically, hashed and anchored; the receipt is made when the party first opens it.", small);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
