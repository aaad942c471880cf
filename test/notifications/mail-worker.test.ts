// The mail worker against a real SMTP server on loopback and a real database: what arrives, what
// waits while the server is away, what fails for good, and that two workers send each message once.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { simpleParser } from "mailparser";
import { openDatabase, type Database, type Db } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { LinkSecrets } from "../../server/core/link-token";
import { enqueueMail, type MailInput } from "../../server/notifications/outbox";
import { createMailTransport, emlFileName, type MailTransport } from "../../server/notifications/transport";
import { MailWorker, mailRenderer, type MailWorkerOptions } from "../../server/notifications/worker";
import { NotificationsService } from "../../server/notifications/service";
import { databaseForTest } from "../helpers/database";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp";

const PUBLIC_URL = "https://evidence.example.org";
const secrets = new LinkSecrets(randomBytes(32));
const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const reset = (to: string, name = "Alice"): MailInput<"password-reset"> => ({
  template: "password-reset",
  params: { name, linkId: `link-${randomBytes(4).toString("hex")}`, expiresAt: "2030-01-02T03:04:05.000Z" },
  to,
  topic: "user:u1",
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

describe("mail worker (real SMTP server on loopback)", function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer;
  let dataDir: string;
  let database: Awaited<ReturnType<typeof databaseForTest>>;
  let opened: Database[];
  let db: Db;
  let workers: MailWorker[];
  let transports: MailTransport[];

  const open = async () => {
    const d = await openDatabase(resolveDbTarget(database.databaseUrl, dataDir));
    opened.push(d);
    return d.db;
  };
  const queue = (mails: MailInput[]) => db.$transaction((tx) => enqueueMail(tx, mails));
  const rows = () => db.mailMessage.findMany({ orderBy: { createdAt: "asc" } });
  const worker = (opts: Partial<MailWorkerOptions> = {}, on: Db = db, smtpUrl: string | null = smtp.url) => {
    const transport = createMailTransport({ smtpUrl: smtpUrl ?? undefined, dataDir, publicUrl: PUBLIC_URL });
    transports.push(transport);
    const w = new MailWorker(
      on,
      transport,
      mailRenderer(PUBLIC_URL, secrets),
      { pollMs: 20, leaseMs: 2000, retryMaxMs: 100, maxAttempts: 20, instanceId: `test-${workers.length}`, ...opts },
      silent,
    );
    workers.push(w);
    return w;
  };

  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-mail-"));
    database = await databaseForTest();
    opened = [];
    workers = [];
    transports = [];
    db = await open();
    await smtp.start();
    smtp.messages.length = 0;
    smtp.rejected.clear();
  });
  afterEach(async () => {
    for (const w of workers) await w.stop();
    for (const t of transports) t.close();
    for (const d of opened) await d.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a queued message arrives with its recipient, subject, body and fixed Message-ID", async () => {
    const mail = reset("alice@example.com");
    const [id] = await queue([mail]);
    expect(await worker().runOnce()).to.equal(1);

    expect(smtp.messages).to.have.length(1);
    const got = smtp.messages[0];
    const row = await db.mailMessage.findUniqueOrThrow({ where: { id } });
    expect(got.envelope.to).to.deep.equal(["alice@example.com"]);
    expect(got.envelope.from).to.equal("no-reply@evidence.example.org");
    expect(got.to).to.equal("alice@example.com");
    expect(got.from).to.contain("电子证据存证平台 Evidence platform").and.contain("<no-reply@evidence.example.org>");
    expect(got.subject).to.equal("重设密码 Reset your password");
    expect(got.messageId).to.equal(row.messageId);
    expect(got.text).to.contain("Alice，您好").and.contain("Dear Alice");
    expect(got.text).to.contain(`${PUBLIC_URL}/workspace/#/welcome/${secrets.token("account-link", mail.params.linkId)}`);
    expect(got.headers.get("date")).to.be.instanceOf(Date);
    expect(row.status).to.equal("sent");
    expect(row.attempts).to.equal(1);
    expect(row.reply).to.match(/^250 /);
    expect(row.sentAt).to.be.instanceOf(Date);
    expect(row.lockedUntil).to.equal(null);

    expect(await worker().runOnce(), "nothing left to send").to.equal(0);
    expect(smtp.messages).to.have.length(1);
  });

  it("without SMTP_URL, writes an .eml file mailparser reads; writing it again replaces it", async () => {
    const [id] = await queue([reset("alice@example.com")]);
    const w = worker({}, db, null);
    await w.runOnce();
    const row = await db.mailMessage.findUniqueOrThrow({ where: { id } });
    const file = emlFileName(row.messageId);
    expect(file).to.match(/^[A-Za-z0-9._-]+\.eml$/);
    expect(row.status).to.equal("sent");
    expect(row.reply).to.equal(`written to outbox/${file}`);

    const parsed = await simpleParser(fs.readFileSync(path.join(dataDir, "outbox", file)));
    expect(parsed.messageId).to.equal(row.messageId);
    expect(parsed.subject).to.equal("重设密码 Reset your password");
    expect(parsed.text).to.contain("Dear Alice");
    expect((parsed.to as { text: string }).text).to.equal("alice@example.com");

    await transports[0].send({ messageId: row.messageId, to: "alice@example.com", subject: "again", text: "again" });
    expect(fs.readdirSync(path.join(dataDir, "outbox"))).to.deep.equal([file]);
    expect(transports[0].describe()).to.equal(`files in ${path.join(dataDir, "outbox")}`);
  });

  it("CR/LF in a subject or name creates no header; an address with one is refused, nothing sent", async () => {
    const title = "Q1\r\nBcc: mallory@example.net\r\nX-Injected: yes";
    await queue([
      {
        template: "contract-completed",
        params: { name: "Bob\r\nX-Name: 1", title, contractId: "c1", sha256: "ab".repeat(32) },
        to: "bob@example.com",
      },
    ]);
    const [bad] = await queue([reset("carol@example.com\r\nBcc: mallory@example.net")]);
    await worker().runOnce();

    expect(smtp.messages).to.have.length(1);
    const got = smtp.messages[0];
    expect(got.envelope.to).to.deep.equal(["bob@example.com"]);
    expect(got.headers.has("bcc")).to.equal(false);
    expect(got.headers.has("x-injected")).to.equal(false);
    expect(got.headers.has("x-name")).to.equal(false);
    const headerLines = got.raw.split("\r\n\r\n")[0].split("\r\n");
    expect(headerLines.filter((l) => /^(bcc|x-injected|x-name):/i.test(l))).to.deep.equal([]);
    expect(got.subject).to.contain("Q1").and.contain("X-Injected: yes").and.not.match(/[\r\n]/);

    const refused = await db.mailMessage.findUniqueOrThrow({ where: { id: bad } });
    expect(refused.status).to.equal("failed");
    expect(refused.attempts).to.equal(1);
    expect(refused.lastError).to.contain("line break");
  });

  it("while the SMTP server is away messages wait and retry; once it is back all arrive, none twice", async () => {
    await smtp.stop();
    const ids = await queue(["a", "b", "c", "d", "e"].map((n) => reset(`${n}@example.com`, n)));
    const w = worker();
    w.start();
    await until("every message tried at least twice", async () => {
      const rs = await rows();
      return rs.every((r) => r.attempts >= 2 && r.lastError !== null && r.status !== "sent");
    });
    expect(w.lastError).to.match(/ECONNREFUSED/);
    for (const r of await rows()) {
      expect(["queued", "sending"]).to.include(r.status);
      expect(r.lastError).to.match(/ECONNREFUSED/);
    }
    expect(smtp.messages).to.have.length(0);

    await smtp.start();
    await smtp.waitFor((m) => m.length >= ids.length);
    await until("all marked sent", async () => (await rows()).every((r) => r.status === "sent"));
    await sleep(300); // more cycles: nothing more may arrive
    const rs = await rows();
    expect(smtp.messages.map((m) => m.messageId).sort()).to.deep.equal(rs.map((r) => r.messageId).sort());
    expect(new Set(smtp.messages.map((m) => m.envelope.to[0])).size).to.equal(ids.length);
    expect(rs.every((r) => r.lastError === null && r.reply?.startsWith("250"))).to.equal(true);
    expect(w.lastError).to.equal(null);
  });

  it("after MAIL_MAX_ATTEMPTS transient failures a message is failed", async () => {
    await smtp.stop();
    const [id] = await queue([reset("alice@example.com")]);
    const w = worker({ maxAttempts: 2 });
    await w.runOnce();
    expect((await db.mailMessage.findUniqueOrThrow({ where: { id } })).status).to.equal("queued");
    await sleep(120); // the backoff, capped at retryMaxMs
    await w.runOnce();
    const row = await db.mailMessage.findUniqueOrThrow({ where: { id } });
    expect(row.status).to.equal("failed");
    expect(row.attempts).to.equal(2);
    expect(row.lastError).to.match(/ECONNREFUSED/);
  });

  it("a 550 for a recipient fails that message at once with the server's reply; the others go", async () => {
    smtp.rejected.add("nobody@example.com");
    const [refused, fine] = await queue([reset("nobody@example.com"), reset("alice@example.com")]);
    await worker().runOnce();
    const r = await db.mailMessage.findUniqueOrThrow({ where: { id: refused } });
    expect(r.status).to.equal("failed");
    expect(r.attempts).to.equal(1);
    expect(r.lastError).to.contain("550").and.contain("no such mailbox");
    expect((await db.mailMessage.findUniqueOrThrow({ where: { id: fine } })).status).to.equal("sent");
    expect(smtp.messages.map((m) => m.envelope.to[0])).to.deep.equal(["alice@example.com"]);
  });

  it("a row left 'sending' by a dead sender is sent once its lease expires, not before", async () => {
    const [id] = await queue([reset("alice@example.com")]);
    const later = new Date(Date.now() + 60_000);
    await db.mailMessage.update({ where: { id }, data: { status: "sending", attempts: 1, lockedUntil: later } });
    const w = worker();
    expect(await w.runOnce(), "a live lease is left alone").to.equal(0);
    await db.mailMessage.update({ where: { id }, data: { lockedUntil: new Date(Date.now() - 1) } });
    await w.runOnce();
    const row = await db.mailMessage.findUniqueOrThrow({ where: { id } });
    expect(row.status).to.equal("sent");
    expect(row.attempts).to.equal(2);
    expect(smtp.messages.map((m) => m.messageId)).to.deep.equal([row.messageId]);

    // A sender that died on every attempt: failed, not tried for ever.
    const [doomed] = await queue([reset("bob@example.com")]);
    await db.mailMessage.update({ where: { id: doomed }, data: { status: "sending", attempts: 3, lockedUntil: new Date(Date.now() - 1) } });
    await worker({ maxAttempts: 3 }).runOnce();
    expect(await db.mailMessage.findUniqueOrThrow({ where: { id: doomed } })).to.include({ status: "failed", attempts: 4 });
    expect(smtp.messages).to.have.length(1);
  });

  it("two workers on one database send each message exactly once", async () => {
    const n = 30;
    await queue(Array.from({ length: n }, (_, i) => reset(`user${i}@example.com`, `u${i}`)));
    const a = worker();
    const b = worker({}, await open());
    while ((await db.mailMessage.count({ where: { status: { not: "sent" } } })) > 0) {
      // Both read the same due rows and race for every one of them.
      await Promise.all([a.runOnce(), b.runOnce()]);
    }
    const rs = await rows();
    expect(smtp.messages).to.have.length(n);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).to.equal(n);
    expect(rs.every((r) => r.status === "sent" && r.attempts === 1)).to.equal(true);
  });

  it("the outbox service lists without parameters and retries a failed message", async () => {
    smtp.rejected.add("nobody@example.com");
    const [refused, fine] = await queue([{ ...reset("nobody@example.com"), recipientId: "u-nobody" }, reset("alice@example.com")]);
    await worker().runOnce();
    const service = new NotificationsService(db);

    const all = await service.outbox({ limit: 10 });
    expect(all.counts).to.deep.equal({ queued: 0, sending: 0, sent: 1, failed: 1 });
    expect(all.messages.map((m) => m.id).sort()).to.deep.equal([refused, fine].sort());
    expect(all.messages[0]).to.not.have.property("params");
    const failed = await service.outbox({ status: "failed", limit: 10 });
    expect(failed.messages.map((m) => m.id)).to.deep.equal([refused]);
    expect((await service.forRecipient("u-nobody", { limit: 10 })).map((m) => m.id)).to.deep.equal([refused]);
    expect(await service.forTopic("user:u1")).to.have.length(2);

    expect(await service.retry("no-such-id")).to.equal(null);
    expect(await service.retry(fine)).to.equal("not_failed");
    const again = await service.retry(refused, null);
    expect(again).to.include({ status: "queued", attempts: 0 });
    const audit = await db.auditEntry.findFirstOrThrow({ where: { action: "mail.retried" } });
    expect(audit.subject).to.equal(refused);

    smtp.rejected.clear();
    await worker().runOnce();
    expect((await db.mailMessage.findUniqueOrThrow({ where: { id: refused } })).status).to.equal("sent");
  });
});
