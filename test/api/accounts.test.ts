import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { startTestPlatform, ADMIN, type TestPlatform } from "../helpers/platform";
import { databaseForTest } from "../helpers/database";
import { loadConfig } from "../../server/config";
import { startPlatform } from "../../server/platform";

describe("accounts and access (API)", function () {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => tp.stop());

  it("creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD, with a scrypt hash", async () => {
    const users = await tp.platform.database.db.user.findMany();
    expect(users).to.have.length(1);
    expect(users[0]).to.include({ email: ADMIN.email, role: "admin" });
    expect(users[0].passwordHash).to.match(/^scrypt\$\d+\$\d+\$\d+\$/);
    expect(users[0].passwordHash).not.to.contain(ADMIN.password);
  });

  it("login: a token for the right password, 401 for a wrong one or an unknown email", async () => {
    const ok = await tp.api("POST", "/api/auth/login", { json: ADMIN });
    expect(ok.status).to.equal(200);
    expect(((await ok.json()) as { token: string }).token).to.match(/^eat_/);
    for (const creds of [{ ...ADMIN, password: "wrong-password" }, { email: "nobody@example.com", password: "x" }]) {
      const res = await tp.api("POST", "/api/auth/login", { json: creds });
      expect(res.status).to.equal(401);
      expect(((await res.json()) as any).error.code).to.equal("invalid_credentials");
    }
    expect((await tp.api("POST", "/api/auth/login", { json: { email: ADMIN.email } })).status).to.equal(400);
  });

  it("the Authorization scheme is case-insensitive and may be followed by several spaces (RFC 7235, RFC 6750)", async () => {
    for (const scheme of ["Bearer ", "bearer ", "BEARER ", "Bearer   "]) {
      const res = await tp.api("GET", "/api/auth/me", { headers: { authorization: scheme + tp.adminToken } });
      expect(res.status, JSON.stringify(scheme)).to.equal(200);
    }
    // The token itself is case-sensitive.
    const swapped = tp.adminToken.slice(0, 4) + [...tp.adminToken.slice(4)].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
    expect((await tp.api("GET", "/api/auth/me", { headers: { authorization: `Bearer ${swapped}` } })).status).to.equal(401);
  });

  it("tokens are stored hashed", async () => {
    const rows = await tp.platform.database.db.apiToken.findMany();
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) expect(r.tokenHash).to.match(/^[0-9a-f]{64}$/);
    expect(rows.map((r) => r.tokenHash)).not.to.include(tp.adminToken);
  });

  it("only an admin creates users and organisations; roles are checked", async () => {
    const member = await tp.createUser("member");
    const judge = await tp.createUser("judge");
    for (const token of [member.token, judge.token]) {
      const res = await tp.api("POST", "/api/users", { token, json: { email: "x@example.com", name: "x", password: "long-enough-1", role: "admin" } });
      expect(res.status).to.equal(403);
      expect(((await res.json()) as any).error.code).to.equal("forbidden");
      expect((await tp.api("GET", "/api/users", { token })).status).to.equal(403);
      expect((await tp.api("POST", "/api/organizations", { token, json: { name: "x" } })).status).to.equal(403);
    }
    expect((await tp.api("GET", "/api/users", {})).status).to.equal(401);
    const dup = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email: member.email, name: "x", password: "long-enough-1", role: "member" } });
    expect(dup.status).to.equal(409);
    const badRole = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email: "r@example.com", name: "x", password: "long-enough-1", role: "root" } });
    expect(badRole.status).to.equal(400);
    const badCode = await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "乙公司", creditCode: "123" } });
    expect(badCode.status).to.equal(400);
    const org = await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "乙公司", creditCode: "91350100M000100Y43" } });
    expect(org.status).to.equal(201);
  });

  it("machine tokens: created, used, listed without the secret, revoked", async () => {
    const member = await tp.createUser("member");
    const created = await tp.api("POST", "/api/tokens", { token: member.token, json: { name: "scanner" } });
    expect(created.status).to.equal(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect((await tp.api("GET", "/api/auth/me", { token })).status).to.equal(200);
    const listed = (await (await tp.api("GET", "/api/tokens", { token: member.token })).json()) as { tokens: any[] };
    expect(listed.tokens.map((t) => t.id)).to.deep.equal([id]);
    expect(JSON.stringify(listed)).not.to.contain(token);
    expect((await tp.api("DELETE", `/api/tokens/${id}`, { token: member.token })).status).to.equal(204);
    expect((await tp.api("GET", "/api/auth/me", { token })).status).to.equal(401);
  });

  it("a password change needs the current password and ends the user's other sessions", async () => {
    const user = await tp.createUser("lawyer");
    const other = await tp.login(user.email, "user-password-1");
    const wrong = await tp.api("POST", "/api/auth/password", { token: user.token, json: { currentPassword: "nope", newPassword: "a-new-password-2" } });
    expect(wrong.status).to.equal(403);
    const short = await tp.api("POST", "/api/auth/password", { token: user.token, json: { currentPassword: "user-password-1", newPassword: "short" } });
    expect(short.status).to.equal(400);
    const ok = await tp.api("POST", "/api/auth/password", { token: user.token, json: { currentPassword: "user-password-1", newPassword: "a-new-password-2" } });
    expect(ok.status).to.equal(204);
    expect((await tp.api("GET", "/api/auth/me", { token: user.token })).status).to.equal(200);
    expect((await tp.api("GET", "/api/auth/me", { token: other })).status).to.equal(401);
    await tp.login(user.email, "a-new-password-2");
  });

  it("without ADMIN_EMAIL, the first start creates admin@localhost with a generated password in DATA_DIR", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bare-"));
    const database = await databaseForTest();
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent", ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}) });
    const platform = await startPlatform(config, pino({ level: "silent" }));
    try {
      const file = path.join(dataDir, "initial-admin-password");
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      const [email, password] = fs.readFileSync(file, "utf8").trim().split("\n");
      expect(email).to.equal("admin@localhost");
      expect(password).to.have.length.greaterThan(12);
      const { token } = await platform.accounts.login(email, password);
      expect((await platform.accounts.authenticate(token))?.role).to.equal("admin");
    } finally {
      await platform.close();
      await database.drop();
    }
  });

  it("logout revokes the session token", async () => {
    const token = await tp.login(ADMIN.email, ADMIN.password);
    expect((await tp.api("POST", "/api/auth/logout", { token })).status).to.equal(204);
    expect((await tp.api("GET", "/api/auth/me", { token })).status).to.equal(401);
  });

  it("public routes need no token; everything else does", async () => {
    expect((await tp.api("GET", "/api/health")).status).to.equal(200);
    expect((await tp.api("POST", "/api/verify", { json: { sha256: "0x" + "0".repeat(64) } })).status).to.equal(200);
    expect((await tp.api("POST", "/rpc", { json: { jsonrpc: "2.0", id: 1, method: "eth_chainId" } })).status).to.equal(200);
    for (const [method, route] of [
      ["GET", "/api/evidence"],
      ["POST", "/api/evidence"],
      ["GET", "/api/evidence/00000000-0000-4000-8000-000000000000/proof"],
      ["GET", "/api/auth/me"],
      ["GET", "/api/tokens"],
      ["GET", "/api/users"],
    ]) {
      expect((await tp.api(method, route)).status, `${method} ${route}`).to.equal(401);
    }
    const unknown = await tp.api("GET", "/api/nothing-here", { token: tp.adminToken });
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as any).error.code).to.equal("no_such_route");
  });
});
