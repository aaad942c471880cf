// The root's CRL for the CAs it issued (the ARL, GET /api/pki/arl): read and verified by openssl
// with the root, named as distribution point in the issuing CA's certificate, an issuing CA
// certificate naming another URL recertified at start (same key), and a freshly signed two-signer
// contract judged VALID by pyHanko in its strict default mode (no soft revocation). PUBLIC_URL is
// a proxy port in front of the platform, so that pyHanko fetches the ARL and the CRL themselves.
import { expect } from "chai";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { databaseForTest } from "../helpers/database";
import { TcpProxy } from "../helpers/tcp-proxy";
import { codeIn, waitForMail } from "../helpers/outbox-mail";
import { pyhankoPath, pyhankoValidateAsync } from "../helpers/pyhanko";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { parseCertificatePem } from "../../server/pki/certificate-parse";
import { IdentityService } from "../../server/identity/service";

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return JSON.parse(text);
}

/** The platform behind a proxy listening at the port its PUBLIC_URL names. */
async function platformAtPublicUrl(opts: { dataDir: string; databaseUrl?: string }): Promise<{ tp: TestPlatform; proxy: TcpProxy; publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const tp = await startTestPlatform({ PUBLIC_URL: publicUrl }, opts);
  const proxy = new TcpProxy(port, Number(new URL(tp.url).port));
  await proxy.start();
  return { tp, proxy, publicUrl };
}

const cdpOf = (dir: string, pem: string): string => {
  const file = path.join(dir, `cert-${Math.random().toString(36).slice(2)}.pem`);
  fs.writeFileSync(file, pem);
  const r = run("openssl", ["x509", "-in", file, "-noout", "-ext", "crlDistributionPoints"]);
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout;
};

describe("identity: the ARL, the root's CRL for the issuing CA", function () {
  this.timeout(240_000);
  let database: Awaited<ReturnType<typeof databaseForTest>>;
  let dataDir: string;
  let tp: TestPlatform;
  let proxy: TcpProxy;
  let publicUrl: string;
  let tmp: ReturnType<typeof tempDir>;
  let rootFile: string;

  before(async () => {
    database = await databaseForTest();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-arl-"));
    ({ tp, proxy, publicUrl } = await platformAtPublicUrl({ dataDir, databaseUrl: database.databaseUrl }));
    tmp = tempDir("arl-");
    rootFile = tmp.file("root.pem", tp.platform.identity.rootPem());
  });
  after(async () => {
    await proxy?.cut();
    await tp?.stop();
    await database?.drop();
    tmp?.rm();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("GET /api/pki/arl: DER, application/pkix-crl, signed by the root (openssl crl -CAfile root), with a number and nextUpdate", async () => {
    const res = await tp.api("GET", "/api/pki/arl");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/pkix-crl/);
    const der = Buffer.from(await res.arrayBuffer());
    const file = tmp.file("arl.der", der);
    const r = run("openssl", ["crl", "-inform", "DER", "-in", file, "-CAfile", rootFile, "-noout", "-text"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain("verify OK");
    expect(r.stdout).to.match(/Issuer: .*CN = Evidence Platform Root CA/);
    expect(r.stdout).to.match(/Next Update: /);
    expect(r.stdout).to.contain("No Revoked Certificates");
    // Not the issuing CA's CRL: that one does not verify with the root.
    const crl = tmp.file("crl.der", Buffer.from(await (await tp.api("GET", "/api/pki/crl")).arrayBuffer()));
    expect(run("openssl", ["crl", "-inform", "DER", "-in", crl, "-CAfile", rootFile, "-noout"]).stderr).to.not.contain("verify OK");

    const first = IdentityService.readCrl(der);
    expect(first.signatureValidFor(tp.platform.identity.rootPem())).to.equal(true);
    const next = IdentityService.readCrl(await tp.platform.identity.publishArl());
    expect(next.crlNumber).to.equal(first.crlNumber + 1n);
    const served = IdentityService.readCrl(Buffer.from(await (await tp.api("GET", "/api/pki/arl")).arrayBuffer()));
    expect(served.crlNumber).to.equal(next.crlNumber);
  });

  it("the issuing CA's certificate names the ARL, the TSA's and holders' the issuing CA's CRL", () => {
    const certs = tp.platform.identity.platformCertificates();
    expect(cdpOf(tmp.dir, certs.issuing)).to.contain(`URI:${publicUrl}/api/pki/arl`);
    expect(cdpOf(tmp.dir, certs.tsa)).to.contain(`URI:${publicUrl}/api/pki/crl`);
  });

  it("a freshly signed two-signer contract passes pyHanko in its strict default mode, the platform root as trust anchor", async function () {
    const exe = pyhankoPath();
    if (!exe) this.skip();
    const user = async (name: string) => {
      const email = `${Math.random().toString(36).slice(2, 10)}-${process.pid}@example.com`;
      const u = await json(await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: "user-password-1", role: "member" } }), 201);
      return { id: u.id as string, email, token: await tp.login(email, "user-password-1") };
    };
    const [a, b] = [await user("张三"), await user("李四")];
    const contract = await json(
      await tp.api("POST", "/api/contracts", {
        token: a.token,
        json: {
          title: "服务合同",
          template: {
            id: "service-agreement",
            fields: {
              partyA: { name: "甲科技有限公司" },
              partyB: { name: "乙贸易有限公司" },
              service: "乙方为甲方提供信息系统运维服务。",
              amount: { value: "1000.00", currency: "CNY" },
              startDate: "2026-12-01",
              endDate: "2027-11-30",
              place: "福州市",
            },
          },
          signers: [
            { userId: a.id, step: 1, role: "甲方" },
            { userId: b.id, step: 1, role: "乙方" },
          ],
        },
      }),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${contract.id}/send`, { token: a.token, json: {} }), 200);
    for (const u of [a, b]) {
      const link = new URL(sent.invitations.find((i: any) => i.userId === u.id).url).pathname;
      await json(await tp.api("GET", link, { token: u.token }), 200);
      await json(await tp.api("POST", `${link}/code`, { token: u.token }), 201);
      const [mail] = await waitForMail(tp.dataDir, u.email, /签署验证码/);
      await json(await tp.api("POST", `${link}/sign`, { token: u.token, json: { code: codeIn(mail) } }), 200);
    }
    const doc = await tp.api("GET", `/api/contracts/${contract.id}/document`, { token: a.token });
    expect(doc.status).to.equal(200);
    const file = tmp.file("contract.pdf", Buffer.from(await doc.arrayBuffer()));
    const verdict = await pyhankoValidateAsync(exe!, file, rootFile);
    expect(verdict.signatures, verdict.output).to.have.length(2);
    for (const s of verdict.signatures) expect(s.valid, s.text).to.equal(true);
    expect(verdict.output).to.not.contain("no revocation information");
    // pdfsig (NSS) asks the platform's OCSP responder named in each certificate's AIA, through PUBLIC_URL
    if (haveTool("pdfsig") && haveTool("certutil")) {
      const report = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
      expect(report.signatures, report.output).to.have.length(2);
      for (const s of report.signatures) expect(s.validation + " / " + s.certificateValidation, report.output).to.equal("Signature is Valid. / Certificate is Trusted.");
    }
  });

  it("at start, an issuing CA certificate naming another distribution point is recertified by the root for the same key", async () => {
    const before = parseCertificatePem(tp.platform.identity.platformCertificates().issuing);
    await proxy.cut();
    await tp.stop(); // on PostgreSQL this drops nothing: the database is this test's own (dropped in after)
    // A new PUBLIC_URL: the stored certificate names the old ARL URL, as a pre-ARL one names /api/pki/crl.
    ({ tp, proxy, publicUrl } = await platformAtPublicUrl({ dataDir, databaseUrl: database.databaseUrl }));
    const after = parseCertificatePem(tp.platform.identity.platformCertificates().issuing);
    expect(after.serialHex).to.not.equal(before.serialHex);
    expect(after.spkiDer.equals(before.spkiDer)).to.equal(true);
    expect(after.subjectDer.equals(before.subjectDer)).to.equal(true);
    expect(cdpOf(tmp.dir, after.pem)).to.contain(`URI:${publicUrl}/api/pki/arl`);
    const chain = tmp.file("issuing.pem", after.pem);
    const v = run("openssl", ["verify", "-CAfile", rootFile, chain]);
    expect(v.status, v.stdout + v.stderr).to.equal(0);
    // A second start with the same PUBLIC_URL keeps it.
    const again = new IdentityService(tp.platform.database.db, (tp.platform.identity as any).vault, publicUrl, tp.platform.audit);
    await again.init();
    expect(parseCertificatePem(again.platformCertificates().issuing).serialHex).to.equal(after.serialHex);
  });
});
