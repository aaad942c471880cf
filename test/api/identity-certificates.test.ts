// Certificates as a feature of the API: revocation and the CRL (checked with openssl and both
// verifiers), certificates from a CSR and signatures the holder makes with openssl, bad CSRs,
// access rules, and no private key in clear anywhere the platform writes or answers.
import { expect } from "chai";
import { createHash, createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { runVerify } from "../helpers/cli";
import { createNamedUser, expectJson, fetchPki, normalSerial, OpensslDir, opensslName, opensslSerial, sleep } from "../helpers/openssl";
import { testDbKind } from "../helpers/database";
import { KeyVault } from "../../server/pki/key-vault";
import { KEY_CONTEXT as LOG_KEY_CONTEXT } from "../../server/log/service";

const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");

interface User {
  id: string;
  email: string;
  name: string;
  token: string;
}

describe("identity: certificates, revocation, CSRs and key custody (API)", function () {
  let tp: TestPlatform;
  const ossl = new OpensslDir("identity-certs-");
  /** Keys the tests generated for CSRs: the platform must never hold them either. */
  const holderKeys: string[] = [];

  before(async () => {
    tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "150" });
    await fetchPki(tp, ossl);
  });
  after(async () => {
    await tp.stop();
    ossl.remove();
  });

  const issue = (token: string, body: Record<string, unknown>) => tp.api("POST", "/api/certificates", { token, json: body });
  const uploadSigned = (token: string, content: Buffer, signatureDer?: Buffer) =>
    tp.upload(token, content, signatureDer ? { signature: signatureDer.toString("base64") } : {});
  const errorCode = async (res: Response) => ({ status: res.status, code: ((await res.json()) as any).error?.code });

  /** The signer certificate of a detached CMS signature, written to `out`, as openssl extracts it. */
  function signerOf(sigDer: Buffer, contentFile: string, out: string): string {
    ossl.write(`${out}.sig.der`, sigDer);
    ossl.ok("cms", "-verify", "-binary", "-inform", "DER", "-in", `${out}.sig.der`, "-content", contentFile, "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null", "-signer", out);
    return opensslSerial(ossl, out);
  }

  /** A key pair and PEM CSR made by openssl req (subject as the holder likes). */
  function csrFor(name: string, newkey: string[] = ["-newkey", "rsa:2048"], subj = "/CN=whatever/O=Evil Corp/serialNumber=admin"): string {
    ossl.ok("req", "-new", ...newkey, "-nodes", "-keyout", `${name}.key`, "-subj", subj, "-out", `${name}.csr`);
    holderKeys.push(ossl.read(`${name}.key`).toString());
    return ossl.read(`${name}.csr`).toString();
  }

  describe("revocation", () => {
    let user: User;
    let cert: any;
    let bundle: any;
    const content = Buffer.from(`evidence signed before the key was compromised ${randomBytes(8).toString("hex")}\n`);

    before(async () => {
      user = await createNamedUser(tp, "王五 Wang Wu");
      cert = await expectJson(await issue(tp.adminToken, { userId: user.id }), 201);
      expect(cert).to.include({ kind: "person", userId: user.id, keyHeldBy: "platform", revokedAt: null });
      const item = await expectJson(await uploadSigned(user.token, content), 201);
      bundle = await tp.waitAnchored(user.token, item.id);
      ossl.write("revoked-file.bin", content);
      ossl.write("revoked-bundle-before.json", JSON.stringify(bundle));
    });

    it("the evidence is signed with the certificate the admin issued", () => {
      expect(signerOf(Buffer.from(bundle.signature.cms, "base64"), "revoked-file.bin", "revoked-signer.pem")).to.equal(normalSerial(cert.serialHex));
    });

    it("the admin revokes it: the CRL (checked by openssl) lists the serial with Key Compromise", async () => {
      // The CRL's revocation date has whole seconds: revoke in a later second than the batch's timestamp.
      await sleep(1000 - (Date.now() % 1000) + 20);
      const revoked = await expectJson(await tp.api("POST", `/api/certificates/${cert.id}/revoke`, { token: tp.adminToken, json: { reason: "keyCompromise" } }), 200);
      expect(revoked.revokedAt).to.be.a("string");
      expect(revoked.revocationReason).to.equal("keyCompromise");
      expect(await errorCode(await tp.api("POST", `/api/certificates/${cert.id}/revoke`, { token: tp.adminToken, json: { reason: "superseded" } }))).to.deep.equal({ status: 409, code: "already_revoked" });

      const res = await tp.api("GET", "/api/pki/crl");
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/^application\/pkix-crl/);
      ossl.write("crl.der", Buffer.from(await res.arrayBuffer()));
      const text = ossl.ok("crl", "-inform", "DER", "-in", "crl.der", "-text", "-noout").stdout;
      const serialUpper = normalSerial(cert.serialHex).toUpperCase();
      const entry = new RegExp(`Serial Number: 0*${serialUpper}\\s+Revocation Date: [^\\n]+\\s+CRL entry extensions:\\s+X509v3 CRL Reason Code:\\s+Key Compromise`);
      expect(text).to.match(entry);
      const ok = ossl.run("crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout");
      expect(ok.status, ok.output).to.equal(0);
      expect(ok.output).to.contain("verify OK");
      // The root alone did not sign it.
      const rootOnly = ossl.run("crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "root.pem", "-noout");
      expect(rootOnly.output).to.not.contain("verify OK");
    });

    it("POST /api/verify: valid at the signing time, revoked now", async () => {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(content)]), "f");
      const v = await expectJson(await tp.api("POST", "/api/verify", { body: form }), 200);
      expect(v.matches).to.have.length(1);
      const m = v.matches[0];
      expect(m.verified, JSON.stringify(m.checks)).to.equal(true);
      expect(m.signer.statusAtSigningTime).to.equal("valid");
      expect(m.signer.statusNow).to.equal("revoked");
      expect(m.signer.revocationReason).to.equal("keyCompromise");
      expect(normalSerial(m.signer.serialHex)).to.equal(normalSerial(cert.serialHex));
      const status = m.checks.find((c: any) => c.name === "certificate-status");
      expect(status.ok).to.equal(true);
      expect(status.detail).to.match(/REVOKED since/);
    });

    it("npm run verify --crl with the fresh CRL reports REVOKED and passes (revoked after the timestamp)", async () => {
      // The bundle fetched before the revocation carries the old CRL; one fetched now carries the new one.
      expect(bundle.revocation.crl).to.not.equal(ossl.read("crl.der").toString("base64"));
      const after = await tp.waitAnchored(user.token, bundle.record.id);
      expect(after.revocation.crl).to.equal(ossl.read("crl.der").toString("base64"));
      ossl.write("revoked-bundle-after.json", JSON.stringify(after));
      // (each run of the CLI starts ts-node: run them side by side)
      const [r, r2] = await Promise.all([
        runVerify([ossl.path("revoked-file.bin"), ossl.path("revoked-bundle-before.json"), "--crl", ossl.path("crl.der"), "--ca", ossl.path("root.pem")]),
        runVerify([ossl.path("revoked-file.bin"), ossl.path("revoked-bundle-after.json"), "--json"]),
      ]);
      expect(r.code, r.out).to.equal(0);
      expect(r.out).to.match(/PASS\s+certificate-status\s+valid when signed; REVOKED since \S+ \(keyCompromise\)/);
      expect(r.out).to.match(/VERIFIED offline/);
      expect(r2.code, r2.out).to.equal(0);
      const json = JSON.parse(r2.out);
      expect(json.ok).to.equal(true);
      expect(json.signer.revocationReason).to.equal("keyCompromise");
      expect(json.checks.find((c: any) => c.name === "certificate-status").detail).to.match(/REVOKED since/);
    });

    it("npm run verify fails with a CRL (signed by the issuing CA, made by openssl ca) that dates the revocation before the timestamp", async () => {
      // The issuing CA's key, unsealed with the master key the test platform keeps under DATA_DIR.
      const vault = KeyVault.open(tp.dataDir);
      const issuing = await tp.platform.database.db.certificate.findUniqueOrThrow({ where: { id: "issuing-ca" } });
      const keyFile = ossl.write("issuing.key", vault.unseal(issuing.sealedKey!, "cert:issuing-ca"));
      fs.chmodSync(keyFile, 0o600);
      const utc = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
      const notAfter = new Date(cert.notAfter);
      const longAgo = new Date(Date.now() - 3600_000);
      ossl.write("index.txt", `R\t${utc(notAfter)}\t${utc(longAgo)},keyCompromise\t${normalSerial(cert.serialHex).toUpperCase()}\tunknown\t/CN=x\n`);
      ossl.write("crlnumber", "1000\n");
      ossl.write(
        "ca.cnf",
        ["[ca]", "default_ca = CA_default", "[CA_default]", "database = index.txt", "crlnumber = crlnumber", "default_md = sha256", "default_crl_days = 1", "crl_extensions = crl_ext", "[crl_ext]", "authorityKeyIdentifier = keyid:always", ""].join("\n"),
      );
      ossl.ok("ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "issuing.key", "-cert", "issuing.pem", "-out", "early-crl.pem");
      fs.rmSync(keyFile);
      expect(ossl.ok("crl", "-in", "early-crl.pem", "-noout", "-text").stdout).to.contain("Key Compromise");
      // The same CRL signed by a stranger's key (same issuer name) is refused as such.
      ossl.ok("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.pem", "-subj", "/C=CN/O=Evidence Platform/CN=Evidence Platform Issuing CA", "-days", "2");
      ossl.ok("ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "stranger.key", "-cert", "stranger.pem", "-out", "stranger-crl.pem");
      const [r, s] = await Promise.all([
        runVerify([ossl.path("revoked-file.bin"), ossl.path("revoked-bundle-before.json"), "--crl", ossl.path("early-crl.pem")]),
        runVerify([ossl.path("revoked-file.bin"), ossl.path("revoked-bundle-before.json"), "--crl", ossl.path("stranger-crl.pem")]),
      ]);
      expect(r.code, r.out).to.equal(1);
      expect(r.out).to.match(/FAIL\s+certificate-status\s+REVOKED on .* before the signature was proven to exist/);
      expect(r.out).to.contain("NOT VERIFIED: certificate revoked");
      expect(s.code, s.out).to.equal(1);
      expect(s.out).to.match(/FAIL\s+certificate-status\s+the CRL is not signed by the issuing CA/);
    });

    it("the user's next upload gets a new certificate automatically", async () => {
      const next = Buffer.from(`after the revocation ${randomBytes(8).toString("hex")}`);
      const item = await expectJson(await uploadSigned(user.token, next), 201);
      const b = await tp.waitAnchored(user.token, item.id);
      ossl.write("next.bin", next);
      const serial = signerOf(Buffer.from(b.signature.cms, "base64"), "next.bin", "next-signer.pem");
      expect(serial).to.not.equal(normalSerial(cert.serialHex));
      expect(opensslName(ossl, "next-signer.pem").serialNumber).to.equal(user.id);
      const { certificates } = await expectJson(await tp.api("GET", "/api/certificates", { token: user.token }), 200);
      expect(certificates.map((c: any) => [normalSerial(c.serialHex), c.revocationReason])).to.deep.equal([
        [normalSerial(cert.serialHex), "keyCompromise"],
        [serial, null],
      ]);
    });
  });

  describe("a certificate from a CSR: the holder keeps the key and signs with openssl", () => {
    let holder: User;
    let other: User;
    let cert: any;
    const content = Buffer.from(`a contract the holder signs herself ${randomBytes(8).toString("hex")}\n`);

    before(async () => {
      holder = await createNamedUser(tp, "赵六 Zhao Liu", { role: "lawyer" });
      other = await createNamedUser(tp, "Other Holder");
      ossl.write("holder-file.bin", content);
      ossl.write("holder-other.bin", Buffer.concat([content, Buffer.from("x")]));
    });

    it("POST {csr}: 201, keyHeldBy holder, the subject from the platform's records and the key from the CSR", async () => {
      const csr = csrFor("holder");
      cert = await expectJson(await issue(holder.token, { csr }), 201);
      expect(cert).to.include({ kind: "person", userId: holder.id, keyHeldBy: "holder" });
      ossl.write("holder.pem", cert.certPem);
      const subject = opensslName(ossl, "holder.pem");
      expect(subject.CN).to.equal("赵六 Zhao Liu");
      expect(subject.serialNumber).to.equal(holder.id);
      expect(subject.emailAddress).to.equal(holder.email);
      expect(subject.O).to.equal(undefined);
      expect(JSON.stringify(subject)).to.not.match(/whatever|Evil|admin/);
      const certKey = ossl.ok("x509", "-in", "holder.pem", "-noout", "-pubkey").stdout;
      const csrKey = ossl.ok("req", "-in", "holder.csr", "-noout", "-pubkey").stdout;
      expect(certKey).to.equal(csrKey);
      expect(ossl.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "holder.pem").stdout).to.contain("holder.pem: OK");
      expect(normalSerial(cert.serialHex)).to.equal(opensslSerial(ossl, "holder.pem"));
      const row = await tp.platform.database.db.certificate.findUniqueOrThrow({ where: { id: cert.id } });
      expect(row.sealedKey).to.equal(null);
    });

    it("an upload without a signature: 400 signature_required, and no item", async () => {
      const before = await tp.platform.database.db.evidenceItem.count();
      expect(await errorCode(await uploadSigned(holder.token, content))).to.deep.equal({ status: 400, code: "signature_required" });
      expect(await errorCode(await tp.api("POST", "/api/evidence", { token: holder.token, json: { sha256: sha(content) } }))).to.deep.equal({ status: 400, code: "signature_required" });
      expect(await tp.platform.database.db.evidenceItem.count()).to.equal(before);
    });

    it("the README's openssl cms -sign (no -cades): refused, naming the missing ESS signing-certificate attribute", async () => {
      ossl.ok("cms", "-sign", "-binary", "-in", "holder-file.bin", "-signer", "holder.pem", "-inkey", "holder.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "holder-plain.sig.der");
      const res = await uploadSigned(holder.token, content, ossl.read("holder-plain.sig.der"));
      const body = (await res.json()) as any;
      expect(res.status).to.equal(400);
      expect(body.error.code).to.equal("bad_signature");
      expect(body.error.message).to.match(/signing-certificate/);
    });

    it("with openssl cms -sign -cades: 201, the bundle carries exactly that signature, and it verifies", async () => {
      ossl.ok("cms", "-sign", "-cades", "-binary", "-in", "holder-file.bin", "-signer", "holder.pem", "-inkey", "holder.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "holder.sig.der");
      const sig = ossl.read("holder.sig.der");
      const item = await expectJson(await uploadSigned(holder.token, content, sig), 201);
      const bundle = await tp.waitAnchored(holder.token, item.id);
      expect(bundle.signature.cms).to.equal(sig.toString("base64"));
      expect(bundle.record.signatureSha256).to.equal(sha(sig));
      ossl.write("holder-bundle.json", JSON.stringify(bundle));
      const r = await runVerify([ossl.path("holder-file.bin"), ossl.path("holder-bundle.json"), "--ca", ossl.path("root.pem")]);
      expect(r.code, r.out).to.equal(0);
      expect(r.out).to.match(/PASS\s+signature\s+CMS signature by 赵六 Zhao Liu/);
      const v = await expectJson(await tp.api("POST", "/api/verify", { json: { sha256: sha(content) } }), 200);
      expect(v.matches[0].verified).to.equal(true);
      expect(normalSerial(v.matches[0].signer.serialHex)).to.equal(normalSerial(cert.serialHex));
      expect(v.matches[0].signer.statusNow).to.equal("valid");
      // The same signature with a digest-only submission (JSON) is accepted too.
      await expectJson(await tp.api("POST", "/api/evidence", { token: holder.token, json: { sha256: sha(content), signature: sig.toString("base64") } }), 201);
    });

    it("a signature by another user's key, over another file, or by a key outside the CA: 400 bad_signature", async () => {
      ossl.write("other.csr", csrFor("other"));
      const otherCert = await expectJson(await issue(other.token, { csr: ossl.read("other.csr").toString() }), 201);
      ossl.write("other.pem", otherCert.certPem);
      ossl.ok("cms", "-sign", "-cades", "-binary", "-in", "holder-file.bin", "-signer", "other.pem", "-inkey", "other.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "by-other.sig.der");
      ossl.ok("cms", "-sign", "-cades", "-binary", "-in", "holder-other.bin", "-signer", "holder.pem", "-inkey", "holder.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "other-file.sig.der");
      ossl.ok("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-subj", "/CN=赵六 Zhao Liu", "-days", "2");
      holderKeys.push(ossl.read("self.key").toString());
      ossl.ok("cms", "-sign", "-cades", "-binary", "-in", "holder-file.bin", "-signer", "self.pem", "-inkey", "self.key", "-outform", "DER", "-out", "self.sig.der");
      const before = await tp.platform.database.db.evidenceItem.count();
      for (const f of ["by-other.sig.der", "other-file.sig.der", "self.sig.der"]) {
        expect(await errorCode(await uploadSigned(holder.token, content, ossl.read(f))), f).to.deep.equal({ status: 400, code: "bad_signature" });
      }
      // Not base64 at all
      const bad = await tp.upload(holder.token, content, { signature: "not base64!" });
      expect(await errorCode(bad)).to.deep.equal({ status: 400, code: "bad_signature" });
      expect(await tp.platform.database.db.evidenceItem.count()).to.equal(before);
      // The other holder's own signature is accepted for the other holder.
      await expectJson(await uploadSigned(other.token, content, ossl.read("by-other.sig.der")), 201);
    });

    it("after the holder revokes her certificate: her old signatures are refused, and her next upload gets a platform-held certificate", async () => {
      await expectJson(await tp.api("POST", `/api/certificates/${cert.id}/revoke`, { token: holder.token, json: { reason: "superseded" } }), 200);
      const fresh = Buffer.from(`signed after revocation ${randomBytes(4).toString("hex")}`);
      ossl.write("fresh.bin", fresh);
      ossl.ok("cms", "-sign", "-cades", "-binary", "-in", "fresh.bin", "-signer", "holder.pem", "-inkey", "holder.key", "-certfile", "ca.pem", "-outform", "DER", "-out", "fresh.sig.der");
      expect(await errorCode(await uploadSigned(holder.token, fresh, ossl.read("fresh.sig.der")))).to.deep.equal({ status: 400, code: "certificate_revoked" });
      await expectJson(await uploadSigned(holder.token, fresh), 201);
      const { certificates } = await expectJson(await tp.api("GET", "/api/certificates", { token: holder.token }), 200);
      expect(certificates.map((c: any) => c.keyHeldBy)).to.deep.equal(["holder", "platform"]);
    });
  });

  describe("bad CSRs", () => {
    let user: User;
    before(async () => {
      user = await createNamedUser(tp, "CSR Tester");
    });

    it("not PEM nor DER: 400 malformed_csr; a broken self-signature: 400 bad_csr_signature; EC or short RSA keys: 400 unsupported_key; nothing issued", async () => {
      const good = csrFor("tester");
      const der = Buffer.from(good.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
      const flipped = Buffer.from(der);
      flipped[flipped.length - 1] ^= 0x01; // the last byte belongs to the signature BIT STRING
      const infoFlipped = Buffer.from(der);
      const cnAt = infoFlipped.indexOf(Buffer.from("whatever"));
      infoFlipped[cnAt] ^= 0x20; // "Whatever": the signed CertificationRequestInfo changed
      const ec = csrFor("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
      const ed = csrFor("ed", ["-newkey", "ed25519"]);
      const short = csrFor("short", ["-newkey", "rsa:1024"]);
      const cases: [string, string, string][] = [
        ["plain text", "this is not a certificate request", "malformed_csr"],
        ["PEM armour around garbage", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "malformed_csr"],
        ["a certificate, not a CSR", ossl.read("root.pem").toString(), "malformed_csr"],
        ["base64 of random bytes", randomBytes(300).toString("base64"), "malformed_csr"],
        ["truncated DER", der.subarray(0, der.length - 20).toString("base64"), "malformed_csr"],
        ["a flipped signature byte (DER, base64)", flipped.toString("base64"), "bad_csr_signature"],
        ["a changed subject under the signature", infoFlipped.toString("base64"), "bad_csr_signature"],
        ["an EC P-256 key", ec, "unsupported_key"],
        ["an Ed25519 key", ed, "unsupported_key"],
        ["an RSA-1024 key", short, "unsupported_key"],
      ];
      const before = await tp.platform.database.db.certificate.count();
      for (const [name, csr, code] of cases) {
        expect(await errorCode(await issue(user.token, { csr })), name).to.deep.equal({ status: 400, code });
      }
      expect(await tp.platform.database.db.certificate.count()).to.equal(before);
      // The unflipped CSR, as base64 DER, is accepted.
      expect((await expectJson(await issue(user.token, { csr: der.toString("base64") }), 201)).keyHeldBy).to.equal("holder");
    });
  });

  describe("access rules", () => {
    let org: { id: string; name: string; creditCode: string };
    let alice: User;
    let bob: User;
    let bobCert: any;

    before(async () => {
      org = await expectJson(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲乙科技有限公司", creditCode: "91110108MA01ABCD2H" } }), 201);
      alice = await createNamedUser(tp, "Alice", { organizationId: org.id });
      bob = await createNamedUser(tp, "Bob", { organizationId: org.id });
      bobCert = await expectJson(await issue(bob.token, {}), 201);
    });

    it("a non-admin cannot issue for another user (403) nor for an organisation (403)", async () => {
      const before = await tp.platform.database.db.certificate.count();
      expect(await errorCode(await issue(alice.token, { userId: bob.id }))).to.deep.equal({ status: 403, code: "forbidden" });
      expect(await errorCode(await issue(alice.token, { organizationId: org.id }))).to.deep.equal({ status: 403, code: "forbidden" });
      expect(await errorCode(await issue(alice.token, { userId: bob.id, csr: csrFor("alice-for-bob") }))).to.deep.equal({ status: 403, code: "forbidden" });
      expect(await tp.platform.database.db.certificate.count()).to.equal(before);
      // for herself she may, with or without her own id
      expect((await expectJson(await issue(alice.token, { userId: alice.id }), 201)).userId).to.equal(alice.id);
    });

    it("a non-admin cannot see or revoke another user's certificate (404, even in the same organisation)", async () => {
      expect(await errorCode(await tp.api("GET", `/api/certificates/${bobCert.id}`, { token: alice.token }))).to.deep.equal({ status: 404, code: "not_found" });
      expect(await errorCode(await tp.api("POST", `/api/certificates/${bobCert.id}/revoke`, { token: alice.token, json: { reason: "keyCompromise" } }))).to.deep.equal({ status: 404, code: "not_found" });
      const { certificates } = await expectJson(await tp.api("GET", "/api/certificates", { token: alice.token }), 200);
      expect(certificates.every((c: any) => c.userId === alice.id)).to.equal(true);
      expect((await tp.api("GET", `/api/certificates/${bobCert.id}`, { token: bob.token })).status).to.equal(200);
      // the platform's own certificates are not anyone's to read or revoke here
      for (const id of ["root-ca", "issuing-ca", "tsa"]) {
        expect((await tp.api("GET", `/api/certificates/${id}`, { token: tp.adminToken })).status, id).to.equal(404);
        expect((await tp.api("POST", `/api/certificates/${id}/revoke`, { token: tp.adminToken, json: {} })).status, id).to.equal(404);
      }
      const row = await tp.platform.database.db.certificate.findUniqueOrThrow({ where: { id: bobCert.id } });
      expect(row.revokedAt).to.equal(null);
    });

    it("an admin sees, issues (for users and organisations) and revokes", async () => {
      expect((await expectJson(await tp.api("GET", `/api/certificates/${bobCert.id}`, { token: tp.adminToken }), 200)).id).to.equal(bobCert.id);
      const all = (await expectJson(await tp.api("GET", "/api/certificates", { token: tp.adminToken }), 200)).certificates;
      expect(all.map((c: any) => c.id)).to.include(bobCert.id);
      expect(all.map((c: any) => c.kind)).to.not.include.members(["root-ca", "issuing-ca", "tsa"]);
      const orgCert = await expectJson(await issue(tp.adminToken, { organizationId: org.id }), 201);
      expect(orgCert).to.include({ kind: "organization", organizationId: org.id, userId: null, keyHeldBy: "platform" });
      ossl.write("org.pem", orgCert.certPem);
      expect(opensslName(ossl, "org.pem")).to.include({ CN: "甲乙科技有限公司", O: "甲乙科技有限公司", serialNumber: "91110108MA01ABCD2H" });
      const forBob = await expectJson(await issue(tp.adminToken, { userId: bob.id, csr: csrFor("bob") }), 201);
      expect(forBob).to.include({ userId: bob.id, keyHeldBy: "holder" });
      const revoked = await expectJson(await tp.api("POST", `/api/certificates/${bobCert.id}/revoke`, { token: tp.adminToken, json: { reason: "affiliationChanged" } }), 200);
      expect(revoked.revocationReason).to.equal("affiliationChanged");
      // and the holder herself revokes her own
      const mine = (await expectJson(await tp.api("GET", "/api/certificates", { token: alice.token }), 200)).certificates[0];
      expect((await expectJson(await tp.api("POST", `/api/certificates/${mine.id}/revoke`, { token: alice.token, json: {} }), 200)).revocationReason).to.equal("unspecified");
    });

    it("bad input: unknown ids 404, both userId and organizationId 400, an unknown reason 400, no token 401", async () => {
      expect((await tp.api("GET", "/api/certificates/00000000-0000-4000-8000-000000000000", { token: tp.adminToken })).status).to.equal(404);
      expect((await tp.api("GET", "/api/certificates/..%2F..%2Fetc", { token: tp.adminToken })).status).to.equal(404);
      expect((await issue(tp.adminToken, { userId: "00000000-0000-4000-8000-000000000000" })).status).to.equal(404);
      expect(await errorCode(await issue(tp.adminToken, { userId: bob.id, organizationId: org.id }))).to.deep.equal({ status: 400, code: "invalid_input" });
      expect(await errorCode(await issue(tp.adminToken, { userId: bob.id, commonName: "x" }))).to.deep.equal({ status: 400, code: "invalid_input" });
      const mine = (await expectJson(await issue(bob.token, {}), 201)).id;
      expect(await errorCode(await tp.api("POST", `/api/certificates/${mine}/revoke`, { token: bob.token, json: { reason: "becauseISaidSo" } }))).to.deep.equal({ status: 400, code: "invalid_input" });
      expect((await tp.api("GET", "/api/certificates")).status).to.equal(401);
      expect((await tp.api("POST", "/api/certificates", { json: {} })).status).to.equal(401);
      expect((await tp.api("POST", `/api/certificates/${mine}/revoke`, { json: {} })).status).to.equal(401);
    });
  });

  describe("key custody: no private key in clear", () => {
    it("every platform-held key is sealed (v1:, bound to its certificate), and none is in DATA_DIR, the database or an API answer", async function () {
      this.timeout(400_000);
      const db = tp.platform.database.db;
      // A few more users with platform-held keys, and evidence from each.
      for (let i = 0; i < 3; i++) {
        const u = await tp.createUser(i ? "member" : "judge");
        const item = await expectJson(await tp.upload(u.token, `custody ${i} ${randomBytes(4).toString("hex")}`), 201);
        await tp.waitAnchored(u.token, item.id);
      }
      const rows = await db.certificate.findMany();
      const sealedRows = rows.filter((r) => r.sealedKey !== null);
      expect(sealedRows.map((r) => r.id)).to.include.members(["root-ca", "issuing-ca", "tsa"]);
      expect(sealedRows.length).to.be.at.least(3 + 8);
      for (const r of rows) {
        if (["root-ca", "issuing-ca", "tsa", "organization"].includes(r.kind)) expect(r.sealedKey, r.id).to.be.a("string");
      }

      // Each sealed value opens only under its own certificate's context, to the key of that certificate.
      const vault = KeyVault.open(tp.dataDir);
      const privateKeys: KeyObject[] = [];
      for (const [i, r] of sealedRows.entries()) {
        expect(r.sealedKey!.startsWith("v1:"), r.id).to.equal(true);
        const pem = vault.unseal(r.sealedKey!, `cert:${r.id}`).toString("utf8");
        const key = createPrivateKey(pem);
        const certKey = new X509Certificate(r.certPem).publicKey.export({ type: "spki", format: "der" });
        expect(createPublicKey(key).export({ type: "spki", format: "der" }).equals(certKey), r.id).to.equal(true);
        const other = sealedRows[(i + 1) % sealedRows.length];
        expect(() => vault.unseal(r.sealedKey!, `cert:${other.id}`), r.id).to.throw(/failed authentication/);
        expect(() => vault.unseal(other.sealedKey!, `cert:${r.id}`), r.id).to.throw(/failed authentication/);
        privateKeys.push(key);
      }
      expect(() => KeyVault.open(tp.dataDir, randomBytes(32).toString("hex")).unseal(sealedRows[0].sealedKey!, `cert:${sealedRows[0].id}`)).to.throw(/failed authentication/);
      for (const pem of holderKeys) privateKeys.push(createPrivateKey(pem));
      // The transparency log's Ed25519 key: sealed too, under its own context, to its published key.
      const logHeads = await db.logHead.findMany();
      expect(logHeads, "the log's head row").to.have.length(1);
      for (const h of logHeads) {
        expect(h.sealedKey.startsWith("v1:")).to.equal(true);
        const key = createPrivateKey({ key: vault.unseal(h.sealedKey, LOG_KEY_CONTEXT), format: "der", type: "pkcs8" });
        expect(createPublicKey(key).export({ type: "spki", format: "der" }).subarray(-32).toString("base64")).to.equal(h.publicKey);
        expect(() => vault.unseal(h.sealedKey, `cert:${sealedRows[0].id}`)).to.throw(/failed authentication/);
        privateKeys.push(key);
      }

      // What would betray a key: its PEM label, its DER (PKCS#8, and PKCS#1 for RSA), a line of their
      // base64, and its secret numbers (d; p and q for RSA) as bytes, hex and base64url.
      const needles: { what: string; bytes: Buffer }[] = [{ what: "a PEM private key", bytes: Buffer.from("PRIVATE KEY") }];
      for (const [i, key] of privateKeys.entries()) {
        // A whole line of the PEM body near its end: the secret part (the start holds the public modulus).
        const line = (der: Buffer) => {
          const n = Math.floor(der.length / 48);
          return Buffer.from(der.toString("base64").slice((n - 1) * 64, n * 64));
        };
        const pkcs8 = key.export({ type: "pkcs8", format: "der" });
        const forms: [string, Buffer][] = [["pkcs8 DER", pkcs8]];
        const secrets: ("d" | "p" | "q")[] = ["d"];
        if (key.asymmetricKeyType === "rsa") {
          const pkcs1 = key.export({ type: "pkcs1", format: "der" });
          forms.push(["pkcs8 base64", line(pkcs8)], ["pkcs1 DER", pkcs1], ["pkcs1 base64", line(pkcs1)]);
          secrets.push("p", "q");
        }
        const jwk = key.export({ format: "jwk" });
        for (const n of secrets) {
          const raw = Buffer.from(jwk[n]!, "base64url");
          forms.push([`${n} bytes`, raw], [`${n} hex`, Buffer.from(raw.toString("hex"))], [`${n} base64url`, Buffer.from(jwk[n]!.slice(0, 64))]);
        }
        for (const [what, bytes] of forms) needles.push({ what: `key ${i} (${key.asymmetricKeyType}) ${what}`, bytes });
      }
      expect(needles.every((n) => n.bytes.length >= 11)).to.equal(true);
      // A plain loop, failing through chai only on a find: hundreds of thousands of checks.
      const scan = (where: string, data: Buffer) => {
        for (const n of needles) if (data.indexOf(n.bytes) !== -1) expect.fail(`${n.what} found in ${where}`);
      };
      // The scan finds a key written in any of those forms.
      const planted = privateKeys[1];
      for (const form of [
        planted.export({ type: "pkcs8", format: "pem" }) as string,
        JSON.stringify({ k: (planted.export({ type: "pkcs1", format: "der" }) as Buffer).toString("base64") }),
        JSON.stringify(planted.export({ format: "jwk" })),
      ]) {
        expect(() => scan("a planted key", Buffer.from(form.replace("PRIVATE KEY", "")))).to.throw(/found in a planted key/);
      }

      // Every file under DATA_DIR (the SQLite database and its WAL included).
      const files = (fs.readdirSync(tp.dataDir, { recursive: true }) as string[]).map((f) => path.join(tp.dataDir, f)).filter((f) => fs.statSync(f).isFile());
      const someCertPem = Buffer.from(sealedRows[sealedRows.length - 1].certPem.split("\n")[3]);
      let certsSeen = 0;
      for (const f of files) {
        const data = fs.readFileSync(f);
        scan(f, data);
        if (data.indexOf(someCertPem) >= 0) certsSeen++;
      }
      if (testDbKind() === "sqlite") {
        expect(files.map((f) => path.basename(f))).to.include("platform.db");
        expect(certsSeen, "the scan read the database file(s)").to.be.at.least(1);
      }

      // Every column of every table.
      const tables: string[] =
        tp.platform.database.provider === "sqlite"
          ? ((await db.$queryRawUnsafe(`SELECT name FROM sqlite_master WHERE type = 'table'`)) as { name: string }[]).map((t) => t.name)
          : ((await db.$queryRawUnsafe(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)) as { name: string }[]).map((t) => t.name);
      expect(tables).to.include.members(["Certificate", "EvidenceItem", "RevocationList", "User"]);
      let cells = 0;
      let sealedSeen = 0;
      for (const t of tables) {
        const rowsOfT = (await db.$queryRawUnsafe(`SELECT * FROM "${t}"`)) as Record<string, unknown>[];
        for (const row of rowsOfT) {
          for (const [col, v] of Object.entries(row)) {
            if (v === null || v === undefined) continue;
            const data = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(v instanceof Date ? v.toISOString() : String(v));
            scan(`${t}.${col}`, data);
            if (col === "sealedKey") sealedSeen++;
            cells++;
          }
        }
      }
      expect(sealedSeen).to.equal(sealedRows.length + logHeads.length);
      expect(cells).to.be.greaterThan(100);

      // Every API answer that shows certificates, users or evidence.
      const answers: [string, string][] = [
        ["/api/certificates", tp.adminToken],
        ...rows.filter((r) => r.kind === "person" || r.kind === "organization").map((r): [string, string] => [`/api/certificates/${r.id}`, tp.adminToken]),
        ["/api/users", tp.adminToken],
        ["/api/auth/me", tp.adminToken],
        ["/api/evidence?limit=500", tp.adminToken],
        ["/api/pki/root.pem", tp.adminToken],
        ["/api/pki/ca.pem", tp.adminToken],
        ["/api/pki/crl", tp.adminToken],
      ];
      const items = await db.evidenceItem.findMany({ select: { id: true } });
      for (const it of items) answers.push([`/api/evidence/${it.id}/proof`, tp.adminToken], [`/api/evidence/${it.id}`, tp.adminToken]);
      for (const [route, token] of answers) {
        const res = await tp.api("GET", route, { token });
        expect(res.status, route).to.be.oneOf([200, 202]);
        const body = Buffer.from(await res.arrayBuffer());
        scan(route, body);
        expect(body.toString("latin1"), route).to.not.contain("sealedKey");
        expect(body.toString("latin1"), route).to.not.contain("v1:");
      }
    });
  });
});
