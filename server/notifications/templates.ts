// Every message the platform sends, in Chinese and then English in one message (the recipient's
// language is not known; both are short). Parameters hold no secret: links and codes are derived
// when the message is written (LinkSecrets), from the ids the parameters name. Plain text: every
// mail client shows it and makes the links clickable.
import type { LinkSecrets } from "../core/link-token";
import { SEAL_KIND_TEXT } from "../seals/kinds";

export interface TemplateParams {
  /** an invited person sets up their account; landing says what they were invited to */
  "account-invitation": {
    name: string;
    invitedBy: string;
    organization: string | null;
    linkId: string;
    expiresAt: string;
    /** what the invitation is for: an organisation's membership, a contract to sign, a case */
    context: { kind: "organization" } | { kind: "contract"; title: string } | { kind: "case"; number: string; party: string };
  };
  /** someone invited an address that already has an account: nothing changed, they are told so */
  "account-exists": { invitedBy: string; organization: string | null };
  "password-reset": { name: string; linkId: string; expiresAt: string };
  /** a signer's step is open (when the contract is sent, or when the previous step completes) */
  /** forOrganization: the signer is an organisation, and this member (one of those holding a live grant of its seal) is asked to sign for it */
  "contract-your-turn": { name: string; title: string; sender: string; step: number; invitationId: string; expiresAt: string; first: boolean; forOrganization?: { name: string; sealKind: string } | null };
  "contract-code": { name: string; title: string; invitationId: string; issuedAtMs: number; expiresAt: string };
  "contract-reminder": { name: string; title: string; sender: string; invitationId: string; expiresAt: string; n: number; forOrganization?: { name: string; sealKind: string } | null };
  /** to the sender: an organisation signer's step opened and no member holds a live grant of the seal wanted */
  "contract-no-authorised-signer": { name: string; title: string; contractId: string; organization: string; sealKind: string; step: number };
  "contract-expiry-warning": { name: string; title: string; expiresAt: string; invitationId: string | null };
  "contract-completed": { name: string; title: string; contractId: string; sha256: string };
  "contract-declined": { name: string; title: string; by: string; reason: string };
  "contract-voided": { name: string; title: string; by: string; reason: string };
  /** a court document was served: a link to the inbox, never the document */
  "document-served": { name: string; title: string; caseNumber: string; court: string; party: string; servedAt: string };
  /** an existing user now acts for a party of a case */
  "case-representation": { name: string; caseId: string; caseNumber: string; court: string; party: string };
  "case-status": { name: string; caseId: string; caseNumber: string; court: string; status: string };
  /** an online filing changed state (submitted, correction requested, accepted, rejected, mediation...) */
  "filing-status": { name: string; filingId: string; title: string; court: string; status: string; reason: string | null; deadline: string | null; caseNumber: string | null };
  /** a party confirmed its addresses for service (送达地址确认书): to the case's judges */
  "address-confirmed": { name: string; caseId: string; caseNumber: string; court: string; party: string; consent: boolean; confirmedAt: string };
  /** a document served at an e-mail address the party confirmed: a link whose first opening is the receipt */
  "address-service": { deliveryId: string; title: string; caseNumber: string; court: string; party: string; servedAt: string };
  /** a hearing of a case was scheduled, offered, chosen, rescheduled or cancelled, or a party answered it */
  "hearing-update": {
    name: string;
    caseId: string;
    caseNumber: string;
    court: string;
    event: "scheduled" | "offered" | "chosen" | "rescheduled" | "cancelled" | "confirmed" | "reschedule-requested";
    kind: string;
    startsAt: string | null;
    place: string;
    party?: string;
    reason?: string | null;
  };
  /** a pre-litigation mediation (诉前调解) moved: proposed, started, a mediator assigned, agreed, confirmed, failed */
  "mediation-status": { name: string; mediationId: string; title: string; court: string; event: string; reason: string | null };
}

export type MailTemplate = keyof TemplateParams;
export const TEMPLATES = [
  "account-invitation",
  "account-exists",
  "password-reset",
  "contract-your-turn",
  "contract-code",
  "contract-reminder",
  "contract-no-authorised-signer",
  "contract-expiry-warning",
  "contract-completed",
  "contract-declined",
  "contract-voided",
  "document-served",
  "case-representation",
  "case-status",
  "filing-status",
  "address-confirmed",
  "address-service",
  "hearing-update",
  "mediation-status",
] as const satisfies readonly MailTemplate[];

export interface RenderedMail {
  subject: string;
  text: string;
}

export interface RenderContext {
  publicUrl: string;
  secrets: LinkSecrets;
}

const SEAL_KIND_TEXT_ZH = (kind: string) => (SEAL_KIND_TEXT as Record<string, string>)[kind] ?? kind;

const time = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");

function bilingual(zh: string[], en: string[], publicUrl: string): string {
  const footer = [`—`, `电子证据存证平台 · Evidence platform`, publicUrl, `此邮件由平台自动发送，请勿直接回复。This message was sent by the platform; replies are not read.`];
  return [...zh, "", "----", "", ...en, "", ...footer, ""].join("\n");
}

type Renderer<T extends MailTemplate> = (p: TemplateParams[T], c: RenderContext) => RenderedMail;

const accountUrl = (c: RenderContext, linkId: string) => `${c.publicUrl}/workspace/#/welcome/${c.secrets.token("account-link", linkId)}`;
const signUrl = (c: RenderContext, invitationId: string) => `${c.publicUrl}/sign/#token=${c.secrets.token("contract-invitation", invitationId)}`;

const serviceLinkUrl = (c: RenderContext, deliveryId: string) => `${c.publicUrl}/api/service-links/${c.secrets.token("service-delivery", deliveryId)}`;

const RENDERERS: { [T in MailTemplate]: Renderer<T> } = {
  "account-invitation": (p, c) => {
    const url = accountUrl(c, p.linkId);
    const zhWhat =
      p.context.kind === "contract"
        ? `邀请您签署合同《${p.context.title}》。`
        : p.context.kind === "case"
          ? `将您列为案件 ${p.context.number} 中 ${p.context.party} 的代理人。`
          : `邀请您加入${p.organization ?? "平台"}。`;
    const enWhat =
      p.context.kind === "contract"
        ? `invites you to sign the contract "${p.context.title}".`
        : p.context.kind === "case"
          ? `named you as a representative of ${p.context.party} in case ${p.context.number}.`
          : `invites you to join ${p.organization ?? "the platform"}.`;
    return {
      subject: p.context.kind === "contract" ? `请签署合同 Please sign: ${p.context.title}` : `平台账户邀请 Your account invitation`,
      text: bilingual(
        [`${p.name}，您好：`, "", `${p.invitedBy} 在电子证据存证平台上${zhWhat}`, "请打开以下链接设置密码，即可开始使用：", url, "", `链接仅可使用一次，${time(p.expiresAt)} 前有效。`],
        [`Dear ${p.name},`, "", `${p.invitedBy} ${enWhat}`, "Open this link to set your password and start:", url, "", `The link works once and expires at ${time(p.expiresAt)}.`],
        c.publicUrl,
      ),
    };
  },
  "account-exists": (p, c) => ({
    subject: `平台账户邀请 Your account invitation`,
    text: bilingual(
      [`${p.invitedBy} 邀请此邮箱加入${p.organization ?? "平台"}，但此邮箱已有平台账户，因此未作任何更改。`, `如需变更所属机构，请联系平台管理员。登录：${c.publicUrl}/workspace/`],
      [`${p.invitedBy} invited this address to ${p.organization ?? "the platform"}, but it already has an account, so nothing was changed.`, `To change your organisation, ask the platform's administrator. Log in: ${c.publicUrl}/workspace/`],
      c.publicUrl,
    ),
  }),
  "password-reset": (p, c) => {
    const url = accountUrl(c, p.linkId);
    return {
      subject: `重设密码 Reset your password`,
      text: bilingual(
        [`${p.name}，您好：`, "", "有人为您的平台账户申请了重设密码。如是您本人，请打开以下链接设置新密码：", url, "", `链接仅可使用一次，${time(p.expiresAt)} 前有效。如非本人操作，请忽略本邮件，密码不会改变。`],
        [`Dear ${p.name},`, "", "A password reset was asked for your account. If it was you, open this link to set a new password:", url, "", `The link works once and expires at ${time(p.expiresAt)}. If it was not you, ignore this message: your password stays as it is.`],
        c.publicUrl,
      ),
    };
  },
  "contract-your-turn": (p, c) => {
    const url = signUrl(c, p.invitationId);
    return {
      subject: p.first ? `请签署合同 Please sign: ${p.title}` : `轮到您签署 Your turn to sign: ${p.title}`,
      text: bilingual(
        [
          `${p.name}，您好：`,
          "",
          p.first ? `${p.sender} 请您签署合同《${p.title}》（第 ${p.step} 步）。` : `合同《${p.title}》前一步已签署完成，现在轮到您（第 ${p.step} 步）。`,
          ...(p.forOrganization ? [`您被邀请代表${p.forOrganization.name}签署，以其${SEAL_KIND_TEXT_ZH(p.forOrganization.sealKind)}盖章。该机构持有此印章授权的每位成员都收到了本邮件：第一位签署者即代表机构签署，其他人的链接随即失效。`] : []),
          "请打开签署链接，登录后阅读合同，并用发送到您邮箱的一次性验证码签署：",
          url,
          "",
          `链接 ${time(p.expiresAt)} 前有效。`,
        ],
        [
          `Dear ${p.name},`,
          "",
          p.first ? `${p.sender} asks you to sign "${p.title}" (step ${p.step}).` : `The previous step of "${p.title}" is complete: it is your turn (step ${p.step}).`,
          ...(p.forOrganization ? [`You are asked to sign for ${p.forOrganization.name}, with its ${p.forOrganization.sealKind} seal. Every member holding a grant of that seal received this message: the first to sign signs for the organisation, and the others' links then stop working.`] : []),
          "Open the signing link, log in, read the contract and sign with the one-time code sent to your e-mail:",
          url,
          "",
          `The link expires at ${time(p.expiresAt)}.`,
        ],
        c.publicUrl,
      ),
    };
  },
  "contract-code": (p, c) => {
    const code = c.secrets.code(p.invitationId, p.issuedAtMs);
    return {
      subject: `签署验证码 Your signing code: ${code}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `您签署合同《${p.title}》的一次性验证码是：`, "", `    ${code}`, "", `${time(p.expiresAt)} 前有效。请勿告诉任何人，包括合同的发起人。`],
        [`Dear ${p.name},`, "", `Your one-time code to sign "${p.title}" is:`, "", `    ${code}`, "", `It expires at ${time(p.expiresAt)}. Do not give it to anyone, the contract's sender included.`],
        c.publicUrl,
      ),
    };
  },
  "contract-reminder": (p, c) => {
    const url = signUrl(c, p.invitationId);
    return {
      subject: `提醒：请签署合同 Reminder: please sign ${p.title}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `${p.sender} 发起的合同《${p.title}》仍在等待${p.forOrganization ? `您代表${p.forOrganization.name}` : "您"}的签署（第 ${p.n} 次提醒）。`, url, "", `链接 ${time(p.expiresAt)} 前有效。`],
        [`Dear ${p.name},`, "", `"${p.title}", sent by ${p.sender}, is still waiting for your signature${p.forOrganization ? ` for ${p.forOrganization.name}` : ""} (reminder ${p.n}).`, url, "", `The link expires at ${time(p.expiresAt)}.`],
        c.publicUrl,
      ),
    };
  },
  "contract-expiry-warning": (p, c) => {
    const url = p.invitationId ? signUrl(c, p.invitationId) : `${c.publicUrl}/workspace/#/contracts`;
    return {
      subject: `即将过期 Expiring soon: ${p.title}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `合同《${p.title}》将于 ${time(p.expiresAt)} 过期，届时仍未完成的签署将无法继续。`, url],
        [`Dear ${p.name},`, "", `"${p.title}" expires at ${time(p.expiresAt)}; signatures missing by then can no longer be made.`, url],
        c.publicUrl,
      ),
    };
  },
  "contract-completed": (p, c) => {
    const verify = `${c.publicUrl}/?sha256=${p.sha256}`;
    return {
      subject: `合同已签署完成 Contract completed: ${p.title}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `合同《${p.title}》已由全部签署人签署完成，并将锚定上链。`, `最终文件 SHA-256：${p.sha256}`, `核验：${verify}`, `下载合同和签署完成证书：${c.publicUrl}/workspace/#/contracts`],
        [`Dear ${p.name},`, "", `"${p.title}" has been signed by every signer and is being anchored on chain.`, `Final document SHA-256: ${p.sha256}`, `Verify: ${verify}`, `Download the contract and its certificate of completion: ${c.publicUrl}/workspace/#/contracts`],
        c.publicUrl,
      ),
    };
  },
  "contract-declined": (p, c) => ({
    subject: `合同被拒签 Contract declined: ${p.title}`,
    text: bilingual(
      [`${p.name}，您好：`, "", `${p.by} 拒绝签署合同《${p.title}》，合同已终止。`, `理由：${p.reason}`],
      [`Dear ${p.name},`, "", `${p.by} declined to sign "${p.title}"; the contract has ended.`, `Reason: ${p.reason}`],
      c.publicUrl,
    ),
  }),
  "contract-no-authorised-signer": (p, c) => ({
    subject: `无人可代表机构签署 No one can sign for ${p.organization}: ${p.title}`,
    text: bilingual(
      [
        `${p.name}，您好：`,
        "",
        `合同《${p.title}》的第 ${p.step} 步已开始，但${p.organization}没有成员持有其${SEAL_KIND_TEXT_ZH(p.sealKind)}的有效授权，因此无人能代表该机构签署。`,
        "请联系该机构授权印章后重新发送签署邀请，或作废合同：",
        `${c.publicUrl}/workspace/#/contracts/${p.contractId}`,
      ],
      [
        `Dear ${p.name},`,
        "",
        `Step ${p.step} of "${p.title}" has opened, but no member of ${p.organization} holds a live grant of its ${p.sealKind} seal, so no one can sign for it.`,
        "Ask the organisation to grant the seal, then reissue the invitation, or void the contract:",
        `${c.publicUrl}/workspace/#/contracts/${p.contractId}`,
      ],
      c.publicUrl,
    ),
  }),
  "contract-voided": (p, c) => ({
    subject: `合同已作废 Contract voided: ${p.title}`,
    text: bilingual(
      [`${p.name}，您好：`, "", `${p.by} 已作废合同《${p.title}》，您的签署不再需要。`, `理由：${p.reason}`],
      [`Dear ${p.name},`, "", `${p.by} voided "${p.title}"; your signature is no longer needed.`, `Reason: ${p.reason}`],
      c.publicUrl,
    ),
  }),
  "document-served": (p, c) => {
    const inbox = `${c.publicUrl}/workspace/#/inbox`;
    return {
      subject: `法院文书送达 Court document served: ${p.caseNumber}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `${p.court}在案件 ${p.caseNumber} 中向${p.party}送达了文书《${p.title}》（${time(p.servedAt)}）。`, "请登录平台在“送达文书”中查看。首次打开即产生送达回执，回执锚定上链。", inbox],
        [`Dear ${p.name},`, "", `${p.court} served "${p.title}" on ${p.party} in case ${p.caseNumber} (${time(p.servedAt)}).`, "Log in and open it under Served documents. The first opening records a delivery receipt, anchored on chain.", inbox],
        c.publicUrl,
      ),
    };
  },
  "case-representation": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/cases/${p.caseId}`;
    return {
      subject: `案件代理 You act for a party: ${p.caseNumber}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `您已被列为${p.court}案件 ${p.caseNumber} 中 ${p.party} 的代理人。`, url],
        [`Dear ${p.name},`, "", `You now act for ${p.party} in case ${p.caseNumber} at ${p.court}.`, url],
        c.publicUrl,
      ),
    };
  },
  "case-status": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/cases/${p.caseId}`;
    const zh = { open: "审理中", closed: "已结案" }[p.status] ?? p.status;
    return {
      subject: `案件状态 Case ${p.caseNumber}: ${p.status}`,
      text: bilingual([`${p.name}，您好：`, "", `${p.court}案件 ${p.caseNumber} 的状态已变为：${zh}。`, url], [`Dear ${p.name},`, "", `Case ${p.caseNumber} at ${p.court} is now ${p.status}.`, url], c.publicUrl),
    };
  },
  "hearing-update": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/cases/${p.caseId}`;
    const when = p.startsAt ? time(p.startsAt) : "";
    const zh: Record<typeof p.event, string> = {
      scheduled: `${p.court}已安排案件 ${p.caseNumber} 的${p.kind}：${when}，${p.place}。`,
      offered: `${p.court}为案件 ${p.caseNumber} 的${p.kind}提供了可选时间，请在平台上选择。`,
      chosen: `案件 ${p.caseNumber} 的${p.kind}时间已选定：${when}，${p.place}。`,
      rescheduled: `案件 ${p.caseNumber} 的${p.kind}已改期：${when ? `${when}，` : "请选择新的时间，"}${p.place}。`,
      cancelled: `案件 ${p.caseNumber} 原定 ${when} 的${p.kind}已取消。`,
      confirmed: `${p.party ?? ""}已确认出席案件 ${p.caseNumber} 的${p.kind}（${when}）。`,
      "reschedule-requested": `${p.party ?? ""}申请将案件 ${p.caseNumber} 的${p.kind}（${when}）改期。`,
    };
    const en: Record<typeof p.event, string> = {
      scheduled: `${p.court} scheduled a ${p.kind} in case ${p.caseNumber}: ${when}, ${p.place}.`,
      offered: `${p.court} offered times for a ${p.kind} in case ${p.caseNumber}: choose one on the platform.`,
      chosen: `The ${p.kind} in case ${p.caseNumber} is fixed: ${when}, ${p.place}.`,
      rescheduled: `The ${p.kind} in case ${p.caseNumber} was rescheduled: ${when ? `${when}, ` : "choose a new time, "}${p.place}.`,
      cancelled: `The ${p.kind} in case ${p.caseNumber} on ${when} was cancelled.`,
      confirmed: `${p.party ?? ""} confirmed attendance at the ${p.kind} in case ${p.caseNumber} (${when}).`,
      "reschedule-requested": `${p.party ?? ""} asked to reschedule the ${p.kind} in case ${p.caseNumber} (${when}).`,
    };
    const reason = p.reason ? [`理由 Reason: ${p.reason}`] : [];
    return {
      subject: `庭审通知 Hearing: ${p.caseNumber}`,
      text: bilingual([`${p.name}，您好：`, "", zh[p.event], ...reason, url], [`Dear ${p.name},`, "", en[p.event], ...reason, url], c.publicUrl),
    };
  },
  "address-confirmed": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/cases/${p.caseId}`;
    return {
      subject: `送达地址确认 Addresses for service confirmed: ${p.caseNumber}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `${p.party}在${p.court}案件 ${p.caseNumber} 中提交了送达地址确认书（${time(p.confirmedAt)}），${p.consent ? "同意电子送达" : "不同意电子送达"}。`, url],
        [`Dear ${p.name},`, "", `${p.party} confirmed its addresses for service in case ${p.caseNumber} (${time(p.confirmedAt)}) and ${p.consent ? "consents" : "does not consent"} to electronic service.`, url],
        c.publicUrl,
      ),
    };
  },
  "address-service": (p, c) => {
    const url = serviceLinkUrl(c, p.deliveryId);
    return {
      subject: `法院文书电子送达 Court document served: ${p.caseNumber}`,
      text: bilingual(
        [
          "您好：",
          "",
          `${p.court}在案件 ${p.caseNumber} 中向${p.party}送达了文书《${p.title}》（${time(p.servedAt)}），送达至${p.party}在送达地址确认书中确认的本电子邮箱。`,
          "请打开以下链接查看文书。首次打开即产生送达回执，回执锚定上链：",
          url,
        ],
        [
          "Hello,",
          "",
          `${p.court} served "${p.title}" on ${p.party} in case ${p.caseNumber} (${time(p.servedAt)}), at this address, which ${p.party} confirmed for service.`,
          "Open the document with this link. The first opening records a delivery receipt, anchored on chain:",
          url,
        ],
        c.publicUrl,
      ),
    };
  },
  "mediation-status": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/mediations/${p.mediationId}`;
    const zh =
      {
        proposed: "法院建议先行诉前调解，请您决定是否同意",
        requested: "起诉人申请诉前调解",
        in_progress: "诉前调解已开始",
        assigned: "已指派调解员",
        agreement: "调解协议已起草，待当事人签署",
        agreed: "调解协议已由各方签署，待司法确认",
        confirmed: "调解协议已经法院司法确认",
        failed: "调解不成，立案申请转回法院审查",
      }[p.event] ?? p.event;
    const en =
      {
        proposed: "the court proposes pre-litigation mediation first; please accept or decline",
        requested: "the filer asks for pre-litigation mediation",
        in_progress: "pre-litigation mediation has started",
        assigned: "a mediator has been assigned",
        agreement: "the mediation agreement is drafted and awaits the parties' signatures",
        agreed: "every party signed the mediation agreement; it awaits judicial confirmation",
        confirmed: "the court confirmed the mediation agreement",
        failed: "the mediation failed; the filing goes back to the court for review",
      }[p.event] ?? p.event;
    return {
      subject: `诉前调解 Mediation "${p.title}": ${p.event}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `${p.court}立案申请《${p.title}》：${zh}。`, ...(p.reason ? [`理由：${p.reason}`] : []), url],
        [`Dear ${p.name},`, "", `Filing "${p.title}" to ${p.court}: ${en}.`, ...(p.reason ? [`Reason: ${p.reason}`] : []), url],
        c.publicUrl,
      ),
    };
  },
  "filing-status": (p, c) => {
    const url = `${c.publicUrl}/workspace/#/filings/${p.filingId}`;
    const zh =
      { draft: "草稿", submitted: "已提交，待法院审查", correction_requested: "需补正", accepted: "已立案", rejected: "不予受理", mediation: "诉前调解中", mediated: "调解结案" }[p.status] ??
      p.status;
    const en = { correction_requested: "asked for corrections", mediation: "in pre-litigation mediation" }[p.status] ?? p.status;
    const zhMore = [
      ...(p.caseNumber ? [`案号：${p.caseNumber}`] : []),
      ...(p.reason ? [`理由：${p.reason}`] : []),
      ...(p.deadline ? [`补正期限：${time(p.deadline)}`] : []),
    ];
    const enMore = [
      ...(p.caseNumber ? [`Case number: ${p.caseNumber}`] : []),
      ...(p.reason ? [`Reason: ${p.reason}`] : []),
      ...(p.deadline ? [`Resubmit by: ${time(p.deadline)}`] : []),
    ];
    return {
      subject: `网上立案 Filing "${p.title}": ${p.status}`,
      text: bilingual(
        [`${p.name}，您好：`, "", `您向${p.court}提交的立案申请《${p.title}》状态已变为：${zh}。`, ...zhMore, url],
        [`Dear ${p.name},`, "", `Your filing "${p.title}" to ${p.court} is now ${en}.`, ...enMore, url],
        c.publicUrl,
      ),
    };
  },
};

export function renderMail<T extends MailTemplate>(template: T, params: TemplateParams[T], c: RenderContext): RenderedMail {
  const render = RENDERERS[template] as Renderer<T> | undefined;
  if (!render) throw new Error(`no mail template '${template}'`);
  return render(params, c);
}
