// Organisations with their own administrators, invitations by e-mail for people without an
// account, and the directory, through a real SMTP server on loopback: the right recipients,
// subjects and links arrive, and the links work once.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { startSmtpServer, type TestSmtpServer, type ReceivedMail } from "../helpers/smtp";

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

const code = async (res: Response, status: number, errorCode: string) => expect((await json(res, status)).error.code).to.equal(errorCode);

describe("the way in: organisations, their administrators and members, invitations by e-mail", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let smtp: TestSmtpServer;
  const PASSWORD = "a-long-password-1";
  let firm: any, court: any, enterprise: any;
  let firmAdmin: { email: string; token: string; id: string };

  const mailTo = async (address: string, subject: RegExp, count = 1): Promise<ReceivedMail[]> =>
    (await smtp.waitFor((ms) => ms.filter((m) => m.envelope.to.includes(address) && subject.test(m.subject)).length >= count, 15_000)).filter(
      (m) => m.envelope.to.includes(address) && subject.test(m.subject),
    );
  const linkToken = (m: ReceivedMail) => {
    const t = /\/workspace\/#\/welcome\/(acl_[A-Za-z0-9_-]{43})/.exec(m.text)?.[1];
    expect(t, m.text).to.be.a("string");
    return t!;
  };
  /** Follows the newest account link mailed to an address: sets name and password, returns the session. */
  const accept = async (address: string, name?: string) => {
    const [m] = (await mailTo(address, /账户邀请|Your account invitation|Please sign/)).slice(-1);
    const t = linkToken(m);
    const seen = await json(await tp.api("GET", `/api/account-links/${t}`), 200);
    expect(seen).to.include({ purpose: "account", email: address });
    const done = await json(await tp.api("POST", `/api/account-links/${t}/accept`, { json: { password: PASSWORD, ...(name ? { name } : {}) } }), 200);
    return { token: done.token as string, landing: done.landing, link: t };
  };

  before(async () => {
    smtp = await startSmtpServer();
    tp = await startTestPlatform({ SMTP_URL: smtp.url, MAIL_FROM: "平台 Platform <no-reply@court.example>" });
  });
  after(async () => {
    await tp?.stop();
    await smtp?.stop();
  });

  it("the platform administrator creates a law firm, a court and an enterprise, each with a first administrator invited by mail", async () => {
    firm = await json(
      await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "福建某律师事务所", kind: "law_firm", admin: { email: "head@firm.example", name: "林律师" } } }),
      201,
    );
    expect(firm).to.include({ kind: "law_firm" });
    expect(firm.admin).to.include({ email: "head@firm.example", role: "lawyer", status: "pending", orgAdmin: true });
    court = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "某区人民法院", kind: "court", admin: { email: "chief@court.example", name: "陈庭长" } } }), 201);
    expect(court.admin.role).to.equal("judge");
    enterprise = await json(
      await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司", kind: "enterprise", creditCode: "91350100MA2Y00000E", admin: { email: "boss@corp.example", name: "王总" } } }),
      201,
    );
    const [m] = await mailTo("head@firm.example", /Your account invitation/);
    expect(m.from).to.contain("no-reply@court.example");
    expect(m.text).to.contain("福建某律师事务所");
    // a pending account cannot log in before it accepts
    await code(await tp.api("POST", "/api/auth/login", { json: { email: "head@firm.example", password: PASSWORD } }), 401, "invalid_credentials");
    const { token, landing } = await accept("head@firm.example");
    expect(landing).to.deep.include({ kind: "workspace", url: "/workspace/" });
    const me = await json(await tp.api("GET", "/api/auth/me", { token }), 200);
    expect(me).to.include({ role: "lawyer", orgAdmin: true, status: "active", organizationId: firm.id });
    expect(me.organization).to.include({ name: "福建某律师事务所", kind: "law_firm" });
    firmAdmin = { email: "head@firm.example", token: await tp.login("head@firm.example", PASSWORD), id: me.id };
  });

  it("an organisation's administrator invites members with the roles its kind may hold, and no other", async () => {
    const invited = await json(await tp.api("POST", `/api/organizations/${firm.id}/members`, { token: firmAdmin.token, json: { email: "Junior@Firm.example", name: "小李" } }), 202);
    expect(invited).to.deep.equal({ invited: "junior@firm.example" });
    await code(await tp.api("POST", `/api/organizations/${firm.id}/members`, { token: firmAdmin.token, json: { email: "x@firm.example", name: "X", role: "judge" } }), 403, "role_not_allowed");
    const { token, landing } = await accept("junior@firm.example", "李律师");
    expect(landing.url).to.equal("/workspace/");
    const me = await json(await tp.api("GET", "/api/auth/me", { token }), 200);
    expect(me).to.include({ name: "李律师", role: "lawyer", orgAdmin: false, organizationId: firm.id });
    const members = await json(await tp.api("GET", `/api/organizations/${firm.id}/members`, { token: firmAdmin.token }), 200);
    expect(members.members.map((m: any) => [m.email, m.status, m.orgAdmin]).sort()).to.deep.equal([
      ["head@firm.example", "active", true],
      ["junior@firm.example", "active", false],
    ]);
    // a plain member sees the organisation, not its administration
    expect((await json(await tp.api("GET", `/api/organizations/${firm.id}`, { token }), 200)).name).to.equal("福建某律师事务所");
    await code(await tp.api("GET", `/api/organizations/${firm.id}/members`, { token }), 403, "forbidden");
  });

  it("inviting an address that already has an account answers the same and changes nothing; that address is told by mail", async () => {
    const before = await json(await tp.api("GET", "/api/users", { token: tp.adminToken }), 200);
    const a = await json(await tp.api("POST", `/api/organizations/${firm.id}/members`, { token: firmAdmin.token, json: { email: "boss@corp.example", name: "Whoever" } }), 202);
    expect(a).to.deep.equal({ invited: "boss@corp.example" });
    const after = await json(await tp.api("GET", "/api/users", { token: tp.adminToken }), 200);
    expect(after.users.length).to.equal(before.users.length);
    expect(after.users.find((u: any) => u.email === "boss@corp.example").organizationId).to.equal(enterprise.id);
    const [told] = await mailTo("boss@corp.example", /Your account invitation/, 2);
    expect(told).to.be.ok;
    const exists = (await mailTo("boss@corp.example", /Your account invitation/, 2)).find((m) => m.text.includes("already has an account"));
    expect(exists, "the account-exists notice").to.be.ok;
    expect(exists!.text).not.to.match(/acl_/);
  });

  it("an organisation's administrator cannot reach another organisation (404) and a court holds judges and clerks", async () => {
    for (const [method, path, body] of [
      ["GET", `/api/organizations/${court.id}`],
      ["GET", `/api/organizations/${court.id}/members`],
      ["POST", `/api/organizations/${court.id}/members`, { email: "spy@firm.example", name: "Spy" }],
      ["GET", `/api/organizations/${court.id}/contracts`],
      ["GET", `/api/organizations/${court.id}/certificates`],
    ] as const) {
      await code(await tp.api(method, path, { token: firmAdmin.token, ...(body ? { json: body } : {}) }), 404, "not_found");
    }
    const listed = await json(await tp.api("GET", "/api/organizations", { token: firmAdmin.token }), 200);
    expect(listed.organizations.map((o: any) => o.id)).to.deep.equal([firm.id]);
    const chief = await accept("chief@court.example");
    await json(await tp.api("POST", `/api/organizations/${court.id}/members`, { token: chief.token, json: { email: "clerk@court.example", name: "立案庭书记员", role: "clerk" } }), 202);
    const clerk = await accept("clerk@court.example");
    const me = await json(await tp.api("GET", "/api/auth/me", { token: clerk.token }), 200);
    expect(me.role).to.equal("clerk");
    await code(await tp.api("PATCH", `/api/organizations/${court.id}/members/${me.id}`, { token: chief.token, json: { role: "lawyer" } }), 403, "role_not_allowed");
    expect((await json(await tp.api("PATCH", `/api/organizations/${court.id}/members/${me.id}`, { token: chief.token, json: { role: "judge" } }), 200)).role).to.equal("judge");
  });

  it("the last administrator keeps the right; a removed member's sessions end and they cannot log in", async () => {
    await code(await tp.api("PATCH", `/api/organizations/${firm.id}/members/${firmAdmin.id}`, { token: firmAdmin.token, json: { orgAdmin: false } }), 409, "last_admin");
    await code(await tp.api("DELETE", `/api/organizations/${firm.id}/members/${firmAdmin.id}`, { token: firmAdmin.token }), 409, "last_admin");
    const junior = (await json(await tp.api("GET", `/api/organizations/${firm.id}/members`, { token: firmAdmin.token }), 200)).members.find((m: any) => m.email === "junior@firm.example");
    const session = await tp.login("junior@firm.example", PASSWORD);
    expect((await tp.api("DELETE", `/api/organizations/${firm.id}/members/${junior.id}`, { token: firmAdmin.token })).status).to.equal(204);
    await code(await tp.api("GET", "/api/auth/me", { token: session }), 401, "unauthorized");
    await code(await tp.api("POST", "/api/auth/login", { json: { email: "junior@firm.example", password: PASSWORD } }), 401, "invalid_credentials");
  });

  it("an account link works once, for its own account; reused 410, unknown or malformed 404; a short password is refused and the link stays usable", async () => {
    await json(await tp.api("POST", `/api/organizations/${enterprise.id}/members`, { token: tp.adminToken, json: { email: "staff@corp.example", name: "赵六" } }), 202);
    const [m] = await mailTo("staff@corp.example", /Your account invitation/);
    const t = linkToken(m);
    await code(await tp.api("POST", `/api/account-links/${t}/accept`, { json: { password: "short" } }), 400, "invalid_input");
    await json(await tp.api("POST", `/api/account-links/${t}/accept`, { json: { password: PASSWORD } }), 200);
    await code(await tp.api("POST", `/api/account-links/${t}/accept`, { json: { password: PASSWORD } }), 410, "link_used");
    await code(await tp.api("GET", `/api/account-links/${t}`), 410, "link_used");
    await code(await tp.api("GET", `/api/account-links/acl_${"A".repeat(43)}`), 404, "not_found");
    await code(await tp.api("GET", `/api/account-links/${encodeURIComponent("../../etc/passwd")}`), 404, "not_found");
    // only the token's hash is kept; the mail rows hold no link
    const rows = await tp.platform.database.db.accountLink.findMany();
    expect(JSON.stringify(rows)).not.to.contain(t);
    expect(JSON.stringify(await tp.platform.database.db.mailMessage.findMany())).not.to.contain(t);
  });

  it("password reset: the same answer for any address; a link only to an existing account, the newest replacing older ones, the old password gone", async () => {
    const before = smtp.messages.length;
    expect(await json(await tp.api("POST", "/api/auth/password-reset", { json: { email: "nobody@nowhere.example" } }), 202)).to.deep.equal({ accepted: true });
    expect(await json(await tp.api("POST", "/api/auth/password-reset", { json: { email: "not an address" } }), 202)).to.deep.equal({ accepted: true });
    await json(await tp.api("POST", "/api/auth/password-reset", { json: { email: "staff@corp.example" } }), 202);
    await json(await tp.api("POST", "/api/auth/password-reset", { json: { email: "staff@corp.example" } }), 202);
    const resets = await mailTo("staff@corp.example", /Reset your password/, 2);
    expect(smtp.messages.slice(before).every((m) => m.envelope.to.includes("staff@corp.example"))).to.equal(true);
    const [older, newer] = resets.map(linkToken);
    await code(await tp.api("POST", `/api/account-links/${older}/accept`, { json: { password: "a-new-password-2" } }), 410, "link_replaced");
    const other = await tp.login("staff@corp.example", PASSWORD);
    const done = await json(await tp.api("POST", `/api/account-links/${newer}/accept`, { json: { password: "a-new-password-2", name: "ignored for a reset" } }), 200);
    expect(done.landing.url).to.equal("/workspace/");
    await code(await tp.api("GET", "/api/auth/me", { token: other }), 401, "unauthorized");
    await code(await tp.api("POST", "/api/auth/login", { json: { email: "staff@corp.example", password: PASSWORD } }), 401, "invalid_credentials");
    expect((await json(await tp.api("GET", "/api/auth/me", { token: done.token }), 200)).name).to.equal("赵六");
    // at most PASSWORD_RESET_PER_ADDRESS_PER_HOUR (3) links an hour: the next request is answered alike and sends nothing
    const count = smtp.messages.length;
    await json(await tp.api("POST", "/api/auth/password-reset", { json: { email: "staff@corp.example" } }), 202);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.length).to.equal(count);
  });

  it("an expired link: 410 link_expired", async () => {
    await json(await tp.api("POST", `/api/organizations/${enterprise.id}/members`, { token: tp.adminToken, json: { email: "late@corp.example", name: "Late" } }), 202);
    const t = linkToken((await mailTo("late@corp.example", /Your account invitation/))[0]);
    tp.platform.invitations.clock = () => new Date(Date.now() + 73 * 3_600_000);
    try {
      await code(await tp.api("POST", `/api/account-links/${t}/accept`, { json: { password: PASSWORD } }), 410, "link_expired");
    } finally {
      tp.platform.invitations.clock = () => new Date();
    }
  });

  it("password resets, link lookups and invitations are rate limited per client address (429 with Retry-After)", async () => {
    const small = await startTestPlatform({ LINK_RATE_LIMIT_PER_MIN: "3", INVITATION_RATE_LIMIT_PER_MIN: "2" });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await small.api("POST", "/api/auth/password-reset", { json: { email: `x${i}@example.com` } })).status);
      expect(statuses).to.deep.equal([202, 202, 202, 429, 429]);
      const limited = await small.api("GET", `/api/account-links/acl_${"A".repeat(43)}`);
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get("retry-after"))).to.be.greaterThan(0);
      // invitations sent by a signed-in administrator are limited apart
      const org = await json(await small.api("POST", "/api/organizations", { token: small.adminToken, json: { name: "Org", kind: "enterprise" } }), 201);
      const invites = [];
      for (let i = 0; i < 3; i++) {
        invites.push((await small.api("POST", `/api/organizations/${org.id}/members`, { token: small.adminToken, json: { email: `m${i}@example.com`, name: "M" } })).status);
      }
      expect(invites).to.deep.equal([202, 202, 429]);
      expect((await small.api("GET", `/api/organizations/${org.id}/members`, { token: small.adminToken })).status).to.equal(200);
    } finally {
      await small.stop();
    }
  });

  it("the directory: courts find everyone; others only their own organisation; organisations by name or credit code", async () => {
    const chief = await tp.login("chief@court.example", PASSWORD);
    const found = await json(await tp.api("GET", "/api/directory/people?q=firm.example", { token: chief }), 200);
    expect(found.people.map((p: any) => p.email)).to.include("head@firm.example");
    expect(found.people.every((p: any) => p.organization?.name === "福建某律师事务所")).to.equal(true);
    const lawyers = await json(await tp.api("GET", "/api/directory/people?role=lawyer", { token: chief }), 200);
    expect(lawyers.people.every((p: any) => p.role === "lawyer")).to.equal(true);
    // disabled accounts are not found
    expect(lawyers.people.map((p: any) => p.email)).not.to.include("junior@firm.example");
    const mine = await json(await tp.api("GET", "/api/directory/people", { token: firmAdmin.token }), 200);
    expect(mine.people.map((p: any) => p.email)).to.deep.equal(["head@firm.example"]);
    const byCode = await json(await tp.api("GET", "/api/directory/organizations?q=91350100MA2Y00000E", { token: firmAdmin.token }), 200);
    expect(byCode.organizations.map((o: any) => o.name)).to.deep.equal(["甲科技有限公司"]);
    // names in Latin letters are found whatever the case typed, on SQLite and on PostgreSQL
    await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "Acme Trading Ltd", kind: "enterprise" } }), 201);
    const byName = await json(await tp.api("GET", "/api/directory/organizations?q=acme%20TRADING", { token: firmAdmin.token }), 200);
    expect(byName.organizations.map((o: any) => o.name)).to.deep.equal(["Acme Trading Ltd"]);
    await code(await tp.api("GET", "/api/directory/people?q=%00", { token: chief }), 400, "invalid_input");
    await code(await tp.api("GET", "/api/directory/people"), 401, "unauthorized");
  });
});
