// The API of a server started as a separate process (crash and restart tests), and the setup
// those tests share: an organisation with an endpoint, and a contract sent by one of its members.
import { expect } from "chai";
import { ADMIN } from "../helpers/platform";

export async function call(url: string, method: string, route: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(url + route, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `${method} ${route}: ${text}`).to.be.within(200, 299);
  return text ? JSON.parse(text) : null;
}
export const login = async (url: string, email: string, password: string) => (await call(url, "POST", "/api/auth/login", undefined, { email, password })).token as string;

/** An organisation, its administrator with an endpoint at `hookUrl`, a member sending a contract: one contract.sent delivery. */
export async function sendContract(url: string, hookUrl: string): Promise<{ orgId: string; hookId: string; secret: string; adminToken: string }> {
  const admin = await login(url, ADMIN.email, ADMIN.password);
  const org = await call(url, "POST", "/api/organizations", admin, { name: "甲科技有限公司" });
  const mk = async (tag: string, orgAdmin: boolean) => {
    const email = `${tag}-${process.pid}-${Date.now()}@example.com`;
    const u = await call(url, "POST", "/api/users", admin, { email, name: tag, password: "user-password-1", role: "member", organizationId: org.id, orgAdmin });
    return { id: u.id as string, token: await login(url, email, "user-password-1") };
  };
  const [orgAdmin, member] = [await mk("orgadmin", true), await mk("member", false)];
  const hook = await call(url, "POST", `/api/organizations/${org.id}/webhooks`, orgAdmin.token, { url: hookUrl, events: ["contract.sent"] });
  const c = await call(url, "POST", "/api/contracts", member.token, {
    title: "崩溃 crash",
    template: { id: "nda", fields: { partyA: { name: "甲" }, partyB: { name: "乙" }, purpose: "评估 evaluation", effectiveDate: "2026-12-01", term: "一年" } },
    signers: [{ userId: orgAdmin.id, step: 1 }],
  });
  await call(url, "POST", `/api/contracts/${c.id}/send`, member.token, {});
  return { orgId: org.id, hookId: hook.id, secret: hook.secret, adminToken: orgAdmin.token };
}
