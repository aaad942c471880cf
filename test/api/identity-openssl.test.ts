// The platform's PKI seen from outside, with openssl 3 as the independent checker: the CMS
// signature of each item, the RFC 3161 TSA at /api/tsa (grants and rejections), and the token over
// every anchored batch root.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import forge from "node-forge";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { createNamedUser, expectJson, fetchPki, normalSerial, OpensslDir, opensslName, opensslSerial, pemBlocks } from "../helpers/openssl";

const TSA_POLICY = "1.3.6.1.4.1.59999.1.1";

describe("identity: signatures, timestamps and the TSA, checked with openssl (API)", function () {
  let tp: TestPlatform;
  const ossl = new OpensslDir("identity-api-");
  let pki: { rootPem: string; caPem: string; issuingPem: string };

  before(async () => {
    tp = await startTestPlatform({ BATCH_MAX_ITEMS: "3", BATCH_MAX_AGE_MS: "200" });
    pki = await fetchPki(tp, ossl);
  });
  after(async () => {
    await tp.stop();
    ossl.remove();
  });

  /** POST /api/tsa with the raw body; returns the reply written to `out`. */
  async function tsa(body: Buffer, out: string, contentType: string | null = "application/timestamp-query") {
    const res = await tp.api("POST", "/api/tsa", { body: new Uint8Array(body), headers: contentType ? { "content-type": contentType } : {} });
    const reply = Buffer.from(await res.arrayBuffer());
    ossl.write(out, reply);
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", reply };
  }

  describe("the CMS signature of an uploaded file", () => {
    let user: { id: string; name: string; token: string };
    let bundle: any;
    const content = Buffer.from("签署的合同 — signed contract, version 3\n" + randomBytes(64).toString("hex"));

    before(async () => {
      const org = await expectJson(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "北京测试律师事务所", kind: "law_firm" } }), 201);
      user = await createNamedUser(tp, "李四 Li Si", { role: "lawyer", organizationId: org.id });
      const item = await expectJson(await tp.upload(user.token, content), 201);
      bundle = await tp.waitAnchored(user.token, item.id);
      ossl.write("file.bin", content);
      ossl.write("changed.bin", Buffer.concat([content, Buffer.from(" ")]));
      ossl.write("sig.der", Buffer.from(bundle.signature.cms, "base64"));
    });

    it("the bundle carries the published root and issuing CA", () => {
      expect(bundle.signature.format).to.equal("CMS");
      expect(bundle.certificates.root).to.equal(pki.rootPem);
      expect(bundle.certificates.issuing).to.equal(pki.issuingPem);
    });

    it("openssl cms -verify accepts it (plain and -cades) against the root; a changed file or another root fails", () => {
      const base = ["cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-CAfile", "root.pem", "-out", "/dev/null", "-purpose", "any"];
      for (const extra of [[], ["-cades"]]) {
        const ok = ossl.run(...base, "-content", "file.bin", ...extra);
        expect(ok.status, ok.output).to.equal(0);
        expect(ok.output).to.contain("Verification successful");
        const bad = ossl.run(...base, "-content", "changed.bin", ...extra);
        expect(bad.status, bad.output).to.not.equal(0);
        expect(bad.output).to.contain("Verification failure");
      }
      // Trusting only some other root: the chain does not end there.
      ossl.ok("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-root.key", "-out", "other-root.pem", "-subj", "/CN=Evidence Platform Root CA/O=Evidence Platform/C=CN", "-days", "2");
      const other = ossl.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "file.bin", "-CAfile", "other-root.pem", "-out", "/dev/null", "-purpose", "any");
      expect(other.status, other.output).to.not.equal(0);
    });

    it("the signer certificate names the submitter and chains to the root through the issuing CA", async () => {
      ossl.ok("cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "file.bin", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null", "-signer", "signer.pem");
      expect(pemBlocks(ossl.read("signer.pem").toString())).to.have.length(1);
      const subject = opensslName(ossl, "signer.pem");
      expect(subject.CN).to.equal("李四 Li Si");
      expect(subject.serialNumber).to.equal(user.id);
      expect(subject.O).to.equal("北京测试律师事务所");
      expect(opensslName(ossl, "signer.pem", "issuer")).to.deep.equal(opensslName(ossl, "issuing.pem"));
      expect(opensslName(ossl, "issuing.pem", "issuer")).to.deep.equal(opensslName(ossl, "root.pem"));
      const chain = ossl.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "signer.pem");
      expect(chain.status, chain.output).to.equal(0);
      expect(chain.stdout).to.contain("signer.pem: OK");
      const noIssuing = ossl.run("verify", "-CAfile", "root.pem", "signer.pem");
      expect(noIssuing.status, noIssuing.output).to.not.equal(0);
      // The certificate is the one the platform lists for the user, with a platform-held key.
      const { certificates } = await expectJson(await tp.api("GET", "/api/certificates", { token: user.token }), 200);
      expect(certificates).to.have.length(1);
      expect(normalSerial(certificates[0].serialHex)).to.equal(opensslSerial(ossl, "signer.pem"));
      expect(certificates[0].keyHeldBy).to.equal("platform");
      const text = ossl.ok("x509", "-in", "signer.pem", "-noout", "-text").stdout;
      expect(text).to.match(/X509v3 Basic Constraints:( critical)?\s+CA:FALSE/);
      expect(text).to.match(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
      expect(text).to.contain(`URI:${tp.config.PUBLIC_URL}/api/pki/crl`);
      // A person's key is ECDSA P-256 by default (HOLDER_KEY_ALGORITHM), in a certificate the RSA CA signed.
      expect(text).to.match(/Public Key Algorithm: id-ecPublicKey/);
      expect(text).to.match(/ASN1 OID: prime256v1/);
      expect(text).to.match(/Signature Algorithm: sha256WithRSAEncryption/);
      const printed = ossl.ok("cms", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der").stdout;
      expect(printed).to.match(/signatureAlgorithm:\s+algorithm: ecdsa-with-SHA256 \(1\.2\.840\.10045\.4\.3\.2\)/);
    });
  });

  describe("POST /api/tsa (RFC 3161 over HTTP)", () => {
    before(() => {
      ossl.write("data.txt", "time-stamp me\n");
      ossl.write("other.txt", "time-stamp me!\n");
    });

    it("grants a SHA-256 query; openssl ts -verify says OK for the data, fails for other data", async () => {
      ossl.ok("ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "req.tsq");
      const r = await tsa(ossl.read("req.tsq"), "resp.tsr");
      expect(r.status).to.equal(200);
      expect(r.contentType).to.match(/^application\/timestamp-reply\b/);
      const text = ossl.ok("ts", "-reply", "-in", "resp.tsr", "-text").stdout;
      expect(text).to.contain("Status: Granted.");
      expect(text).to.contain(`Policy OID: ${TSA_POLICY}`);
      expect(text).to.match(/Hash Algorithm: sha256/);
      const common = ["-CAfile", "root.pem", "-untrusted", "ca.pem"];
      const ok = ossl.run("ts", "-verify", "-in", "resp.tsr", "-queryfile", "req.tsq", ...common);
      expect(ok.status, ok.output).to.equal(0);
      expect(ok.output).to.contain("Verification: OK");
      const okData = ossl.run("ts", "-verify", "-in", "resp.tsr", "-data", "data.txt", ...common);
      expect(okData.output).to.contain("Verification: OK");
      const bad = ossl.run("ts", "-verify", "-in", "resp.tsr", "-data", "other.txt", ...common);
      expect(bad.status, bad.output).to.not.equal(0);
      expect(bad.output).to.contain("Verification: FAILED");
      // The nonce of another query does not match this reply.
      ossl.ok("ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "req2.tsq");
      const otherQuery = ossl.run("ts", "-verify", "-in", "resp.tsr", "-queryfile", "req2.tsq", ...common);
      expect(otherQuery.output).to.contain("Verification: FAILED");
    });

    it("the TSA certificate (inside the token) has the critical timeStamping EKU and is the published one", async () => {
      ossl.ok("ts", "-reply", "-in", "resp.tsr", "-token_out", "-out", "token.der");
      const certs = pemBlocks(ossl.ok("pkcs7", "-inform", "DER", "-in", "token.der", "-print_certs").stdout);
      expect(certs.length).to.be.at.least(1);
      const tsaCerts = certs.filter((pem, i) => {
        ossl.write(`token-cert-${i}.pem`, pem);
        return /Time-Stamping/.test(opensslName(ossl, `token-cert-${i}.pem`).CN ?? "");
      });
      expect(tsaCerts).to.have.length(1);
      ossl.write("tsa.pem", tsaCerts[0]);
      const text = ossl.ok("x509", "-in", "tsa.pem", "-noout", "-text").stdout;
      expect(text).to.match(/X509v3 Extended Key Usage: critical\s+Time Stamping\s/);
      expect(normalizePem(tsaCerts[0])).to.equal(normalizePem(tp.platform.identity.platformCertificates().tsa));
      const chain = ossl.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "timestampsign", "tsa.pem");
      expect(chain.status, chain.output).to.equal(0);
    });

    it("a query without -cert gets a token without certificates: verifiable with the TSA certificate given", async () => {
      ossl.ok("ts", "-query", "-data", "data.txt", "-sha256", "-out", "nocert.tsq");
      await tsa(ossl.read("nocert.tsq"), "nocert.tsr");
      ossl.ok("ts", "-reply", "-in", "nocert.tsr", "-token_out", "-out", "nocert-token.der");
      expect(ossl.run("pkcs7", "-inform", "DER", "-in", "nocert-token.der", "-print_certs").stdout).to.not.contain("BEGIN CERTIFICATE");
      const without = ossl.run("ts", "-verify", "-in", "nocert.tsr", "-queryfile", "nocert.tsq", "-CAfile", "root.pem", "-untrusted", "ca.pem");
      expect(without.output).to.contain("Verification: FAILED");
      ossl.write("tsa-chain.pem", ossl.read("tsa.pem").toString() + pki.caPem);
      const withTsa = ossl.run("ts", "-verify", "-in", "nocert.tsr", "-queryfile", "nocert.tsq", "-CAfile", "root.pem", "-untrusted", "tsa-chain.pem");
      expect(withTsa.output, withTsa.output).to.contain("Verification: OK");
    });

    it("grants SHA-384, SHA-512 and SM3 queries too", async () => {
      for (const alg of ["sha384", "sha512", "sm3"]) {
        ossl.ok("ts", "-query", "-data", "data.txt", `-${alg}`, "-cert", "-out", `${alg}.tsq`);
        const r = await tsa(ossl.read(`${alg}.tsq`), `${alg}.tsr`);
        expect(r.status).to.equal(200);
        const v = ossl.run("ts", "-verify", "-in", `${alg}.tsr`, "-queryfile", `${alg}.tsq`, "-CAfile", "root.pem", "-untrusted", "ca.pem");
        expect(v.output, alg).to.contain("Verification: OK");
      }
    });

    it("answers bad input with a TimeStampResp rejection and its failure info, never an HTTP error", async () => {
      ossl.ok("ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "good.tsq");
      const good = ossl.read("good.tsq");
      ossl.ok("ts", "-query", "-data", "data.txt", "-sha1", "-cert", "-out", "sha1.tsq");
      const cases: { name: string; body: Buffer; contentType: string | null; status: string; failure: string; description?: RegExp }[] = [
        { name: "SHA-1 query", body: ossl.read("sha1.tsq"), contentType: "application/timestamp-query", status: "Rejected", failure: "unrecognized or unsupported algorithm identifier" },
        { name: "31-byte SHA-256 imprint", body: withImprint(good, randomBytes(31)), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format", description: /31 bytes/ },
        { name: "33-byte SHA-256 imprint", body: withImprint(good, randomBytes(33)), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format" },
        { name: "garbage", body: randomBytes(200), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format" },
        { name: "empty body", body: Buffer.alloc(0), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format" },
        { name: "trailing byte", body: Buffer.concat([good, Buffer.from([0])]), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format" },
        { name: "octet-stream", body: good, contentType: "application/octet-stream", status: "Rejected", failure: "transaction not permitted or supported" },
        { name: "text/plain", body: good, contentType: "text/plain", status: "Rejected", failure: "transaction not permitted or supported" },
        { name: "no content type", body: good, contentType: null, status: "Rejected", failure: "transaction not permitted or supported" },
        { name: "16 KiB + 1", body: Buffer.concat([good, randomBytes(16 * 1024 + 1 - good.length)]), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format", description: /exceeds 16384 bytes/ },
        { name: "1 MiB", body: randomBytes(1024 * 1024), contentType: "application/timestamp-query", status: "Rejected", failure: "the data submitted has the wrong format", description: /exceeds/ },
        { name: "JSON content type", body: good, contentType: "application/json", status: "Rejected", failure: "transaction not permitted or supported" },
        { name: "JSON content type, JSON body", body: Buffer.from('{"a":1}'), contentType: "application/json", status: "Rejected", failure: "transaction not permitted or supported" },
      ];
      for (const [i, c] of cases.entries()) {
        const r = await withTimeout(tsa(c.body, `rej-${i}.tsr`, c.contentType), 5000, c.name);
        expect(r.status, `${c.name}: ${r.reply.toString("latin1").slice(0, 200)}`).to.equal(200);
        expect(r.contentType, c.name).to.match(/^application\/timestamp-reply\b/);
        const text = ossl.run("ts", "-reply", "-in", `rej-${i}.tsr`, "-text");
        expect(text.status, `${c.name}: ${text.output}`).to.equal(0);
        expect(text.stdout, c.name).to.contain(`Status: ${c.status}.`);
        expect(text.stdout, c.name).to.contain(c.failure);
        expect(text.stdout, c.name).to.contain("TST info:\nNot included.");
        if (c.description) expect(text.stdout, c.name).to.match(c.description);
      }
      // The same query with the right content type is granted: the rejections came from the input.
      const r = await tsa(good, "good.tsr");
      expect(ossl.ok("ts", "-reply", "-in", "good.tsr", "-text").stdout).to.contain("Status: Granted.");
    });

    it("/api/pki/* and /api/tsa need no token", async () => {
      for (const route of ["/api/pki/root.pem", "/api/pki/ca.pem", "/api/pki/crl"]) {
        const res = await tp.api("GET", route);
        expect(res.status, route).to.equal(200);
      }
      expect((await tp.api("GET", "/api/pki/crl")).headers.get("content-type")).to.match(/^application\/pkix-crl/);
      const r = await tsa(ossl.read("good.tsq"), "anon.tsr");
      expect(r.status).to.equal(200);
      // while the certificate routes do
      expect((await tp.api("GET", "/api/certificates")).status).to.equal(401);
    });
  });

  it("every anchored batch root has an RFC 3161 token that openssl verifies over the root", async () => {
    const user = await tp.createUser("member");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await expectJson(await tp.upload(user.token, `batch item ${i} ${Date.now()}`), 201)).id);
    const bundles = await Promise.all(ids.map((id) => tp.waitAnchored(user.token, id)));
    const batches = await tp.platform.database.db.batch.findMany({ where: { status: "anchored" } });
    expect(batches.length).to.be.at.least(3); // BATCH_MAX_ITEMS=3: 7 items make three batches or more
    const roots = new Set(bundles.map((b) => b.merkle.root));
    expect(roots.size).to.be.at.least(3);
    for (const b of batches) {
      expect(b.timestampToken, `batch ${b.id}`).to.be.a("string");
      const f = `batch-${b.id}.der`;
      ossl.write(f, Buffer.from(b.timestampToken!, "base64"));
      const ok = ossl.run("ts", "-verify", "-digest", b.root.slice(2), "-in", f, "-token_in", "-CAfile", "root.pem", "-untrusted", "ca.pem");
      expect(ok.status, ok.output).to.equal(0);
      expect(ok.output).to.contain("Verification: OK");
    }
    for (const bundle of bundles) {
      expect(bundle.timestamp).to.include({ format: "RFC3161", of: "merkle.root" });
      const token = Buffer.from(bundle.timestamp.token, "base64");
      ossl.write("bundle-token.der", token);
      const root = bundle.merkle.root.slice(2);
      const ok = ossl.run("ts", "-verify", "-digest", root, "-in", "bundle-token.der", "-token_in", "-CAfile", "root.pem", "-untrusted", "ca.pem");
      expect(ok.output).to.contain("Verification: OK");
      const flipped = root.slice(0, -1) + (root.endsWith("0") ? "1" : "0");
      const bad = ossl.run("ts", "-verify", "-digest", flipped, "-in", "bundle-token.der", "-token_in", "-CAfile", "root.pem", "-untrusted", "ca.pem");
      expect(bad.status, bad.output).to.not.equal(0);
      expect(bad.output).to.contain("Verification: FAILED");
    }
  });
});

const normalizePem = (pem: string) => pem.replace(/\r/g, "").trim();

/** An openssl query with its hashedMessage replaced (the structure re-encoded with forge.asn1). */
function withImprint(query: Buffer, imprint: Buffer): Buffer {
  const req = forge.asn1.fromDer(query.toString("binary"));
  const messageImprint = (req.value as forge.asn1.Asn1[])[1];
  const hashed = (messageImprint.value as forge.asn1.Asn1[])[1];
  expect(hashed.type).to.equal(forge.asn1.Type.OCTETSTRING);
  expect((hashed.value as string).length).to.equal(32);
  hashed.value = imprint.toString("binary");
  return Buffer.from(forge.asn1.toDer(req).getBytes(), "binary");
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}
