// Every text of the signing page, in Chinese (the default) and English. Static labels are named in
// the HTML by data-i18n; messages with values are functions of their parameters. The API's error
// codes have their own sentences here (err.<code>); its English messages are shown only for codes
// this page does not know.

import { translator } from "./lang.mjs";

export const LANGS = { zh: "zh-CN", en: "en" };

const zh = {
  "doc.title": "签署合同",
  "brand": "电子证据存证平台",
  "lang.group": "界面语言",
  "title": "签署合同",
  "intro": "您收到了一份合同的签署邀请。登录后可以阅读合同、查看您的签署位置和签署顺序，输入发起方提供的一次性验证码后签署，或填写理由后拒签。",
  "skip": "跳到主要内容",

  "user.signedIn": (p) => `已登录：${p.name}（${p.email}）`,
  "logout": "退出登录",

  "link.title": "打开签署邀请",
  "link.intro": "本页地址中没有签署邀请。请粘贴您收到的邀请链接。",
  "link.label": "邀请链接",
  "link.submit": "打开",
  "link.bad": "这不是有效的签署邀请链接，请完整复制您收到的链接。",

  "login.title": "登录",
  "login.intro": "请使用接收此邀请的账号登录。",
  "login.email": "电子邮箱",
  "login.password": "密码",
  "login.submit": "登录",
  "login.busy": "正在登录…",
  "login.failed": "邮箱或密码错误。",

  "loading": "正在载入…",
  "field.sender": "发起方",
  "field.you": "签署人",
  "field.role": "签署身份",
  "field.step": "签署顺序",
  "field.status": "合同状态",
  "field.deadline": "签署截止时间",
  "field.invitationExpires": "邀请有效期至",
  "field.sha256": "当前文档 SHA-256",
  "step": (p) => `第 ${p.step} 步`,
  "individual": "个人",

  "status.draft": "草稿",
  "status.in_progress": "签署中",
  "status.completed": "已完成",
  "status.declined": "已拒签",
  "status.voided": "已作废",
  "status.expired": "已过期",

  "turn.yours": "轮到您签署",
  "turn.yoursHint": "请阅读合同，确认签署位置，然后输入一次性验证码签署；如不同意，可以填写理由拒签。",
  "turn.waiting": (p) => `尚未轮到您签署：正在等待第 ${p.open} 步的签署人（还差 ${p.missing} 人）`,
  "turn.waitingHint": (p) => `您在第 ${p.step} 步签署。前一步全部签署后即可签署；现在可以先阅读合同。`,

  "doc.heading": "合同文本",
  "doc.frame": "合同 PDF",
  "doc.loading": "正在载入合同…",
  "doc.download": "下载合同（PDF）",
  "doc.hint": "合同显示在浏览器自带的 PDF 阅读器中。如果没有显示，请下载后用 PDF 阅读器打开。",

  "where.title": "签署位置",
  "where.field": (p) => `第 ${p.page} 页，${p.area}`,
  "where.fieldNoArea": (p) => `第 ${p.page} 页`,
  "where.exact": (p) => `签章框距页面左下角 x ${p.x} pt、y ${p.y} pt，大小 ${p.w} × ${p.h} pt；签署后您的签章（姓名、单位、时间）显示在此处。`,
  "where.show": (p) => `在阅读器中转到第 ${p.page} 页`,
  "where.map": (p) => `第 ${p.page} 页示意图：深色方框是您的签署位置，浅色方框是其他签署人的位置。`,
  "area.top-left": "左上方",
  "area.top-center": "上方居中",
  "area.top-right": "右上方",
  "area.middle-left": "中部左侧",
  "area.middle-center": "页面中部",
  "area.middle-right": "中部右侧",
  "area.bottom-left": "左下方",
  "area.bottom-center": "下方居中",
  "area.bottom-right": "右下方",

  "signers.title": "签署顺序与进度",
  "signers.intro": "签署人按步骤依次签署；同一步骤的签署人可以同时签署，前一步全部签署后下一步才开始。",
  "signer.you": "（您）",
  "signer.pending": "待签署",
  "signer.signed": "已签署",
  "signer.declined": "已拒签",
  "signer.current": "当前步骤",
  "signer.signedAt": (p) => `签署于 ${p.time}`,

  "sign.title": "签署",
  "sign.code": "一次性验证码",
  "sign.codeHint": "6 位数字，由合同发起方通过电话、短信或当面告知您；10 分钟内有效，最多可尝试 5 次。",
  "sign.codeNotIssued": "发起方尚未为您生成验证码：请联系发起方索取，拿到后在此输入。",
  "sign.consent": "点击“确认签署”，即以您本人的数字证书对本合同进行签名（PAdES 签名，附可信时间戳），签章将显示在上述签署位置。",
  "sign.submit": "确认签署",
  "sign.busy": "正在签署：生成数字签名与时间戳…",
  "sign.codeFormat": "请输入 6 位数字验证码。",
  "sign.disabled": "现在还不能签署。",

  "decline.title": "拒签",
  "decline.reason": "拒签理由（必填）",
  "decline.hint": "拒签后合同即告终止，其他签署人不能再签署。理由将记入合同的签署记录。",
  "decline.submit": "拒签",
  "decline.busy": "正在提交拒签…",
  "decline.reasonRequired": "请填写拒签理由。",

  "done.signed": "签署成功",
  "done.signedHint": "您的数字签名已加入合同，签署前的内容和其他签名不受影响。签署后文档的 SHA-256：",
  "done.completed": "所有签署人均已签署，合同已完成。签署完成证明已生成，合同将在区块链上存证。",
  "done.next": (p) => `正在等待其余签署人签署（第 ${p.step} 步）。`,
  "done.downloadSigned": "下载已签署的合同（PDF）",
  "done.downloadCertificate": "下载签署完成证明（PDF）",
  "done.verify": "在核验页面查询此合同的存证",
  "done.declined": "您已拒签，合同已终止。",
  "done.reason": (p) => `拒签理由：${p.reason}`,

  "err.title": "无法继续",
  "err.unauthorized": "登录已失效，请重新登录。",
  "err.invalid_credentials": "邮箱或密码错误。",
  "err.not_found": "找不到这个签署邀请。请检查链接是否完整，或联系发起方。",
  "err.forbidden": "这个邀请是发给另一位签署人的。请退出登录，再用接收此邀请的账号登录。",
  "err.invitation_revoked": "这个邀请链接已被新的链接取代，请使用发起方最新发送的链接。",
  "err.invitation_used": "这个邀请已经使用过（您已签署或拒签），不能再次使用。",
  "err.invitation_expired": "这个邀请已过期，请联系发起方重新发送。",
  "err.contract_completed": "合同已完成签署。",
  "err.contract_declined": "合同已被拒签，已终止。",
  "err.contract_voided": "合同已被发起方作废。",
  "err.contract_expired": "合同已过签署截止时间，已终止。",
  "err.contract_closed": "合同已不在签署中。",
  "err.not_your_turn": "尚未轮到您签署。",
  "err.code_not_issued": "发起方尚未生成验证码，请联系发起方索取。",
  "err.code_expired": "验证码已过期，请向发起方索取新的验证码。",
  "err.wrong_code": (p) => (p.left ? `验证码错误，还可以尝试 ${p.left} 次。` : "验证码错误，尝试次数已用完，请向发起方索取新的验证码。"),
  "err.code_locked": "错误次数过多，验证码已失效，请向发起方索取新的验证码。",
  "err.platform_key_required": "您当前证书的私钥由您自行保管，而合同签署需要由平台托管私钥的证书。请联系管理员。",
  "err.busy": "其他签署人正在签署，请稍后重试。",
  "err.already_signed": "您已签署过这份合同。",
  "err.already_declined": "您已拒签这份合同。",
  "err.rate_limited": "请求过于频繁，请稍后再试。",
  "err.network": (p) => `无法连接服务器：${p.message}`,
  "err.other": (p) => `操作失败（${p.code}）：${p.message}`,
};

const en = {
  "doc.title": "Sign a contract",
  "brand": "Evidence anchoring platform",
  "lang.group": "Language",
  "title": "Sign a contract",
  "intro": "You have been invited to sign a contract. Log in to read it, see where and in which order you sign, then sign with the one-time code the sender gives you, or decline with a reason.",
  "skip": "Skip to the main content",

  "user.signedIn": (p) => `Logged in as ${p.name} (${p.email})`,
  "logout": "Log out",

  "link.title": "Open an invitation",
  "link.intro": "This page's address holds no invitation. Paste the invitation link you received.",
  "link.label": "Invitation link",
  "link.submit": "Open",
  "link.bad": "This is not a signing invitation link: copy the whole link you received.",

  "login.title": "Log in",
  "login.intro": "Log in with the account this invitation was sent to.",
  "login.email": "Email",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.busy": "Logging in…",
  "login.failed": "Wrong email or password.",

  "loading": "Loading…",
  "field.sender": "Sender",
  "field.you": "Signer",
  "field.role": "Signing as",
  "field.step": "Order",
  "field.status": "Contract status",
  "field.deadline": "Signing deadline",
  "field.invitationExpires": "Invitation valid until",
  "field.sha256": "Current document SHA-256",
  "step": (p) => `Step ${p.step}`,
  "individual": "Individual",

  "status.draft": "Draft",
  "status.in_progress": "In progress",
  "status.completed": "Completed",
  "status.declined": "Declined",
  "status.voided": "Voided",
  "status.expired": "Expired",

  "turn.yours": "It is your turn to sign",
  "turn.yoursHint": "Read the contract and check where you sign, then enter the one-time code to sign; if you do not agree, decline with a reason.",
  "turn.waiting": (p) => `Not your turn yet: waiting for step ${p.open} (${p.missing} signature${p.missing === 1 ? "" : "s"} missing)`,
  "turn.waitingHint": (p) => `You sign in step ${p.step}, once every signer of the step before has signed. You can read the contract now.`,

  "doc.heading": "The contract",
  "doc.frame": "Contract PDF",
  "doc.loading": "Loading the contract…",
  "doc.download": "Download the contract (PDF)",
  "doc.hint": "The contract is shown in the browser's own PDF viewer. If it does not appear, download it and open it in a PDF reader.",

  "where.title": "Where you sign",
  "where.field": (p) => `Page ${p.page}, ${p.area}`,
  "where.fieldNoArea": (p) => `Page ${p.page}`,
  "where.exact": (p) => `The stamp box is ${p.x} pt from the left and ${p.y} pt from the bottom of the page, ${p.w} × ${p.h} pt; once you sign, your stamp (name, organisation, time) appears there.`,
  "where.show": (p) => `Go to page ${p.page} in the viewer`,
  "where.map": (p) => `Sketch of page ${p.page}: the dark box is where you sign, light boxes are other signers' places.`,
  "area.top-left": "top left",
  "area.top-center": "top centre",
  "area.top-right": "top right",
  "area.middle-left": "middle left",
  "area.middle-center": "middle of the page",
  "area.middle-right": "middle right",
  "area.bottom-left": "bottom left",
  "area.bottom-center": "bottom centre",
  "area.bottom-right": "bottom right",

  "signers.title": "Signing order and progress",
  "signers.intro": "Signers sign step by step; signers of one step may sign at the same time, and a step opens once every signer of the step before has signed.",
  "signer.you": " (you)",
  "signer.pending": "Pending",
  "signer.signed": "Signed",
  "signer.declined": "Declined",
  "signer.current": "Current step",
  "signer.signedAt": (p) => `signed ${p.time}`,

  "sign.title": "Sign",
  "sign.code": "One-time code",
  "sign.codeHint": "6 digits, given to you by the contract's sender by phone, text message or in person; valid 10 minutes, 5 attempts.",
  "sign.codeNotIssued": "The sender has not issued a code for you yet: ask them for one, then enter it here.",
  "sign.consent": "“Sign” signs this contract with your own digital certificate (a PAdES signature with a trusted timestamp); your stamp appears in the place shown above.",
  "sign.submit": "Sign",
  "sign.busy": "Signing: making the digital signature and its timestamp…",
  "sign.codeFormat": "Enter the 6-digit code.",
  "sign.disabled": "You cannot sign now.",

  "decline.title": "Decline",
  "decline.reason": "Reason for declining (required)",
  "decline.hint": "Declining ends the contract: no one else can sign it. Your reason is kept in the contract's record.",
  "decline.submit": "Decline",
  "decline.busy": "Declining…",
  "decline.reasonRequired": "Give a reason for declining.",

  "done.signed": "Signed",
  "done.signedHint": "Your digital signature has been added to the contract; the content before it and the other signatures are unchanged. SHA-256 of the document after your signature:",
  "done.completed": "Every signer has signed: the contract is completed. Its completion certificate is ready, and the contract will be anchored on the blockchain.",
  "done.next": (p) => `Waiting for the remaining signers (step ${p.step}).`,
  "done.downloadSigned": "Download the signed contract (PDF)",
  "done.downloadCertificate": "Download the completion certificate (PDF)",
  "done.verify": "Look this contract up on the verification page",
  "done.declined": "You declined: the contract has ended.",
  "done.reason": (p) => `Reason: ${p.reason}`,

  "err.title": "Cannot continue",
  "err.unauthorized": "Your login has expired: log in again.",
  "err.invalid_credentials": "Wrong email or password.",
  "err.not_found": "This invitation was not found. Check that the link is complete, or ask the sender.",
  "err.forbidden": "This invitation was sent to another signer. Log out, then log in with the account it was sent to.",
  "err.invitation_revoked": "This link was replaced by a newer one: use the link the sender sent last.",
  "err.invitation_used": "This invitation has been used (you signed or declined) and cannot be used again.",
  "err.invitation_expired": "This invitation has expired: ask the sender for a new one.",
  "err.contract_completed": "The contract has been completed.",
  "err.contract_declined": "The contract was declined and has ended.",
  "err.contract_voided": "The sender voided the contract.",
  "err.contract_expired": "The contract passed its signing deadline and has ended.",
  "err.contract_closed": "The contract is no longer in progress.",
  "err.not_your_turn": "It is not your turn to sign yet.",
  "err.code_not_issued": "The sender has not issued a code yet: ask them for one.",
  "err.code_expired": "The one-time code has expired: ask the sender for a new one.",
  "err.wrong_code": (p) => (p.left ? `Wrong one-time code: ${p.left} attempt${p.left === 1 ? "" : "s"} left.` : "Wrong one-time code, no attempts left: ask the sender for a new one."),
  "err.code_locked": "Too many wrong codes: the code no longer works. Ask the sender for a new one.",
  "err.platform_key_required": "Your current certificate's key is held by you; contract signatures need a certificate whose key the platform holds. Ask an administrator.",
  "err.busy": "Others are signing right now: try again in a moment.",
  "err.already_signed": "You have already signed this contract.",
  "err.already_declined": "You have already declined this contract.",
  "err.rate_limited": "Too many requests: try again later.",
  "err.network": (p) => `Cannot reach the server: ${p.message}`,
  "err.other": (p) => `Failed (${p.code}): ${p.message}`,
};

export const MESSAGES = { zh, en };

/** The text of a key in a language; a function entry is called with params. */
export const translate = translator(MESSAGES);

/** The sentence for an API error {status, code, message}: known codes are translated, others quoted. */
export function errorText(lang, error) {
  const code = error?.code ?? "network";
  if (code === "wrong_code") {
    const m = /\((\d+) attempts? left\)/.exec(error.message ?? "");
    return translate(lang, "err.wrong_code", { left: m ? Number(m[1]) : 0 });
  }
  if (code === "network") return translate(lang, "err.network", { message: error?.message ?? "" });
  const key = "err." + code;
  if (MESSAGES.en[key] !== undefined) return translate(lang, key);
  return translate(lang, "err.other", { code, message: error?.message ?? "" });
}
