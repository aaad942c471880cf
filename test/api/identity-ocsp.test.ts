// The OCSP responder at /api/ocsp (RFC 6960), with openssl ocsp as the independent client: good,
// revoked (time and reason, after the revocation route), unknown (a serial never issued, another
// issuer's CertID), the nonce echoed, SHA-1 and SHA-256 CertIDs, several certificates in one
// request, the GET form (base64, base64url, percent-encoded), malformedRequest, 415 and 413; and
// the certificates: holders name the responder and the issuing CA's certificate (AIA), the
// responder's own certificate is a delegated OCSP signer (OCSPSigning, nocheck) of the issuing CA;
// and pyhanko-certvalidator, another validator we did not write, decides good and revoked from
// the responses alone.
import { expect } from "chai";
import { spawn } from "node:child_process";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { pyhankoPath } from "../helpers/pyhanko";
import { IdentityService } from "../../server/identity/service";
import { createNamedUser, expectJson, fetchPki, OpensslDir, pemBlocks } from "../helpers/openssl";

describe("identity: the OCSP responder, checked with openssl ocsp (API)", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  const ossl = new OpensslDir("identity-ocsp-");
  let url: string;
  let holder: { id: string; serialHex: string };
  let other: { id: string; serialHex: string };

  /** A holder certificate issued through the API, written to `<file>`. */
  async function newHolder(file: string) {
    const user = await createNamedUser(tp, "王五 Wang Wu");
    const cert = await expectJson(await tp.api("POST", "/api/certificates", { token: user.token, json: {} }), 201);
    ossl.write(file, cert.certPem);
    return { id: cert.id as string, serialHex: cert.serialHex as string, token: user.token };
  }

  /** openssl without blocking the event loop: the platform it asks runs in this process. */
  function runAsync(...args: string[]): Promise<{ status: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn("openssl", args, { cwd: ossl.dir, env: { ...process.env, LC_ALL: "C.UTF-8" } });
      let output = "";
      child.stdout.on("data", (c) => (output += c));
      child.stderr.on("data", (c) => (output += c));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, output }));
    });
  }

  /** `openssl ocsp` against the responder, trusting the root; the issuing CA is the issuer. */
  const ask = (...args: string[]) => runAsync("ocsp", "-issuer", "issuing.pem", "-url", url, "-CAfile", "root.pem", "-resp_text", ...args);

  before(async () => {
    tp = await startTestPlatform({});
    url = `${tp.url}/api/ocsp`;
    await fetchPki(tp, ossl);
    holder = await newHolder("holder.pem");
    other = await newHolder("other.pem");
  });
  after(async () => {
    await tp.stop();
    ossl.remove();
  });

  it("a holder certificate names the responder and the issuing CA's certificate (AIA) besides the CRL", async () => {
    const publicUrl = tp.platform.identity.ocspUrl.replace(/\/api\/ocsp$/, "");
    expect(ossl.ok("x509", "-in", "holder.pem", "-noout", "-ocsp_uri").stdout.trim()).to.equal(`${publicUrl}/api/ocsp`);
    const text = ossl.ok("x509", "-in", "holder.pem", "-noout", "-ext", "authorityInfoAccess,crlDistributionPoints").stdout;
    expect(text).to.contain(`CA Issuers - URI:${publicUrl}/api/pki/issuing-ca.cer`);
    expect(text).to.contain(`URI:${publicUrl}/api/pki/crl`);
    // The caIssuers URL serves the issuing CA's certificate as DER.
    const res = await tp.api("GET", "/api/pki/issuing-ca.cer");
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^application\/pkix-cert/);
    ossl.write("issuing.cer", Buffer.from(await res.arrayBuffer()));
    const pem = ossl.ok("x509", "-inform", "DER", "-in", "issuing.cer").stdout;
    expect(pem.trim()).to.equal(ossl.read("issuing.pem").toString().trim());
  });

  it("the responder's certificate: issued by the issuing CA, OCSP Signing only, OCSP No Check, short-lived", async () => {
    const pem = await tp.platform.identity.ocspSignerPem();
    ossl.write("responder.pem", pem);
    const text = ossl.ok("x509", "-in", "responder.pem", "-noout", "-text").stdout;
    expect(text).to.match(/X509v3 Extended Key Usage: *\n *OCSP Signing\n/);
    expect(text).to.contain("OCSP No Check");
    expect(ossl.ok("x509", "-in", "responder.pem", "-noout", "-ocsp_uri").stdout.trim()).to.equal(""); // nocheck: it names no responder for itself
    const v = ossl.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "ocsphelper", "responder.pem");
    expect(v.status, v.output).to.equal(0);
    const end = new Date(ossl.ok("x509", "-in", "responder.pem", "-noout", "-enddate").stdout.trim().replace(/^notAfter=/, ""));
    expect(end.getTime() - Date.now()).to.be.within(20 * 86_400_000, 31 * 86_400_000);
  });

  it("good: openssl verifies the response with the root, and the nonce it sent is echoed", async () => {
    const r = await ask("-cert", "holder.pem");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.contain("Response verify OK");
    expect(r.output).to.match(/holder\.pem: good/);
    expect(r.output).to.match(/OCSP Nonce: *\n *0410[0-9A-F]{32}/);
    expect(r.output).to.not.contain("WARNING"); // openssl warns when the nonce is missing or the times are off
    expect(r.output).to.match(/Responder Id: [0-9A-F]{40}/); // byKey
    expect(r.output).to.match(/This Update: .*\n\s*Next Update: /);
  });

  it("without a nonce in the request, the response has none", async () => {
    const r = await ask("-cert", "holder.pem", "-no_nonce");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.match(/holder\.pem: good/);
    expect(r.output).to.not.contain("OCSP Nonce");
  });

  it("a SHA-256 CertID and several certificates in one request", async () => {
    const r = await ask("-sha256", "-cert", "holder.pem", "-cert", "other.pem");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.contain("Response verify OK");
    expect(r.output).to.match(/holder\.pem: good/);
    expect(r.output).to.match(/other\.pem: good/);
    expect(r.output).to.contain("Hash Algorithm: sha256");
  });

  it("unknown: a serial the CA never issued, and a certificate of another issuer (the root's)", async () => {
    const never = await ask("-serial", "0x4abcdef0123456789abcdef012345678");
    expect(never.status, never.output).to.equal(0);
    expect(never.output).to.contain("Response verify OK");
    expect(never.output).to.match(/0x4abcdef0123456789abcdef012345678: unknown/i);
    // The issuing CA's own CertID names the root as issuer: this responder does not answer for it.
    // Its signer is not the root's delegate, so openssl is told to trust it (-VAfile).
    const root = await runAsync("ocsp", "-issuer", "root.pem", "-cert", "issuing.pem", "-url", url, "-VAfile", "responder.pem", "-resp_text");
    expect(root.status, root.output).to.equal(0);
    expect(root.output).to.match(/issuing\.pem: unknown/);
  });

  it("revoked: after the revocation route, with the reason and the revocation time; other holders stay good", async () => {
    const revoked = await expectJson(await tp.api("POST", `/api/certificates/${holder.id}/revoke`, { token: tp.adminToken, json: { reason: "keyCompromise" } }), 200);
    const r = await ask("-cert", "holder.pem", "-cert", "other.pem");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.contain("Response verify OK");
    expect(r.output).to.match(/holder\.pem: revoked/);
    expect(r.output).to.match(/other\.pem: good/);
    expect(r.output).to.match(/Reason: keyCompromise/);
    const time = /Revocation Time: (.+)/.exec(r.output)![1];
    expect(new Date(time).toISOString()).to.equal(new Date(Math.floor(Date.parse(revoked.revokedAt) / 1000) * 1000).toISOString());
  });

  it("pyhanko-certvalidator, given only the responder's answers, judges a holder valid and a revoked one revoked", async function () {
    const exe = pyhankoPath();
    if (!exe) this.skip();
    const python = path.join(path.dirname(exe!), "python");
    const script = path.join(__dirname, "..", "helpers", "ocsp-status.py");
    const judge = (cert: string, response: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(python, [script, "root.pem", "issuing.pem", cert, response], { cwd: ossl.dir });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        child.on("error", reject);
        child.on("close", () => resolve(out.trim()));
      });
    const verdict = async (cert: string) => {
      const r = await ask("-cert", cert, "-respout", `${cert}.ocsp.der`);
      expect(r.status, r.output).to.equal(0);
      return judge(cert, `${cert}.ocsp.der`);
    };
    expect(await verdict("other.pem")).to.equal("VALID");
    expect(await verdict("holder.pem")).to.match(/^REVOKED OCSP response indicates .* was revoked at .*, due to a compromised key\./); // revoked in the test above
    // A response about another certificate is no revocation data for this one.
    expect(await judge("holder.pem", "other.pem.ocsp.der")).to.match(/^INVALID/);
  });

  describe("the GET form (RFC 6960 Appendix A.1)", () => {
    let request: Buffer;
    before(() => {
      ossl.ok("ocsp", "-issuer", "issuing.pem", "-cert", "other.pem", "-reqout", "get-req.der");
      request = ossl.read("get-req.der");
    });

    async function getAndCheck(path: string, name: string) {
      const res = await tp.api("GET", path);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^application\/ocsp-response/);
      ossl.write(`${name}.der`, Buffer.from(await res.arrayBuffer()));
      // -cert builds a request of its own (without a nonce here), so the nonce is compared apart.
      const r = ossl.run("ocsp", "-respin", `${name}.der`, "-issuer", "issuing.pem", "-cert", "other.pem", "-CAfile", "root.pem", "-no_nonce", "-resp_text");
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.contain("Response verify OK");
      expect(r.output).to.match(/other\.pem: good/);
      const nonce = (text: string) => /OCSP Nonce: *\n *(0410[0-9A-F]{32})/.exec(text)?.[1];
      const sent = nonce(ossl.ok("ocsp", "-reqin", "get-req.der", "-req_text").stdout);
      expect(sent).to.be.a("string");
      expect(nonce(r.output)).to.equal(sent);
    }

    it("base64, as it is, with its '/' and '+' in the path", async () => {
      await getAndCheck(`/api/ocsp/${request.toString("base64")}`, "get-plain");
    });
    it("percent-encoded, and base64url without padding", async () => {
      await getAndCheck(`/api/ocsp/${encodeURIComponent(request.toString("base64"))}`, "get-pct");
      await getAndCheck(`/api/ocsp/${request.toString("base64url")}`, "get-url");
    });
    it("a path that is no base64 OCSP request: malformedRequest", async () => {
      for (const bad of ["not*base64", Buffer.from("hello").toString("base64"), "%2A%2A"]) {
        const res = await tp.api("GET", `/api/ocsp/${bad}`);
        expect(res.status, bad).to.equal(200);
        ossl.write("get-bad.der", Buffer.from(await res.arrayBuffer()));
        expect(ossl.run("ocsp", "-respin", "get-bad.der", "-resp_text", "-noverify").output, bad).to.contain("Responder Error: malformedrequest (1)");
      }
      // Not even a URL path (a broken percent-escape): Express refuses it before the route, with a 4xx.
      expect((await tp.api("GET", "/api/ocsp/%zz")).status).to.equal(400);
    });
  });

  describe("bad requests", () => {
    const post = (body: Buffer, contentType: string | null) =>
      tp.api("POST", "/api/ocsp", { body: new Uint8Array(body), headers: contentType ? { "content-type": contentType } : {} });

    it("not DER, an empty request list, a BER length: 200 with malformedRequest, which openssl reads", async () => {
      const good = ossl.read("get-req.der");
      const ber = Buffer.concat([Buffer.from([0x30, 0x81, good[1]]), good.subarray(2)]); // non-minimal length
      const cases: [string, Buffer][] = [
        ["garbage", Buffer.from("this is not an OCSP request")],
        ["empty body", Buffer.alloc(0)],
        ["empty requestList", Buffer.from("30043002" + "3000", "hex")],
        ["non-minimal length", ber],
      ];
      for (const [name, body] of cases) {
        const res = await post(body, "application/ocsp-request");
        expect(res.status, name).to.equal(200);
        expect(res.headers.get("content-type"), name).to.match(/^application\/ocsp-response/);
        ossl.write("bad.der", Buffer.from(await res.arrayBuffer()));
        expect(ossl.run("ocsp", "-respin", "bad.der", "-resp_text", "-noverify").output, name).to.contain("Responder Error: malformedrequest (1)");
      }
    });

    it("another content type: 415; no content type: 415", async () => {
      const body = ossl.read("get-req.der");
      for (const type of ["application/octet-stream", "application/json", null]) {
        const res = await post(body, type);
        expect(res.status, String(type)).to.equal(415);
        expect((await res.json()).error?.code ?? "").to.equal("unsupported_media_type");
      }
    });

    it("a request over 4 KiB: 413", async () => {
      const res = await post(Buffer.alloc(5000, 0x30), "application/ocsp-request");
      expect(res.status).to.equal(413);
    });

    it("other methods: 405", async () => {
      expect((await tp.api("PUT", "/api/ocsp", { body: new Uint8Array(ossl.read("get-req.der")), headers: { "content-type": "application/ocsp-request" } })).status).to.equal(405);
      expect((await tp.api("GET", "/api/ocsp")).status).to.equal(405);
    });
  });

  it("at start, a responder certificate with less than 10 days left is replaced by a new one (new key), the old kept", async () => {
    const db = tp.platform.database.db;
    const before = await tp.platform.identity.ocspSignerPem();
    const row = (await db.certificate.findFirst({ where: { certPem: before } }))!;
    expect(row.kind).to.equal("ocsp-signer");
    const restart = async () => {
      const s = new IdentityService(db, (tp.platform.identity as any).vault, tp.platform.identity.ocspUrl.replace(/\/api\/ocsp$/, ""), tp.platform.audit);
      await s.init();
      return s;
    };
    // Enough time left: a second start keeps it.
    expect(await (await restart()).ocspSignerPem()).to.equal(before);
    await db.certificate.update({ where: { id: row.id }, data: { notAfter: new Date(Date.now() + 5 * 86_400_000) } });
    const renewed = await restart();
    const after = await renewed.ocspSignerPem();
    expect(after).to.not.equal(before);
    ossl.write("responder2.pem", after);
    const key = (f: string) => ossl.ok("x509", "-in", f, "-noout", "-pubkey").stdout;
    expect(key("responder2.pem")).to.not.equal(key("responder.pem"));
    expect(await db.certificate.count({ where: { kind: "ocsp-signer" } })).to.equal(2);
    const newRow = (await db.certificate.findFirst({ where: { certPem: after } }))!;
    const audit = await expectJson(await tp.api("GET", `/api/audit?subject=${newRow.id}`, { token: tp.adminToken }), 200);
    expect(audit.entries.map((e: any) => e.action), "the new responder certificate is in the audit log").to.deep.equal(["certificate.issued"]);
    // Its answers verify with the root, and the old responder certificate is still a certificate the CA knows.
    ossl.ok("ocsp", "-issuer", "issuing.pem", "-cert", "other.pem", "-cert", "responder.pem", "-reqout", "renewed-req.der");
    ossl.write("renewed-resp.der", await renewed.respondToOcspRequest(ossl.read("renewed-req.der")));
    const r = ossl.run("ocsp", "-respin", "renewed-resp.der", "-reqin", "renewed-req.der", "-CAfile", "root.pem", "-verify_other", "issuing.pem", "-resp_text");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.contain("Response verify OK");
    expect(r.output.match(/Cert Status: good/g)).to.have.length(2);
    expect(r.output).to.contain(after.split("\n").slice(1, 4).join("\n")); // the new responder certificate is the one carried
  });

  it("the CA chain served publicly is unchanged: two certificates, no responder among them", async () => {
    const ca = await (await tp.api("GET", "/api/pki/ca.pem")).text();
    expect(pemBlocks(ca)).to.have.length(2);
    expect(ca).to.not.contain((await tp.platform.identity.ocspSignerPem()).split("\n")[1]);
  });
});
