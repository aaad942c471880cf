// Reminders and the expiry warning, with the service's clock moved forward: a signer whose turn it
// is is reminded at the sender's interval and warned once before the deadline (here 48 h); a signer
// whose step has not opened hears nothing, one who has signed hears no more; two workers sweeping
// the same database at once (two connections, as two instances) send each message once. The
// sender sees each reminder and warning and when it went; a signer and anyone else do not. On
// SQLite (one instance by design: better-sqlite3 blocks the thread while it waits for a lock, so two
// writing connections in one process would wait on each other) the second worker shares the
// platform's connection and races it between awaits.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { outboxMail, waitForMail } from "../helpers/outbox-mail";
import { openDatabase, type Database } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { ContractReminders } from "../../server/contracts/reminders";
import { testDbKind } from "../helpers/database";

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

const NDA = { partyA: { name: "甲科技有限公司" }, partyB: { name: "乙贸易有限公司" }, purpose: "评估合作", effectiveDate: "2026-12-01", term: "三年" };
const HOUR = 3_600_000;

describe("contract reminders and the expiry warning (the outbox, a moved clock, two workers)", function () {
  this.timeout(300_000);
  let tp: TestPlatform;
  let second: Database | null = null;
  let sender: { id: string; email: string; token: string };
  let first: { id: string; email: string; token: string };
  let later: { id: string; email: string; token: string };
  let outsider: { id: string; email: string; token: string };
  let hours = 0;
  const clock = () => new Date(Date.now() + hours * HOUR);

  before(async () => {
    tp = await startTestPlatform({ CONTRACT_EXPIRY_WARNING_HOURS: "48", CONTRACT_INVITATION_TTL_HOURS: "720", REMINDER_SWEEP_MS: "3600000" });
    if (testDbKind() === "postgresql") second = await openDatabase(resolveDbTarget(tp.config.DATABASE_URL, tp.dataDir));
    sender = await tp.createUser("member");
    first = await tp.createUser("member");
    later = await tp.createUser("member");
    outsider = await tp.createUser("member");
    tp.platform.contracts.clock = clock;
  });
  after(async () => {
    await second?.close();
    await tp?.stop();
  });

  it("at the interval, warned once, nothing after signing, nothing twice from two workers; the sender sees each", async () => {
    const other = new ContractReminders(second?.db ?? tp.platform.database.db, { now: clock, warningHours: 48 });
    const contracts = tp.platform.contracts;
    /** Both workers at once; what they sent together. */
    const sweep = async (at: number) => {
      hours = at;
      const [a, b] = await Promise.all([contracts.sweepReminders(), other.sweep()]);
      return { reminders: a.reminders + b.reminders, warnings: a.warnings + b.warnings };
    };
    const c = await json(
      await tp.api("POST", "/api/contracts", {
        token: sender.token,
        json: { title: "提醒测试 Follow-up test", template: { id: "nda", fields: NDA }, signers: [{ userId: first.id, step: 1, codeDelivery: "out-of-band" }, { userId: later.id, step: 2 }] },
      }),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${c.id}/send`, { token: sender.token, json: { expiresInDays: 5, reminderIntervalHours: 24 } }), 200);

    expect(await sweep(1)).to.deep.equal({ reminders: 0, warnings: 0 });
    expect(await sweep(25)).to.deep.equal({ reminders: 1, warnings: 0 });
    expect(await sweep(26)).to.deep.equal({ reminders: 0, warnings: 0 });
    expect(await sweep(49)).to.deep.equal({ reminders: 1, warnings: 0 });
    // 120 h deadline, 48 h warning: from 72 h on
    expect(await sweep(73)).to.deep.equal({ reminders: 1, warnings: 1 });
    expect(await sweep(74)).to.deep.equal({ reminders: 0, warnings: 0 });
    const reminded = await waitForMail(tp.dataDir, first.email, /Reminder: please sign 提醒测试/, { count: 3 });
    expect(reminded.map((m) => /第 (\d) 次提醒/.exec(m.text)?.[1]).sort()).to.deep.equal(["1", "2", "3"]);
    await waitForMail(tp.dataDir, first.email, /Expiring soon: 提醒测试/);
    await waitForMail(tp.dataDir, sender.email, /Expiring soon: 提醒测试/);
    // the step-2 signer's turn has not come: not a word
    expect((await outboxMail(tp.dataDir)).filter((m) => m.to.includes(later.email.toLowerCase()))).to.have.length(0);

    // The first signer signs (at 74 h): their reminders stop; the second step opens and counts from now.
    const code = (await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${sent.invitations[0].signerId}/code`, { token: sender.token }), 201)).code;
    await json(await tp.api("POST", `${new URL(sent.invitations[0].url).pathname}/sign`, { token: first.token, json: { code } }), 200);
    await waitForMail(tp.dataDir, later.email, /Your turn to sign: 提醒测试/);
    expect(await sweep(90)).to.deep.equal({ reminders: 0, warnings: 1 }); // the second signer's own warning
    expect(await sweep(99)).to.deep.equal({ reminders: 1, warnings: 0 });
    expect(await sweep(100)).to.deep.equal({ reminders: 0, warnings: 0 });
    await waitForMail(tp.dataDir, later.email, /Reminder: please sign 提醒测试/);
    await waitForMail(tp.dataDir, later.email, /Expiring soon: 提醒测试/);

    // Each message once, whatever two workers did (the mail worker has had time for any extra).
    await new Promise((r) => setTimeout(r, 500));
    const all = (await outboxMail(tp.dataDir)).filter((m) => m.subject.includes("提醒测试"));
    const count = (to: string, re: RegExp) => all.filter((m) => m.to.includes(to.toLowerCase()) && re.test(m.subject)).length;
    expect(count(first.email, /Reminder: please sign/)).to.equal(3);
    expect(count(first.email, /Expiring soon/)).to.equal(1);
    expect(count(later.email, /Reminder: please sign/)).to.equal(1);
    expect(count(later.email, /Expiring soon/)).to.equal(1);
    expect(count(sender.email, /Expiring soon/)).to.equal(1);

    // The sender sees every reminder and warning, to whom, and when it was queued and sent.
    const detail = await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: sender.token }), 200);
    const reminders = detail.notifications.filter((n: any) => n.template === "contract-reminder");
    expect(reminders.map((n: any) => n.recipientId)).to.deep.equal([first.id, first.id, first.id, later.id]);
    for (const n of reminders) {
      expect(n.status).to.equal("sent");
      expect(Date.parse(n.sentAt)).to.be.at.least(Date.parse(n.createdAt));
    }
    expect(detail.notifications.filter((n: any) => n.template === "contract-expiry-warning").map((n: any) => n.recipientId).sort()).to.deep.equal([first.id, later.id, sender.id].sort());
    // a signer sees the contract but not the mail about it; anyone else gets 404
    expect((await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: later.token }), 200)).notifications).to.equal(undefined);
    expect((await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: outsider.token }), 404)).error.code).to.equal("not_found");
  });

  it("no reminders without an interval, none once the contract has ended; every due one is found however many", async () => {
    hours = 0;
    const draft = (title: string) =>
      tp.api("POST", "/api/contracts", { token: sender.token, json: { title, template: { id: "nda", fields: NDA }, signers: [{ userId: first.id, step: 1 }] } }).then((r) => json(r, 201));
    const quiet = await draft("无提醒 Quiet");
    await json(await tp.api("POST", `/api/contracts/${quiet.id}/send`, { token: sender.token, json: { expiresInDays: 30 } }), 200);
    const voided = await draft("已作废 Voided");
    await json(await tp.api("POST", `/api/contracts/${voided.id}/send`, { token: sender.token, json: { expiresInDays: 30, reminderIntervalHours: 1 } }), 200);
    await json(await tp.api("POST", `/api/contracts/${voided.id}/void`, { token: sender.token, json: { reason: "不再需要 not needed" } }), 200);
    // three that are due, read by a worker one invitation at a time: every page is reached
    const due = [];
    for (const n of [1, 2, 3]) {
      const d = await draft(`到期提醒 Due ${n}`);
      await json(await tp.api("POST", `/api/contracts/${d.id}/send`, { token: sender.token, json: { expiresInDays: 30, reminderIntervalHours: 100 } }), 200);
      due.push(d);
    }
    hours = 200;
    const paged = new ContractReminders(tp.platform.database.db, { now: clock, warningHours: 48, pageSize: 1 });
    expect(await paged.sweep()).to.deep.equal({ reminders: 3, warnings: 0 });
    expect((await tp.platform.contracts.sweepReminders()).reminders).to.equal(0);
    for (const n of [1, 2, 3]) await waitForMail(tp.dataDir, first.email, new RegExp(`Reminder: please sign 到期提醒 Due ${n}`));
    await new Promise((r) => setTimeout(r, 500));
    expect((await outboxMail(tp.dataDir)).filter((m) => /Reminder: please sign (无提醒|已作废)/.test(m.subject))).to.have.length(0);
  });
});
