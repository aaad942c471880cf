import { expect } from "chai";
import { startTestPlatform, ADMIN, type TestPlatform } from "../helpers/platform";

describe("HTTP hardening", function () {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform({ CORS_ORIGINS: "https://court.example", LOGIN_RATE_LIMIT_PER_MIN: "3", RATE_LIMIT_PER_TOKEN_PER_MIN: "40" });
  });
  after(async () => tp.stop());

  it("sends security headers and a request id (echoing a well-formed one)", async () => {
    const res = await tp.api("GET", "/api/health");
    expect(res.headers.get("content-security-policy")).to.contain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
    expect(res.headers.get("x-frame-options")).to.equal("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).to.contain("max-age=");
    expect(res.headers.get("x-powered-by")).to.equal(null);
    expect(res.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
    const echoed = await tp.api("GET", "/api/health", { headers: { "x-request-id": "trace-42" } });
    expect(echoed.headers.get("x-request-id")).to.equal("trace-42");
    const injected = await tp.api("GET", "/api/health", { headers: { "x-request-id": "bad id\twith tab" } });
    expect(injected.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
  });

  it("CORS: only listed origins get CORS headers; other preflights are refused", async () => {
    const ok = await tp.api("OPTIONS", "/api/verify", { headers: { origin: "https://court.example", "access-control-request-method": "POST" } });
    expect(ok.status).to.equal(204);
    expect(ok.headers.get("access-control-allow-origin")).to.equal("https://court.example");
    const refused = await tp.api("OPTIONS", "/api/verify", { headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(refused.status).to.equal(403);
    expect(refused.headers.get("access-control-allow-origin")).to.equal(null);
    const simple = await tp.api("GET", "/api/health", { headers: { origin: "https://evil.example" } });
    expect(simple.headers.get("access-control-allow-origin")).to.equal(null);
  });

  it("a known path with another method: 405 with an Allow header (RFC 9110); an unknown path: 404", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/api/verify", "POST"],
      ["POST", "/api/health", "GET, HEAD"],
      ["DELETE", "/api/evidence", "GET, HEAD, POST"],
      ["PATCH", "/api/evidence/some-id", "GET, HEAD"],
      ["GET", "/rpc", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await tp.api(method, path, { token: tp.adminToken });
      expect(res.status, `${method} ${path}`).to.equal(405);
      expect(res.headers.get("allow"), `${method} ${path}`).to.equal(allow);
      expect(((await res.json()) as any).error.code).to.equal("method_not_allowed");
    }
    // Authentication still comes first: no token, no route table.
    expect((await tp.api("DELETE", "/api/evidence")).status).to.equal(401);
    const unknown = await tp.api("GET", "/api/no-such-thing");
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get("allow")).to.equal(null);
    expect(((await unknown.json()) as any).error.code).to.equal("no_such_route");
  });

  it("rate-limits logins per IP and calls per token, with 429, Retry-After and the error body", async () => {
    // The platform's own start-up login used one of the three.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await tp.api("POST", "/api/auth/login", { json: { email: ADMIN.email, password: "wrong-password" } })).status);
    expect(statuses).to.deep.equal([401, 401, 429]);
    const limited = await tp.api("POST", "/api/auth/login", { json: ADMIN });
    expect(limited.status).to.equal(429);
    expect(limited.headers.get("retry-after")).to.equal("60");
    expect(((await limited.json()) as any).error.code).to.equal("rate_limited");

    let last = 0;
    for (let i = 0; i < 45 && last !== 429; i++) last = (await tp.api("GET", "/api/auth/me", { token: tp.adminToken })).status;
    expect(last).to.equal(429);
    // Another token is not affected by the first one's limit.
    expect((await tp.api("GET", "/api/auth/me", { token: "eat_" + "B".repeat(43) })).status).to.equal(401);
  });
});
