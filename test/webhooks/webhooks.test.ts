// Webhooks against a real receiver started by the test (test/webhooks/receiver.ts): registration
// and its bad inputs, the access rules, the signature computed independently here with node:crypto,
// every contract event and evidence anchored, a 500 retried then delivered, a receiver down for a
// while receiving everything afterwards in order per contract, a new secret, two workers on one
// database, attempts used up then redelivered, and addresses refused (SSRF) on a platform whose
// configuration does not allow private ones. Backoff is shortened by configuration: no long sleeps.
import { expect } from "chai";
import { createHmac } from "node:crypto";
import pino from "pino";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { WebhookWorker } from "../../server/webhooks/worker";
import { enqueueWebhookEvents } from "../../server/webhooks/outbox";
import { checkEndpointUrl, nonPublicKind } from "../../server/webhooks/address-policy";
import { verifyWebhook } from "../../server/core/webhook-signature";
import { eventually, Receiver, type Received } from "./receiver";

type User = { id: string; email: string; token: string };

const FIELDS = {
  partyA: { name: "甲科技有限公司" },
  partyB: { name: "乙贸易有限公司" },
  purpose: "评估合作项目 evaluating a joint project",
  effectiveDate: "2026-12-01",
  term: "三年 three years",
};
const ALL_EVENTS = ["contract.sent", "contract.signed", "contract.completed", "contract.declined", "contract.voided", "contract.expired", "evidence.anchored"];

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

/** The receiver's check, written here from the README's description, not with the platform's code. */
function signatureVerifies(secret: string, r: Received): boolean {
  const ts = String(r.headers["webhook-timestamp"]);
  const expected = createHmac("sha256", secret).update(`${ts}.${r.body}`).digest("hex");
  return r.headers["webhook-signature"] === `v1=${expected}`;
}

let counter = 0;

describe("webhooks: endpoints, signed deliveries, retries, order, leases, SSRF", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  const rx = new Receiver();
  let orgA: any, orgB: any;
  let adminA: User, adminB: User, memberA: User, signerB: User;

  const user = async (organizationId: string | undefined, orgAdmin = false, t = tp): Promise<User> => {
    const email = `hook${++counter}-${process.pid}@example.com`;
    const u = await json(
      await t.api("POST", "/api/users", { token: t.adminToken, json: { email, name: `用户 ${counter}`, password: "user-password-1", role: "member", ...(organizationId ? { organizationId, orgAdmin } : {}) } }),
      201,
    );
    return { id: u.id, email, token: await t.login(email, "user-password-1") };
  };
  const register = async (admin: User, org: any, path: string, events = ALL_EVENTS, t = tp) =>
    json(await t.api("POST", `/api/organizations/${org.id}/webhooks`, { token: admin.token, json: { url: rx.url(path), events } }), 201);
  const deliveries = async (admin: User, org: any, hook: any) =>
    (await json(await tp.api("GET", `/api/organizations/${org.id}/webhooks/${hook.id}/deliveries`, { token: admin.token }), 200)).deliveries as any[];
  const remove = async (admin: User, org: any, hook: any) => json(await tp.api("DELETE", `/api/organizations/${org.id}/webhooks/${hook.id}`, { token: admin.token }), 204);
  /** A draft by memberA with signerB, sent: the contract and signerB's invitation. */
  const sentContract = async (title: string, opts: { expiresInDays?: number } = {}) => {
    const c = await json(
      await tp.api("POST", "/api/contracts", {
        token: memberA.token,
        json: { title, template: { id: "nda", fields: FIELDS }, signers: [{ userId: signerB.id, step: 1, codeDelivery: "out-of-band" }] },
      }),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${c.id}/send`, { token: memberA.token, json: opts }), 200);
    return { id: c.id as string, invitation: sent.invitations[0] };
  };
  const voided = async (id: string) => json(await tp.api("POST", `/api/contracts/${id}/void`, { token: memberA.token, json: { reason: "作废 no longer needed" } }), 200);

  before(async () => {
    await rx.start();
    tp = await startTestPlatform({
      WEBHOOK_ALLOW_HTTP: "1",
      WEBHOOK_ALLOW_PRIVATE: "1",
      WEBHOOK_POLL_MS: "50",
      WEBHOOK_RETRY_BASE_MS: "100",
      WEBHOOK_RETRY_MAX_MS: "300",
      WEBHOOK_MAX_ATTEMPTS: "60",
      WEBHOOK_TIMEOUT_MS: "3000",
      WEBHOOK_LEASE_MS: "10000",
    });
    orgA = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司", creditCode: "91350100MA2Y00000E" } }), 201);
    orgB = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "乙贸易有限公司" } }), 201);
    [adminA, adminB, memberA, signerB] = await Promise.all([user(orgA.id, true), user(orgB.id, true), user(orgA.id), user(orgB.id)]);
  });
  after(async () => {
    await tp?.stop();
    await rx.stop();
  });

  it("registration: 201 with the secret shown once (sealed in the database), then never again; bad input is 400 and changes nothing", async () => {
    const hook = await register(adminA, orgA, "/reg");
    expect(hook.secret).to.match(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(hook).to.include({ organizationId: orgA.id, url: rx.url("/reg"), enabled: true, createdBy: adminA.id });
    const read = await json(await tp.api("GET", `/api/organizations/${orgA.id}/webhooks/${hook.id}`, { token: adminA.token }), 200);
    expect(read).to.not.have.property("secret");
    expect(JSON.stringify(await json(await tp.api("GET", `/api/organizations/${orgA.id}/webhooks`, { token: adminA.token }), 200))).to.not.include(hook.secret);
    const row = await tp.platform.database.db.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.id } });
    expect(row.sealedSecret).to.match(/^v1:/).and.not.include(hook.secret);
    expect(tp.platform.webhooks.unsealSecret(hook.id, row.sealedSecret)).to.equal(hook.secret);

    const bad = async (body: unknown, code: string) => {
      const res = await tp.api("POST", `/api/organizations/${orgA.id}/webhooks`, { token: adminA.token, json: body });
      expect(res.status).to.equal(400);
      expect((await res.json()).error.code).to.equal(code);
    };
    await bad({ url: "not a url", events: ["contract.sent"] }, "invalid_url");
    await bad({ url: "ftp://example.com/x", events: ["contract.sent"] }, "invalid_url");
    await bad({ url: "https://user:pw@example.com/x", events: ["contract.sent"] }, "invalid_url");
    await bad({ url: "https://example.com/x", events: ["contract.nothing"] }, "invalid_input");
    await bad({ url: "https://example.com/x", events: [] }, "invalid_input");
    await bad({ url: "https://example.com/x" }, "invalid_input");
    await bad({ url: "https://example.com/x", events: ["contract.sent"], secret: "mine" }, "invalid_input");
    await bad("[1,2", "malformed_json");
    const patch = await tp.api("PATCH", `/api/organizations/${orgA.id}/webhooks/${hook.id}`, { token: adminA.token, json: {} });
    expect(patch.status).to.equal(400);
    expect((await json(await tp.api("GET", `/api/organizations/${orgA.id}/webhooks`, { token: adminA.token }), 200)).webhooks).to.have.length(1);
    const audit = await tp.platform.database.db.auditEntry.findMany({ where: { action: "webhook.created", subject: hook.id } });
    expect(audit).to.have.length(1);
    await remove(adminA, orgA, hook);
    await json(await tp.api("GET", `/api/organizations/${orgA.id}/webhooks/${hook.id}`, { token: adminA.token }), 404);
  });

  it("the address policy: https only and public addresses only unless configured; names are judged at delivery", () => {
    const strict = { allowHttp: false, allowPrivate: false };
    expect(checkEndpointUrl("http://example.com/x", strict)).to.deep.include({ ok: false, code: "https_required" });
    expect(checkEndpointUrl("http://example.com/x", { ...strict, allowHttp: true })).to.deep.include({ ok: true });
    for (const literal of ["https://127.0.0.1/", "https://[::1]/", "https://10.1.2.3/", "https://169.254.169.254/latest", "https://[::ffff:192.168.0.1]/", "https://[fd00::1]/", "https://0.0.0.0/"]) {
      expect(checkEndpointUrl(literal, strict), literal).to.deep.include({ ok: false, code: "private_address" });
    }
    expect(checkEndpointUrl("https://localhost/", strict)).to.deep.include({ ok: true });
    expect(nonPublicKind("93.184.216.34")).to.equal(null);
    expect(nonPublicKind("2606:4700:4700::1111")).to.equal(null);
    expect(nonPublicKind("127.8.9.10")).to.equal("loopback");
    expect(nonPublicKind("100.64.1.1")).to.match(/carrier-grade/);
  });

  it("access: organisation administrators manage; the platform administrator reads; members are refused (403); other organisations see nothing (404)", async () => {
    const hook = await register(adminA, orgA, "/access");
    const memberOfA = await user(orgA.id);
    const adminOfB = adminB;
    const loner = await user(undefined);
    const delivery = (await tp.platform.database.db.webhookDelivery.findFirst({ where: { endpointId: hook.id } })) ?? { id: "00000000-0000-4000-8000-000000000000" };
    const base = `/api/organizations/${orgA.id}/webhooks`;
    const body = { url: rx.url("/access-2"), events: ["contract.sent"] };
    // [method, path, body, expected status for: orgAdmin, platformAdmin, member, other org's admin, no organisation, no token]
    const table: [string, string, unknown, number[]][] = [
      ["POST", base, body, [201, 403, 403, 404, 404, 401]],
      ["GET", base, undefined, [200, 200, 403, 404, 404, 401]],
      ["GET", `${base}/${hook.id}`, undefined, [200, 200, 403, 404, 404, 401]],
      ["PATCH", `${base}/${hook.id}`, { description: "changed" }, [200, 403, 403, 404, 404, 401]],
      ["POST", `${base}/${hook.id}/secret`, undefined, [200, 403, 403, 404, 404, 401]],
      ["GET", `${base}/${hook.id}/deliveries`, undefined, [200, 200, 403, 404, 404, 401]],
      ["POST", `${base}/${hook.id}/deliveries/${delivery.id}/redeliver`, undefined, [404, 403, 403, 404, 404, 401]],
      ["DELETE", `${base}/${hook.id}`, undefined, [204, 403, 403, 404, 404, 401]],
    ];
    const callers = [adminA.token, tp.adminToken, memberOfA.token, adminOfB.token, loner.token, undefined];
    for (const [method, path, json, expected] of table) {
      // the organisation's administrator goes last: a DELETE by anyone else must not have happened
      for (let i = callers.length - 1; i >= 0; i--) {
        const res = await tp.api(method, path, { token: callers[i], ...(json !== undefined ? { json } : {}) });
        expect(res.status, `${method} ${path} as caller ${i}: ${await res.text()}`).to.equal(expected[i]);
      }
    }
    // another organisation's webhook through one's own organisation's path: 404
    const hookB = await register(adminB, orgB, "/access-b");
    await json(await tp.api("GET", `${base}/${hookB.id}`, { token: adminA.token }), 404);
    await json(await tp.api("GET", `${base}/not-a-uuid/deliveries`, { token: adminA.token }), 404);
    for (const h of (await json(await tp.api("GET", base, { token: adminA.token }), 200)).webhooks) await remove(adminA, orgA, h);
    await remove(adminB, orgB, hookB);
  });

  it("a contract's life reaches the sender's and the signer's organisations: signed deliveries (HMAC verified here) in order, with their attempts", async () => {
    const hookA = await register(adminA, orgA, "/life-a");
    const hookB = await register(adminB, orgB, "/life-b", ["contract.signed", "contract.completed"]);
    const c = await sentContract("生命周期 life cycle");
    const code = await json(await tp.api("POST", `/api/contracts/${c.id}/signers/${c.invitation.signerId}/code`, { token: memberA.token }), 201);
    const token = new URL(c.invitation.url).pathname;
    await json(await tp.api("POST", `${token}/sign`, { token: signerB.token, json: { code: code.code } }), 200);

    const a = await eventually(() => rx.at("/life-a").length >= 3 && rx.at("/life-a"), 30_000, "three events at A");
    expect(a.map((r) => r.json.type)).to.deep.equal(["contract.sent", "contract.signed", "contract.completed"]);
    for (const r of a) {
      expect(signatureVerifies(hookA.secret, r), "signature with A's secret").to.equal(true);
      expect(signatureVerifies(hookB.secret, r), "signature with B's secret").to.equal(false);
      expect(r.headers["webhook-id"]).to.equal(r.json.id);
      expect(r.headers["webhook-event"]).to.equal(r.json.type);
      expect(r.headers["content-type"]).to.equal("application/json");
      expect(Math.abs(Number(r.headers["webhook-timestamp"]) - Date.now() / 1000)).to.be.below(60);
      expect(verifyWebhook(hookA.secret, String(r.headers["webhook-signature"]), String(r.headers["webhook-timestamp"]), r.body, Math.floor(Date.now() / 1000))).to.equal(true);
      expect(r.json).to.include({ organizationId: orgA.id, orderingKey: `contract:${c.id}` });
      expect(r.json.data.contract.id).to.equal(c.id);
    }
    const seqs = a.map((r) => r.json.sequence);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).to.equal(3);
    expect(a[1].json.data.signer).to.include({ id: c.invitation.signerId, userId: signerB.id, status: "signed" });
    expect(a[2].json.data.contract.status).to.equal("completed");
    // the same sequence numbers as the contract's own event log
    const detail = await json(await tp.api("GET", `/api/contracts/${c.id}`, { token: memberA.token }), 200);
    expect(seqs).to.deep.equal(detail.events.filter((e: any) => ["sent", "signed", "completed"].includes(e.action)).map((e: any) => e.seq));
    expect(a[2].json.data.documentSha256).to.equal(detail.document.sha256);

    // B subscribed to two of the events only
    const b = await eventually(() => rx.at("/life-b").length >= 2 && rx.at("/life-b"), 30_000, "two events at B");
    expect(b.map((r) => r.json.type)).to.deep.equal(["contract.signed", "contract.completed"]);
    expect(b.every((r) => signatureVerifies(hookB.secret, r) && r.json.organizationId === orgB.id)).to.equal(true);
    // the same event has the same id at both organisations
    expect(b[0].json.id).to.equal(a[1].json.id);

    const list = await deliveries(adminA, orgA, hookA);
    expect(list.map((d) => [d.event, d.status, d.attempts, d.lastStatusCode])).to.have.deep.members([
      ["contract.sent", "delivered", 1, 200],
      ["contract.signed", "delivered", 1, 200],
      ["contract.completed", "delivered", 1, 200],
    ]);
    for (const d of list) {
      expect(d.attemptLog).to.have.length(1);
      expect(d.attemptLog[0]).to.include({ number: 1, statusCode: 200, error: null });
      expect(d.payload.id).to.equal(d.eventId);
    }
    await remove(adminA, orgA, hookA);
    await remove(adminB, orgB, hookB);
  });

  it("declined, voided and expired contracts are reported, with their reasons", async () => {
    const hook = await register(adminA, orgA, "/ends");
    const declined = await sentContract("拒签 declined");
    await json(await tp.api("POST", `${new URL(declined.invitation.url).pathname}/decline`, { token: signerB.token, json: { reason: "条款不同意 terms refused" } }), 200);
    const v = await sentContract("作废 voided");
    await voided(v.id);
    const expiring = await sentContract("过期 expired", { expiresInDays: 1 });
    const clock = tp.platform.contracts.clock;
    tp.platform.contracts.clock = () => new Date(Date.now() + 2 * 86_400_000);
    try {
      expect((await json(await tp.api("GET", `/api/contracts/${expiring.id}`, { token: memberA.token }), 200)).status).to.equal("expired");
    } finally {
      tp.platform.contracts.clock = clock;
    }
    const got = await eventually(() => rx.at("/ends").length >= 6 && rx.at("/ends"), 30_000, "six events");
    const of = (id: string) => got.filter((r) => r.json.data.contract.id === id).map((r) => r.json.type);
    expect(of(declined.id)).to.deep.equal(["contract.sent", "contract.declined"]);
    expect(of(v.id)).to.deep.equal(["contract.sent", "contract.voided"]);
    expect(of(expiring.id)).to.deep.equal(["contract.sent", "contract.expired"]);
    const decl = got.find((r) => r.json.type === "contract.declined")!;
    expect(decl.json.data.contract.endReason).to.equal("条款不同意 terms refused");
    expect(decl.json.data.signer).to.include({ status: "declined", userId: signerB.id });
    expect(got.find((r) => r.json.type === "contract.voided")!.json.data.contract.endReason).to.equal("作废 no longer needed");
    expect(got.every((r) => signatureVerifies(hook.secret, r))).to.equal(true);
    await remove(adminA, orgA, hook);
  });

  it("a 500 is retried with backoff and then delivered, the attempts visible; the contract's next event waits for it", async () => {
    const hook = await register(adminA, orgA, "/flaky");
    rx.answer("/flaky", 500, 503, 302);
    const c = await sentContract("重试 retried");
    await voided(c.id);
    const got = await eventually(() => rx.at("/flaky").length >= 5 && rx.at("/flaky"), 30_000, "five requests");
    // the sent event three times refused (500, 503, a redirect not followed), then delivered; only then the voided one
    expect(got.map((r) => r.json.type)).to.deep.equal(["contract.sent", "contract.sent", "contract.sent", "contract.sent", "contract.voided"]);
    expect(new Set(got.slice(0, 4).map((r) => r.headers["webhook-id"])).size).to.equal(1);
    expect(got.every((r) => signatureVerifies(hook.secret, r))).to.equal(true);
    // backoff: the gaps between attempts are at least half the bound (50, 100, 150 ms)
    expect(got[1].at - got[0].at).to.be.at.least(45);
    expect(got[3].at - got[2].at).to.be.at.least(140);
    const list = await eventually(async () => {
      const l = await deliveries(adminA, orgA, hook);
      return l.every((d) => d.status === "delivered") && l;
    });
    const sent = list.find((d) => d.event === "contract.sent")!;
    expect(sent.attempts).to.equal(4);
    expect(sent.attemptLog.map((a: any) => [a.number, a.statusCode])).to.deep.equal([[1, 500], [2, 503], [3, 302], [4, 200]]);
    expect(sent.attemptLog[0].error).to.match(/answered 500/);
    expect(sent.attemptLog[2].error).to.match(/redirect .* not followed/);
    // the redirect's target was never asked
    expect(rx.received.filter((r) => r.path === "/elsewhere")).to.have.length(0);
    await remove(adminA, orgA, hook);
  });

  it("a receiver down for a while receives every event afterwards, in order per contract", async () => {
    const hook = await register(adminA, orgA, "/down");
    await rx.stop();
    const contracts: string[] = [];
    try {
      for (let i = 0; i < 4; i++) contracts.push((await sentContract(`停机 down ${i}`)).id);
      for (const id of contracts.slice(0, 3)) await voided(id);
      // attempts fail (connection refused) while it is down; the voided events wait behind their sent event
      await eventually(async () => (await deliveries(adminA, orgA, hook)).filter((d) => d.event === "contract.sent" && d.attempts >= 3).length === 4, 20_000, "failed attempts");
      const waiting = await deliveries(adminA, orgA, hook);
      expect(waiting.filter((d) => d.event === "contract.voided").map((d) => [d.status, d.attempts])).to.deep.equal([["pending", 0], ["pending", 0], ["pending", 0]]);
      expect(waiting.find((d) => d.event === "contract.sent")!.lastError).to.match(/ECONNREFUSED/);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await rx.start(rx.port);
    }
    const got = await eventually(() => rx.at("/down").length >= 7 && rx.at("/down"), 30_000, "seven events");
    expect(got).to.have.length(7);
    for (const id of contracts) {
      const mine = got.filter((r) => r.json.data.contract.id === id);
      expect(mine.map((r) => r.json.type)).to.deep.equal(contracts.indexOf(id) < 3 ? ["contract.sent", "contract.voided"] : ["contract.sent"]);
      const seqs = mine.map((r) => r.json.sequence);
      expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    }
    expect(got.every((r) => signatureVerifies(hook.secret, r))).to.equal(true);
    expect((await deliveries(adminA, orgA, hook)).every((d) => d.status === "delivered")).to.equal(true);
    await remove(adminA, orgA, hook);
  });

  it("a new secret signs from the next attempt on; the old one no longer verifies", async () => {
    const hook = await register(adminA, orgA, "/rotate");
    const rotated = await json(await tp.api("POST", `/api/organizations/${orgA.id}/webhooks/${hook.id}/secret`, { token: adminA.token }), 200);
    expect(rotated.secret).to.match(/^whsec_/).and.not.equal(hook.secret);
    expect(rotated.secretRotatedAt).to.be.a("string");
    const c = await sentContract("换密钥 rotated");
    const [r] = await eventually(() => rx.at("/rotate").length >= 1 && rx.at("/rotate"));
    expect(r.json.data.contract.id).to.equal(c.id);
    expect(signatureVerifies(rotated.secret, r)).to.equal(true);
    expect(signatureVerifies(hook.secret, r)).to.equal(false);
    await voided(c.id);
    await eventually(() => rx.at("/rotate").length >= 2);
    await remove(adminA, orgA, hook);
  });

  it("two workers on one database send each delivery once; attempts used up fail it; a redelivery sends it again with the same Webhook-Id", async () => {
    await tp.platform.webhookWorker.stop();
    try {
      const hook = await register(adminA, orgA, "/lease");
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await sentContract(`两个实例 two instances ${i}`)).id);
      const db = tp.platform.database.db;
      const make = (maxAttempts: number) =>
        new WebhookWorker(db, (id, sealed) => tp.platform.webhooks.unsealSecret(id, sealed), {
          pollMs: 50,
          leaseMs: 10_000,
          timeoutMs: 3000,
          maxAttempts,
          concurrency: 3,
          retry: { baseMs: 20, maxMs: 40 },
          policy: { allowHttp: true, allowPrivate: true },
        }, pino({ level: "silent" }));
      const [w1, w2] = [make(2), make(2)];
      await Promise.all([w1.runOnce(), w2.runOnce()]);
      await eventually(async () => {
        await Promise.all([w1.runOnce(), w2.runOnce()]);
        return (await deliveries(adminA, orgA, hook)).every((d) => d.status === "delivered");
      });
      const got = rx.at("/lease");
      expect(got).to.have.length(6);
      expect(new Set(got.map((r) => r.headers["webhook-id"])).size).to.equal(6);
      expect((await deliveries(adminA, orgA, hook)).map((d) => d.attempts)).to.deep.equal([1, 1, 1, 1, 1, 1]);

      // attempts used up: failed, with both attempts shown
      rx.answer("/lease", 500, 500);
      await voided(ids[0]);
      await eventually(async () => {
        await w1.runOnce();
        return (await deliveries(adminA, orgA, hook)).find((d) => d.event === "contract.voided")?.status === "failed";
      });
      const failed = (await deliveries(adminA, orgA, hook)).find((d) => d.event === "contract.voided")!;
      expect(failed).to.include({ attempts: 2, lastStatusCode: 500 });
      expect(failed.attemptLog.map((a: any) => a.statusCode)).to.deep.equal([500, 500]);
      // a failed (or delivered) delivery is queued again; one already queued is refused
      const redo = await json(await tp.api("POST", `/api/organizations/${orgA.id}/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`, { token: adminA.token }), 202);
      expect(redo).to.deep.equal({ id: failed.id, status: "pending" });
      const again = await tp.api("POST", `/api/organizations/${orgA.id}/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`, { token: adminA.token });
      expect(again.status).to.equal(409);
      expect((await again.json()).error.code).to.equal("delivery_in_progress");
      await w1.runOnce();
      const done = (await deliveries(adminA, orgA, hook)).find((d) => d.id === failed.id)!;
      expect(done).to.include({ status: "delivered", attempts: 1, lastStatusCode: 200 });
      expect(done.attemptLog.map((a: any) => a.statusCode)).to.deep.equal([500, 500, 200]);
      const voidedAt = rx.at("/lease").filter((r) => r.json.type === "contract.voided");
      expect(voidedAt).to.have.length(3);
      expect(new Set(voidedAt.map((r) => r.headers["webhook-id"])).size).to.equal(1);
      const audit = await db.auditEntry.findMany({ where: { action: "webhook.redelivered", subject: failed.id } });
      expect(audit).to.have.length(1);
      await remove(adminA, orgA, hook);
    } finally {
      tp.platform.webhookWorker.start();
    }
  });

  it("deliveries waiting behind a contract's failing event do not keep another contract's from being sent (more than a page of them)", async () => {
    await tp.platform.webhookWorker.stop();
    try {
      const hook = await register(adminA, orgA, "/starve");
      rx.answer("/starve", 500);
      const db = tp.platform.database.db;
      const event = (key: string, sequence: number) => ({ id: `starve-${key}-${sequence}`, type: "contract.sent" as const, orderingKey: `contract:${key}`, sequence, occurredAt: new Date(), data: { n: sequence } });
      // 150 events of one contract (its first refused once, then waiting 5 s), then one of another
      await db.$transaction((tx) => enqueueWebhookEvents(tx, [orgA.id], Array.from({ length: 150 }, (_, i) => event("x", i + 1))));
      await db.$transaction((tx) => enqueueWebhookEvents(tx, [orgA.id], [event("y", 1)]));
      const w = new WebhookWorker(db, (id, sealed) => tp.platform.webhooks.unsealSecret(id, sealed), {
        pollMs: 50, leaseMs: 10_000, timeoutMs: 3000, maxAttempts: 5, concurrency: 2, retry: { baseMs: 10_000, maxMs: 10_000 }, policy: { allowHttp: true, allowPrivate: true },
      }, pino({ level: "silent" }));
      for (let i = 0; i < 5 && !rx.at("/starve").some((r) => r.json.orderingKey === "contract:y"); i++) await w.runOnce();
      expect(rx.at("/starve").map((r) => [r.json.orderingKey, r.json.sequence])).to.deep.equal([["contract:x", 1], ["contract:y", 1]]);
      await remove(adminA, orgA, hook);
    } finally {
      tp.platform.webhookWorker.start();
    }
  });

  it("evidence anchored reaches the submitter's organisation; an endpoint gets only the events it subscribed to; a disabled one gets none", async () => {
    const hook = await register(adminA, orgA, "/evidence", ["evidence.anchored"]);
    const off = await register(adminA, orgA, "/disabled");
    await json(await tp.api("PATCH", `/api/organizations/${orgA.id}/webhooks/${off.id}`, { token: adminA.token, json: { enabled: false } }), 200);
    const c = await sentContract("不订阅 not subscribed");
    await voided(c.id);
    const item = await json(await tp.upload(memberA.token, `webhook evidence ${Date.now()}`, { title: "证据 evidence" }), 201);
    await tp.waitAnchored(memberA.token, item.id);
    const [r] = await eventually(() => rx.at("/evidence").length >= 1 && rx.at("/evidence"), 30_000, "evidence.anchored");
    expect(r.json.type).to.equal("evidence.anchored");
    expect(r.json.data.evidence).to.include({ id: item.id, sha256: item.sha256, submitterId: memberA.id });
    const proof = await json(await tp.api("GET", `/api/evidence/${item.id}/proof`, { token: memberA.token }), 200);
    // the event names the root and transaction the item's proof bundle does
    expect(r.json.data.anchor.root).to.equal(proof.merkle.root);
    expect(r.json.data.anchor.txHash).to.equal(proof.anchor.txHash);
    expect(r.json.data.evidence.leafIndex).to.equal(proof.merkle.leafIndex);
    expect(signatureVerifies(hook.secret, r)).to.equal(true);
    // nothing else at either: the contract's events were not subscribed to, or the endpoint was disabled
    await new Promise((res) => setTimeout(res, 500));
    expect(rx.at("/evidence").map((x) => x.json.type)).to.deep.equal(["evidence.anchored"]);
    expect(rx.at("/disabled")).to.have.length(0);
    expect(await deliveries(adminA, orgA, off)).to.have.length(0);
    await remove(adminA, orgA, hook);
    await remove(adminA, orgA, off);
  });

  describe("on a platform that does not allow private addresses (the default)", function () {
    let strict: TestPlatform;
    let sAdmin: User, sMember: User, sOrg: any;
    before(async () => {
      strict = await startTestPlatform({ WEBHOOK_ALLOW_HTTP: "1", WEBHOOK_POLL_MS: "50", WEBHOOK_RETRY_BASE_MS: "50", WEBHOOK_RETRY_MAX_MS: "100", WEBHOOK_MAX_ATTEMPTS: "5" });
      sOrg = await json(await strict.api("POST", "/api/organizations", { token: strict.adminToken, json: { name: "丙公司" } }), 201);
      [sAdmin, sMember] = await Promise.all([user(sOrg.id, true, strict), user(sOrg.id, false, strict)]);
    });
    after(async () => strict?.stop());

    it("an address literal that is not public is refused at registration (400); a name resolving to loopback is refused at delivery, nothing sent", async () => {
      for (const url of [rx.url("/ssrf"), `http://[::1]:${rx.port}/ssrf`, "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data"]) {
        const res = await strict.api("POST", `/api/organizations/${sOrg.id}/webhooks`, { token: sAdmin.token, json: { url, events: ["contract.sent"] } });
        expect(res.status, url).to.equal(400);
        expect((await res.json()).error.code).to.equal("private_address");
      }
      const hook = await json(await strict.api("POST", `/api/organizations/${sOrg.id}/webhooks`, { token: sAdmin.token, json: { url: rx.url("/ssrf", "localhost"), events: ["contract.sent"] } }), 201);
      const c = await json(
        await strict.api("POST", "/api/contracts", { token: sMember.token, json: { title: "SSRF", template: { id: "nda", fields: FIELDS }, signers: [{ userId: sAdmin.id, step: 1 }] } }),
        201,
      );
      await json(await strict.api("POST", `/api/contracts/${c.id}/send`, { token: sMember.token, json: {} }), 200);
      const [d] = await eventually(async () => {
        const l = (await json(await strict.api("GET", `/api/organizations/${sOrg.id}/webhooks/${hook.id}/deliveries`, { token: sAdmin.token }), 200)).deliveries;
        return l.length === 1 && l[0].status === "failed" && l;
      }, 20_000, "the delivery refused");
      expect(d.attempts).to.equal(1);
      expect(d.lastStatusCode).to.equal(null);
      expect(d.lastError).to.match(/localhost resolves to (127\.0\.0\.1|::1) \(loopback\): refused/);
      expect(rx.at("/ssrf")).to.have.length(0);
    });
  });
});
