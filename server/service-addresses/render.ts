// The confirmation as a PDF (送达地址确认书): the case, the party, every confirmed address, the consent
// statement and what it means in law, the person confirming and the time in China time, in Chinese
// with English beside it. The signer's visible stamp goes in STAMP_RECT on the last page, kept clear.
import { PDFDocument } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { A4, GREY, TextFlow } from "../pdf/layout";
import { chinaTime } from "../contracts/format";
import type { ConfirmedAddresses } from "./addresses";

export interface ConfirmationSheet {
  id: string;
  courtCase: { number: string; court: string; causeOfAction: string };
  party: { name: string; kind: string };
  addresses: ConfirmedAddresses;
  consent: boolean;
  confirmedBy: { name: string; role: string; organization: string | null };
  confirmedAt: Date;
  /** the confirmation this one replaces, if any */
  supersedes: { id: string; confirmedAt: Date } | null;
}

const MARGIN = 64;
export const STAMP_RECT: [number, number, number, number] = [A4[0] - MARGIN - 220, MARGIN - 20, 220, 70];
const PARTY_KINDS: Record<string, string> = { plaintiff: "原告 Plaintiff", defendant: "被告 Defendant", "third-party": "第三人 Third party" };
const ROLES: Record<string, string> = { lawyer: "代理律师 Lawyer", member: "机构成员 Member of the organisation" };

/** The consent statement exactly as printed: a reader (and a test) finds it in the text. */
export function consentStatement(consent: boolean): { zh: string; en: string } {
  return consent
    ? {
        zh: "受送达人同意人民法院通过本确认书所列电子地址（平台收件箱、电子邮箱、手机号码）送达诉讼文书。",
        en: "The party consents to the court serving litigation documents electronically at the addresses confirmed here (platform inbox, e-mail, mobile phone).",
      }
    : {
        zh: "受送达人不同意电子送达。法院在本平台收件箱中送达文书，不向所列电子邮箱、手机号码送达。",
        en: "The party does not consent to electronic service. The court serves documents in the platform inbox only, not at the e-mail addresses or phone numbers listed.",
      };
}

const LEGAL_EFFECT = {
  zh: [
    "法律效力：依照《中华人民共和国民事诉讼法》第九十条，经受送达人同意，人民法院可以采用能够确认其收悉的电子方式送达诉讼文书；通过电子方式送达的，以送达信息到达受送达人特定系统的日期为送达日期。",
    "受送达人应保证所列地址真实、有效。地址变更的，应及时告知人民法院；未及时告知的，人民法院按本确认书所列地址送达，即视为送达。",
    "本确认书在本案中有效，直至受送达人提交新的确认书；新的确认书取代之前的确认书。",
  ],
  en: [
    "Legal effect: under Article 90 of the Civil Procedure Law of the PRC, with the party's consent the court may serve documents electronically by means that confirm receipt; electronic service is complete on the day the document reaches the party's designated system.",
    "The party warrants that the addresses are true and in use. A change must be told to the court at once; until it is, service at the addresses here counts as service.",
    "This confirmation holds in this case until the party confirms again; a new confirmation replaces earlier ones.",
  ],
};

export async function renderConfirmation(s: ConfirmationSheet): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`送达地址确认书 Confirmation of addresses for service — ${s.courtCase.number} — ${s.party.name}`, { showInWindowTitleBar: true });
  doc.setSubject(`service address confirmation ${s.id}`);
  doc.setCreationDate(s.confirmedAt);
  doc.setModificationDate(s.confirmedAt);
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font, { top: MARGIN, bottom: MARGIN + 70, left: MARGIN, right: MARGIN });
  const h1 = { size: 20, align: "center" as const };
  const h2 = { size: 12.5, leading: 1.7 };
  const body = { size: 10.5, leading: 1.55 };
  const small = { size: 9, color: GREY, leading: 1.5 };
  const field = (label: string, value: string) => flow.text(`${label}：${value}`, { ...body, hanging: 24 });

  flow.text("送达地址确认书", h1);
  flow.text("Confirmation of addresses for service", { size: 12, align: "center", color: GREY });
  flow.gap(14);
  field("案号 Case number", s.courtCase.number);
  field("法院 Court", s.courtCase.court);
  field("案由 Cause of action", s.courtCase.causeOfAction);
  field("受送达人 Party", `${s.party.name}（${PARTY_KINDS[s.party.kind] ?? s.party.kind}）`);
  flow.gap(8);
  flow.rule();
  flow.text("送达地址 Addresses for service", h2);
  field("平台收件箱 Platform inbox", "本平台“送达文书”收件箱（受送达人的代理人及成员账户） the platform's inbox of everyone acting for the party");
  if (s.addresses.emails.length) s.addresses.emails.forEach((e, i) => field(`电子邮箱 E-mail ${i + 1}`, e));
  else field("电子邮箱 E-mail", "未提供 none given");
  if (s.addresses.phones.length) s.addresses.phones.forEach((p, i) => field(`手机号码 Mobile phone ${i + 1}`, p));
  else field("手机号码 Mobile phone", "未提供 none given");
  field("邮寄地址 Postal address", s.addresses.postal ?? "未提供 none given");
  flow.gap(8);
  flow.rule();
  flow.text("是否同意电子送达 Consent to electronic service", h2);
  const statement = consentStatement(s.consent);
  flow.text(s.consent ? "【同意】Consents" : "【不同意】Does not consent", { size: 11.5, leading: 1.6 });
  flow.text(statement.zh, body);
  flow.text(statement.en, small);
  flow.gap(6);
  for (const [i, zh] of LEGAL_EFFECT.zh.entries()) {
    flow.text(zh, body);
    flow.text(LEGAL_EFFECT.en[i], small);
  }
  flow.gap(8);
  flow.rule();
  flow.text("确认人 Confirmed by", h2);
  field("姓名 Name", s.confirmedBy.name);
  field("身份 Acting as", `${ROLES[s.confirmedBy.role] ?? s.confirmedBy.role}${s.confirmedBy.organization ? `，${s.confirmedBy.organization}` : ""}`);
  field("确认时间 Confirmed at", chinaTime(s.confirmedAt));
  if (s.supersedes) field("取代 Replaces", `确认书 ${s.supersedes.id}（${chinaTime(s.supersedes.confirmedAt)}）`);
  flow.gap(6);
  flow.text(`确认书编号 Confirmation ${s.id}。本确认书由确认人以其平台证书电子签名（PAdES），存证并锚定上链。`, small);
  flow.text("Signed by the person confirming with their platform certificate (PAdES), then hashed and anchored as evidence.", small);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
