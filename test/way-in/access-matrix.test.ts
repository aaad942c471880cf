// Every route the way in added, called by every kind of user, against expectations written out by
// hand (not derived from the code's own tables): the platform administrator, an organisation's
// administrator and plain member, another organisation's administrator, a judge with no
// organisation, and nobody (no token). Targets are fresh for each call, so that one call's change
// does not decide another's answer.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { ORGANIZATION_ROUTES } from "../../server/organizations/access";

const WHO = ["admin", "orgAdminA", "memberA", "orgAdminB", "judge", "anonymous"] as const;
type Who = (typeof WHO)[number];
type Row = [admin: number, orgAdminA: number, memberA: number, orgAdminB: number, judge: number, anonymous: number];

describe("the way in: access matrix of every new route x every kind of user", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let orgA: string;
  let orgB: string;
  const tokens = {} as Record<Who, string | undefined>;
  let n = 0;

  /** A new pending member of organisation A: the target of member routes. */
  const freshMember = async () => {
    const email = `target${++n}-${process.pid}@example.com`;
    const res = await tp.api("POST", "/api/users/invite", { token: tp.adminToken, json: { email, name: `Target ${n}`, role: "member", organizationId: orgA } });
    expect(res.status, await res.clone().text()).to.equal(201);
    return ((await res.json()) as { id: string }).id;
  };
  const unique = () => `x${++n}-${process.pid}`;

  // path (with :id = organisation A, :userId = a fresh member) and body -> expected status per user
  const CASES: { method: string; path: string; body?: () => unknown; expect: Row }[] = [
    { method: "POST", path: "/api/organizations", body: () => ({ name: `Org ${unique()}`, kind: "enterprise" }), expect: [201, 403, 403, 403, 403, 401] },
    { method: "GET", path: "/api/organizations", expect: [200, 200, 200, 200, 200, 401] },
    { method: "GET", path: "/api/organizations/:id", expect: [200, 200, 200, 404, 404, 401] },
    { method: "GET", path: "/api/organizations/:id/members", expect: [200, 200, 403, 404, 404, 401] },
    { method: "POST", path: "/api/organizations/:id/members", body: () => ({ email: `${unique()}@example.com`, name: "New" }), expect: [202, 202, 403, 404, 404, 401] },
    { method: "PATCH", path: "/api/organizations/:id/members/:userId", body: () => ({ orgAdmin: true }), expect: [200, 200, 403, 404, 404, 401] },
    { method: "DELETE", path: "/api/organizations/:id/members/:userId", expect: [204, 204, 403, 404, 404, 401] },
    { method: "POST", path: "/api/organizations/:id/members/:userId/invitation", expect: [202, 202, 403, 404, 404, 401] },
    { method: "GET", path: "/api/organizations/:id/contracts", expect: [200, 200, 403, 404, 404, 401] },
    { method: "GET", path: "/api/organizations/:id/certificates", expect: [200, 200, 403, 404, 404, 401] },
    { method: "GET", path: "/api/users", expect: [200, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/users/invite", body: () => ({ email: `${unique()}@example.com`, name: "New", role: "lawyer" }), expect: [201, 403, 403, 403, 403, 401] },
    { method: "PATCH", path: "/api/users/:userId", body: () => ({ name: "Renamed" }), expect: [200, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/users/:userId/disable", expect: [200, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/users/:userId/enable", expect: [200, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/users/:userId/password-reset", expect: [202, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/users/:userId/invitation", expect: [202, 403, 403, 403, 403, 401] },
    { method: "GET", path: "/api/directory/people", expect: [200, 200, 200, 200, 200, 401] },
    { method: "GET", path: "/api/directory/organizations", expect: [200, 200, 200, 200, 200, 401] },
    { method: "GET", path: "/api/notifications", expect: [200, 200, 200, 200, 200, 401] },
    { method: "GET", path: "/api/notifications/outbox", expect: [200, 403, 403, 403, 403, 401] },
    { method: "POST", path: "/api/notifications/outbox/00000000-0000-4000-8000-000000000000/retry", expect: [404, 403, 403, 403, 403, 401] },
    { method: "GET", path: "/api/anchoring/status", expect: [200, 403, 403, 403, 403, 401] },
    { method: "GET", path: "/api/audit?order=desc&action=user.", expect: [200, 403, 403, 403, 200, 401] },
    { method: "POST", path: "/api/auth/password-reset", body: () => ({ email: "someone@example.com" }), expect: [202, 202, 202, 202, 202, 202] },
    { method: "GET", path: `/api/account-links/acl_${"B".repeat(43)}`, expect: [404, 404, 404, 404, 404, 404] },
    { method: "POST", path: `/api/account-links/acl_${"B".repeat(43)}/accept`, body: () => ({ password: "a-long-password-1" }), expect: [404, 404, 404, 404, 404, 404] },
  ];

  before(async () => {
    tp = await startTestPlatform();
    const org = async (name: string, kind: string) => {
      const res = await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } });
      return ((await res.json()) as { id: string }).id;
    };
    orgA = await org("甲科技有限公司", "enterprise");
    orgB = await org("某律师事务所", "law_firm");
    const user = async (role: string, organizationId: string | undefined, orgAdmin: boolean) => {
      const email = `${role}-${unique()}@example.com`;
      const res = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name: role, password: "user-password-1", role, ...(organizationId ? { organizationId, orgAdmin } : {}) } });
      expect(res.status, await res.clone().text()).to.equal(201);
      return tp.login(email, "user-password-1");
    };
    tokens.admin = tp.adminToken;
    tokens.orgAdminA = await user("member", orgA, true);
    tokens.memberA = await user("member", orgA, false);
    tokens.orgAdminB = await user("lawyer", orgB, true);
    tokens.judge = await user("judge", undefined, false);
    tokens.anonymous = undefined;
  });
  after(async () => tp?.stop());

  it("covers every organisation route", () => {
    const covered = new Set(CASES.map((c) => `${c.method} ${c.path.replace(/\?.*$/, "")}`));
    for (const r of ORGANIZATION_ROUTES) expect(covered, `${r.method} ${r.path}`).to.include(`${r.method.toUpperCase()} /api/organizations${r.path === "/" ? "" : r.path}`);
  });

  it("answers each route as written for each kind of user", async () => {
    const actual: Record<string, Record<Who, number>> = {};
    const expected: Record<string, Record<Who, number>> = {};
    for (const c of CASES) {
      const key = `${c.method} ${c.path}`;
      actual[key] = {} as Record<Who, number>;
      expected[key] = Object.fromEntries(WHO.map((w, i) => [w, c.expect[i]])) as Record<Who, number>;
      for (const who of WHO) {
        const path = c.path.replace(":id", orgA).replace(":userId", c.path.includes(":userId") ? await freshMember() : "");
        const body = c.body?.();
        const res = await tp.api(c.method, path, { token: tokens[who], ...(body !== undefined ? { json: body } : {}) });
        actual[key][who] = res.status;
        if (res.status >= 400) {
          const err = (await res.json()) as { error?: { code?: string } };
          expect(err.error?.code, `${key} as ${who}`).to.be.a("string");
        }
      }
    }
    expect(actual).to.deep.equal(expected);
  });
});
