// Rate limits kept in the database: instances sharing one database share one limit per client,
// and the counters never hold a bearer token itself.
import { expect } from "chai";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { ADMIN, startTestPlatform, type TestPlatform } from "../helpers/platform";

const MASTER_KEY = "cd".repeat(32);

describe("rate limits shared through the database", function () {
  const platforms: TestPlatform[] = [];
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    const env = { RATE_LIMIT_STORE: "database", RATE_LIMIT_PER_TOKEN_PER_MIN: "12", LOGIN_RATE_LIMIT_PER_MIN: "6", MASTER_KEY };
    if (testDbKind() === "postgresql") {
      // Two instances on one PostgreSQL, as in a scaled-out deployment.
      const db = await createPostgresDatabase();
      drop = db.drop;
      platforms.push(await startTestPlatform(env, { databaseUrl: db.url }));
      platforms.push(await startTestPlatform(env, { databaseUrl: db.url }));
    } else {
      platforms.push(await startTestPlatform(env));
    }
  });
  after(async () => {
    for (const p of platforms) await p.stop();
    await drop?.();
  });

  it("counts one token's calls across every instance and answers 429 past the limit", async () => {
    const token = platforms[0].adminToken;
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const p = platforms[i % platforms.length];
      statuses.push((await p.api("GET", "/api/auth/me", { token })).status);
    }
    // The start-up logins went through the login route (its own limiter): 12 calls pass, then 429.
    expect(statuses.slice(0, 12).every((s) => s === 200), statuses.join(",")).to.equal(true);
    expect(statuses.slice(12)).to.deep.equal([429, 429]);
    const limited = await platforms[platforms.length - 1].api("GET", "/api/auth/me", { token });
    expect(limited.status).to.equal(429);
    expect(limited.headers.get("retry-after")).to.equal("60");
    expect(((await limited.json()) as any).error.code).to.equal("rate_limited");
    // Another client has its own count.
    expect((await platforms[0].api("GET", "/api/auth/me", { token: "eat_" + "C".repeat(43) })).status).to.equal(401);
  });

  it("counts logins per address across instances", async () => {
    // Each instance's start-up login counted once; 6 are allowed in the window.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = platforms[i % platforms.length];
      statuses.push((await p.api("POST", "/api/auth/login", { json: { email: ADMIN.email, password: "wrong-password" } })).status);
    }
    const allowed = 6 - platforms.length;
    expect(statuses).to.deep.equal([...Array(allowed).fill(401), ...Array(6 - allowed).fill(429)]);
  });

  it("stores only hashes of the keys, never the token", async () => {
    const rows = await platforms[0].platform.database.db.rateLimitCounter.findMany();
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) expect(r.key).to.match(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(dump).not.to.contain(platforms[0].adminToken);
    expect(dump).not.to.contain("127.0.0.1");
  });
});
