// Helpers for the API tests that use the real openssl 3 CLI as the independent checker of the
// platform's PKI: the public PKI files, users with chosen names, certificate subjects as openssl
// reads them.
import { expect } from "chai";
import { OpensslDir } from "../pki/openssl";
import type { TestPlatform } from "./platform";

export { OpensslDir };

/** The PEM blocks of one type in a text, in order. */
export function pemBlocks(text: string, type = "CERTIFICATE"): string[] {
  const re = new RegExp(`-----BEGIN ${type}-----[\\s\\S]*?-----END ${type}-----`, "g");
  return (text.match(re) ?? []).map((b) => b + "\n");
}

/** GET /api/pki/root.pem and /api/pki/ca.pem without a token; written to root.pem, ca.pem, issuing.pem. */
export async function fetchPki(tp: TestPlatform, dir: OpensslDir): Promise<{ rootPem: string; caPem: string; issuingPem: string }> {
  const root = await tp.api("GET", "/api/pki/root.pem");
  const ca = await tp.api("GET", "/api/pki/ca.pem");
  expect(root.status).to.equal(200);
  expect(ca.status).to.equal(200);
  const rootPem = await root.text();
  const caPem = await ca.text();
  expect(pemBlocks(rootPem)).to.have.length(1);
  expect(pemBlocks(caPem)).to.have.length(2);
  const issuingPem = pemBlocks(caPem)[0];
  dir.write("root.pem", rootPem);
  dir.write("ca.pem", caPem);
  dir.write("issuing.pem", issuingPem);
  return { rootPem, caPem, issuingPem };
}

/**
 * A distinguished name as openssl prints it (RFC 2253, UTF-8 kept), as a map of short names
 * (CN, O, C, serialNumber, emailAddress) to values. Values here never contain commas.
 */
export function opensslName(dir: OpensslDir, certFile: string, which: "subject" | "issuer" = "subject"): Record<string, string> {
  const out = dir.ok("x509", "-in", certFile, "-noout", `-${which}`, "-nameopt", "RFC2253,-esc_msb,utf8").stdout.trim();
  const text = out.replace(new RegExp(`^${which}=`), "");
  const fields: Record<string, string> = {};
  for (const part of text.split(/(?<!\\),/)) {
    const eq = part.indexOf("=");
    fields[part.slice(0, eq)] = part.slice(eq + 1).replace(/\\(.)/g, "$1");
  }
  return fields;
}

/** The serial number openssl prints for a certificate, lower-case hex without leading zero bytes. */
export function opensslSerial(dir: OpensslDir, certFile: string): string {
  const out = dir.ok("x509", "-in", certFile, "-noout", "-serial").stdout.trim();
  return normalSerial(out.replace(/^serial=/, ""));
}

export function normalSerial(hex: string): string {
  let h = hex.toLowerCase().replace(/^0x/, "").replace(/:/g, "");
  if (h.length % 2) h = "0" + h;
  while (h.length > 2 && h.startsWith("00")) h = h.slice(2);
  return h;
}

/** Creates a user with a chosen display name through the API and logs in. */
export async function createNamedUser(
  tp: TestPlatform,
  name: string,
  opts: { role?: string; organizationId?: string } = {},
): Promise<{ id: string; email: string; name: string; token: string }> {
  const email = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "user-password-1";
  const res = await tp.api("POST", "/api/users", {
    token: tp.adminToken,
    json: { email, name, password, role: opts.role ?? "member", ...(opts.organizationId ? { organizationId: opts.organizationId } : {}) },
  });
  expect(res.status, await res.clone().text()).to.equal(201);
  const { id } = (await res.json()) as { id: string };
  return { id, email, name, token: await tp.login(email, password) };
}

/** The JSON body of a response after checking its status (the body is shown on a mismatch). */
export async function expectJson(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
