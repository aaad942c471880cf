// What contracts and cases tell people by mail, on the embedded default (no SMTP_URL: each message
// is an .eml file under DATA_DIR/outbox, read here as a mail client would): a signer without an
// account is invited, sets a password, lands on the signing page and signs with the code mailed to
// them; declines and voids reach those who signed; reminders and expiry warnings go once; a
// representative named by e-mail lands on the case; a served document's notice links the inbox.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { codeIn, linkIn, outboxMail, waitForMail } from "../helpers/outbox-mail";

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

const NDA = {
  partyA: { name: "甲科技有限公司" },
  partyB: { name: "乙贸易有限公司" },
  purpose: "评估合作项目 evaluating a joint project",
  effectiveDate: "2026-12-01",
  term: "三年 three years",
};
const PASSWORD = "a-long-password-1";

describe("the way in: contract and case notices by mail (embedded outbox)", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let sender: { id: string; email: string; token: string };
  let signer: { id: string; email: string; token: string };

  const draft = async (signers: unknown[], title = "保密协议 NDA") =>
    json(await tp.api("POST", "/api/contracts", { token: sender.token, json: { title, template: { id: "nda", fields: NDA }, signers } }), 201);
  const send = async (id: string, body: object = {}) => json(await tp.api("POST", `/api/contracts/${id}/send`, { token: sender.token, json: body }), 200);
  const accountToken = (text: string) => /\/workspace\/#\/welcome\/(acl_[A-Za-z0-9_-]{43})/.exec(text)![1];
  const signPath = (sent: any, userId: string) => new URL(sent.invitations.find((i: any) => i.userId === userId).url).pathname;

  before(async () => {
    tp = await startTestPlatform();
    sender = await tp.createUser("member");
    signer = await tp.createUser("member");
  });
  after(async () => tp?.stop());

  it("a signer who has no account: invited when the contract is sent, sets a password, lands on the signing page, gets the code by mail and signs; everyone hears of completion", async () => {
    const c = await draft([{ email: "newcomer@example.com", name: "新来的", step: 1, role: "乙方" }]);
    expect(c.signers[0]).to.include({ name: "新来的", codeDelivery: "email" });
    const pending = (await json(await tp.api("GET", "/api/users?status=pending", { token: tp.adminToken }), 200)).users.find((u: any) => u.email === "newcomer@example.com");
    expect(pending).to.include({ status: "pending", role: "member" });
    // nothing is mailed for a draft
    expect((await outboxMail(tp.dataDir)).filter((m) => m.to.includes("newcomer@example.com"))).to.have.length(0);
    const sent = await send(c.id);
    const [invite] = await waitForMail(tp.dataDir, "newcomer@example.com", /Please sign/);
    expect(invite.text).to.contain("保密协议 NDA");
    const accepted = await json(await tp.api("POST", `/api/account-links/${accountToken(invite.text)}/accept`, { json: { password: PASSWORD } }), 200);
    expect(accepted.landing.kind).to.equal("sign");
    expect(`${tp.config.PUBLIC_URL}${accepted.landing.url}`).to.equal(sent.invitations[0].signUrl);
    const token = accepted.token;
    const link = signPath(sent, pending.id);
    expect((await json(await tp.api("GET", link, { token }), 200)).yourTurn).to.equal(true);
    await json(await tp.api("POST", `${link}/code`, { token }), 201);
    const [codeMail] = await waitForMail(tp.dataDir, "newcomer@example.com", /签署验证码/);
    const done = await json(await tp.api("POST", `${link}/sign`, { token, json: { code: codeIn(codeMail) } }), 200);
    expect(done.contract.status).to.equal("completed");
    for (const to of [sender.email, "newcomer@example.com"]) {
      const [m] = await waitForMail(tp.dataDir, to, /Contract completed/);
      expect(m.text).to.contain(done.contract.document.sha256);
    }
  });

  it("a decline reaches the sender and those who had signed; a void reaches those who had signed; nobody else", async () => {
    const third = await tp.createUser("member");
    const c = await draft(
      [
        { userId: signer.id, step: 1, codeDelivery: "out-of-band" },
        { userId: third.id, step: 2 },
      ],
      "采购合同 Purchase",
    );
    const sent = await send(c.id);
    // the step-2 signer is not told before their step opens
    expect((await outboxMail(tp.dataDir)).filter((m) => m.to.includes(third.email.toLowerCase()))).to.have.length(0);
    const code = (await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${sent.invitations[0].signerId}/code`, { token: sender.token }), 201)).code;
    await json(await tp.api("POST", `${signPath(sent, signer.id)}/sign`, { token: signer.token, json: { code } }), 200);
    const [turn] = await waitForMail(tp.dataDir, third.email, /Your turn to sign: 采购合同/);
    expect(linkIn(turn, "/sign/#token=")).to.equal(sent.invitations[1].signUrl);
    await json(await tp.api("POST", `${signPath(sent, third.id)}/decline`, { token: third.token, json: { reason: "价格不合适 the price is wrong" } }), 200);
    for (const to of [sender.email, signer.email]) {
      const [m] = await waitForMail(tp.dataDir, to, /Contract declined: 采购合同/);
      expect(m.text).to.contain("价格不合适 the price is wrong");
    }
    expect((await outboxMail(tp.dataDir)).filter((m) => /Contract declined/.test(m.subject) && m.to.includes(third.email.toLowerCase()))).to.have.length(0);

    const v = await draft([{ userId: signer.id, step: 1, codeDelivery: "out-of-band" }, { userId: third.id, step: 2 }], "租赁合同 Lease");
    const vs = await send(v.id);
    const vcode = (await json(await tp.api("POST", `/api/contracts/${v.id}/signers/${vs.invitations[0].signerId}/code`, { token: sender.token }), 201)).code;
    await json(await tp.api("POST", `${signPath(vs, signer.id)}/sign`, { token: signer.token, json: { code: vcode } }), 200);
    await json(await tp.api("POST", `/api/contracts/${v.id}/void`, { token: sender.token, json: { reason: "改用新模板 a new template" } }), 200);
    const [voided] = await waitForMail(tp.dataDir, signer.email, /Contract voided: 租赁合同/);
    expect(voided.text).to.contain("改用新模板 a new template");
    await new Promise((r) => setTimeout(r, 300));
    expect((await outboxMail(tp.dataDir)).filter((m) => /Contract voided/.test(m.subject) && !m.to.includes(signer.email.toLowerCase()))).to.have.length(0);
  });

  it("reminders at the sender's interval and one warning before expiry, each sent once however often the sweep runs", async () => {
    const c = await draft([{ userId: signer.id, step: 1 }], "提醒合同 Reminders");
    await send(c.id, { reminderIntervalHours: 24, expiresInDays: 3 });
    const contracts = tp.platform.contracts;
    const at = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);
    try {
      contracts.clock = at(1);
      expect(await contracts.sweepReminders()).to.deep.include({ reminders: 0 });
      contracts.clock = at(25);
      expect((await contracts.sweepReminders()).reminders).to.equal(1);
      expect((await contracts.sweepReminders()).reminders).to.equal(0);
      await Promise.all([contracts.sweepReminders(), contracts.sweepReminders()]);
      const [first] = await waitForMail(tp.dataDir, signer.email, /Reminder: please sign 提醒合同/);
      expect(first.text).to.contain("第 1 次提醒");
      contracts.clock = at(49);
      const second = await contracts.sweepReminders();
      expect(second.reminders).to.equal(1);
      // 49 h after sending, the 3-day contract is within the 24 h warning: signer and sender hear once
      expect(second.warnings).to.equal(1);
      expect((await contracts.sweepReminders()).warnings).to.equal(0);
      expect(await waitForMail(tp.dataDir, signer.email, /Reminder: please sign 提醒合同/, { count: 2 })).to.have.length(2);
      await waitForMail(tp.dataDir, signer.email, /Expiring soon: 提醒合同/);
      await waitForMail(tp.dataDir, sender.email, /Expiring soon: 提醒合同/);
      await new Promise((r) => setTimeout(r, 300));
      expect((await outboxMail(tp.dataDir)).filter((m) => /Reminder: please sign 提醒合同/.test(m.subject))).to.have.length(2);
    } finally {
      contracts.clock = () => new Date();
    }
  });

  it("a case: a representative named by e-mail is invited and lands on the case; a served document's notice links the inbox and carries no document", async () => {
    const judge = await tp.createUser("judge");
    const lawyer = await tp.createUser("lawyer");
    const opened = await json(
      await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: {
          number: "（2026）闽0102民初88号",
          court: "某区人民法院",
          causeOfAction: "买卖合同纠纷",
          parties: [
            { name: "甲公司", kind: "plaintiff", members: [lawyer.id] },
            { name: "乙公司", kind: "defendant", invite: [{ email: "counsel@example.com", name: "乙方律师" }] },
          ],
        },
      }),
      201,
    );
    const [told] = await waitForMail(tp.dataDir, lawyer.email, /You act for a party/);
    expect(told.text).to.contain(`/workspace/#/cases/${opened.id}`);
    const [invite] = await waitForMail(tp.dataDir, "counsel@example.com", /Your account invitation/);
    expect(invite.text).to.contain("乙公司");
    const accepted = await json(await tp.api("POST", `/api/account-links/${accountToken(invite.text)}/accept`, { json: { password: PASSWORD } }), 200);
    expect(accepted.landing).to.deep.include({ kind: "case", url: `/workspace/#/cases/${opened.id}` });
    const seen = await json(await tp.api("GET", `/api/cases/${opened.id}`, { token: accepted.token }), 200);
    expect(seen.you.relation).to.equal("party");
    // served on the defendant: its representative is told, with the inbox's address only
    const form = new FormData();
    form.append("title", "开庭传票 Summons");
    form.append("party", seen.parties[1].id);
    form.append("file", new Blob([Buffer.from("SECRET-DOCUMENT-CONTENT")]), "summons.pdf");
    await json(await tp.api("POST", `/api/cases/${opened.id}/services`, { token: judge.token, body: form }), 201);
    const [served] = await waitForMail(tp.dataDir, "counsel@example.com", /Court document served/);
    expect(served.text).to.contain("开庭传票 Summons");
    expect(linkIn(served, "/workspace/#/inbox")).to.equal(`${tp.config.PUBLIC_URL}/workspace/#/inbox`);
    expect(served.text).not.to.contain("SECRET-DOCUMENT-CONTENT");
    // a representative added later by e-mail of an existing account is told too
    const other = await tp.createUser("lawyer");
    await json(await tp.api("POST", `/api/cases/${opened.id}/parties/${seen.parties[0].id}/lawyers`, { token: judge.token, json: { email: other.email, name: "ignored" } }), 201);
    await waitForMail(tp.dataDir, other.email, /You act for a party/);
    await json(await tp.api("POST", `/api/cases/${opened.id}/close`, { token: judge.token }), 200);
    await waitForMail(tp.dataDir, "counsel@example.com", /Case .*: closed/);
  });
});
