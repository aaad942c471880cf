// server/pki/crl.ts, checked with openssl crl (parse, signature) and openssl verify -crl_check.
import { expect } from "chai";
import * as crypto from "node:crypto";
import { IssuedCertificate, issueCertificate } from "../../server/pki/certificate-issue";
import { RevocationReason, buildCrl, parseCrl } from "../../server/pki/crl";
import { generateKeyPairAsync } from "../../server/pki/keys";
import { OpensslDir } from "./openssl";

type KeyPair = { privateKeyPem: string; publicKeyPem: string };
const DAY = 86_400_000;

describe("pki: CRLs (checked with openssl)", function () {
  let tmp: OpensslDir;
  let rootKey: KeyPair, issuingKey: KeyPair, leafKey: KeyPair;
  let root: IssuedCertificate, issuing: IssuedCertificate, revokedCert: IssuedCertificate, goodCert: IssuedCertificate;
  const now = new Date();
  const thisUpdate = new Date(now.getTime() - 60_000);
  const nextUpdate = new Date(now.getTime() + 7 * DAY);
  const ALL_REASONS: { reason: RevocationReason; text: string | null }[] = [
    { reason: "unspecified", text: null },
    { reason: "keyCompromise", text: "Key Compromise" },
    { reason: "cACompromise", text: "CA Compromise" },
    { reason: "affiliationChanged", text: "Affiliation Changed" },
    { reason: "superseded", text: "Superseded" },
    { reason: "cessationOfOperation", text: "Cessation Of Operation" },
    { reason: "certificateHold", text: "Certificate Hold" },
    { reason: "privilegeWithdrawn", text: "Privilege Withdrawn" },
  ];
  let crl: Buffer;
  const revokedAt = new Date(Date.UTC(2024, 2, 1, 8, 30, 15));

  before(async function () {
    tmp = new OpensslDir();
    [rootKey, issuingKey] = await Promise.all([generateKeyPairAsync(), generateKeyPairAsync()]);
    const k = crypto.generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    leafKey = { privateKeyPem: k.privateKey, publicKeyPem: k.publicKey };
    const start = new Date(now.getTime() - 3600_000);
    root = issueCertificate({ kind: "root-ca", subject: { commonName: "证据平台根CA", country: "CN" }, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 3650, now: start });
    issuing = issueCertificate({
      kind: "issuing-ca",
      subject: { commonName: "证据平台签发CA", organization: "证据平台", country: "CN" },
      subjectPublicKeyPem: issuingKey.publicKeyPem,
      issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem },
      validityDays: 1825,
      now: start,
    });
    const byIssuing = { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem };
    const crlUrl = "http://127.0.0.1:3000/pki/issuing-ca.crl";
    revokedCert = issueCertificate({ kind: "person", subject: { commonName: "张三", serialNumber: "u1" }, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 365, crlUrl, now: start });
    goodCert = issueCertificate({ kind: "person", subject: { commonName: "李四", serialNumber: "u2" }, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 365, crlUrl, now: start });
    tmp.write("root.pem", root.certPem);
    tmp.write("issuing.pem", issuing.certPem);
    tmp.write("chain.pem", issuing.certPem + root.certPem);
    tmp.write("revoked.pem", revokedCert.certPem);
    tmp.write("good.pem", goodCert.certPem);

    crl = buildCrl({
      issuerCertPem: issuing.certPem,
      issuerKeyPem: issuingKey.privateKeyPem,
      revoked: [
        { serialHex: revokedCert.serialHex, revokedAt, reason: "keyCompromise" },
        // every other reason, on made-up serials (one with the high bit set, one short)
        ...ALL_REASONS.filter((r) => r.reason !== "keyCompromise").map((r, i) => ({
          serialHex: i === 0 ? "ff01" : i === 1 ? "0a" : crypto.randomBytes(16).toString("hex"),
          revokedAt,
          reason: r.reason,
        })),
      ],
      crlNumber: 42n,
      thisUpdate,
      nextUpdate,
    });
    tmp.write("crl.der", crl);
    tmp.ok("crl", "-inform", "DER", "-in", "crl.der", "-outform", "PEM", "-out", "crl.pem");
  });

  after(() => tmp?.remove());

  it("openssl crl -text lists the revoked serials with their reasons, the CRL number and the AKI", () => {
    const text = tmp.ok("crl", "-inform", "DER", "-in", "crl.der", "-text", "-noout").stdout;
    expect(text).to.include("Version 2 (0x1)");
    expect(text).to.include("Signature Algorithm: sha256WithRSAEncryption");
    expect(text).to.match(/X509v3 CRL Number: \n\s+42\n/);
    const ski = tmp.ok("x509", "-in", "issuing.pem", "-noout", "-ext", "subjectKeyIdentifier").stdout.trim().split("\n").pop()!.trim();
    expect(text).to.match(new RegExp(`X509v3 Authority Key Identifier: \\n\\s+${ski}\\n`));
    // each entry: serial, date, and the reason (none for "unspecified", RFC 5280 §5.3.1)
    const entries = text.split("Serial Number: ").slice(1);
    expect(entries).to.have.length(ALL_REASONS.length);
    const bySerial = new Map(entries.map((e) => [e.split("\n")[0].trim().toLowerCase(), e]));
    const parsed = parseCrl(crl);
    for (const r of parsed.revoked) {
      const entry = bySerial.get(r.serialHex);
      expect(entry, r.serialHex).to.be.a("string");
      expect(entry).to.include("Revocation Date: Mar  1 08:30:15 2024 GMT");
      const want = ALL_REASONS.find((x) => x.reason === r.reason)!.text;
      if (want) expect(entry).to.match(new RegExp(`X509v3 CRL Reason Code: \\n\\s+${want}\\n`));
      else expect(entry).to.not.include("CRL Reason Code");
    }
    expect(bySerial.has(revokedCert.serialHex)).to.equal(true);
    expect(bySerial.has("ff01")).to.equal(true);
    expect(bySerial.has("0a")).to.equal(true);
  });

  it("openssl crl verifies the signature against the issuing CA (verify OK), and not a tampered CRL", () => {
    const ok = tmp.run("crl", "-in", "crl.der", "-inform", "DER", "-CAfile", "chain.pem", "-noout");
    expect(ok.output).to.include("verify OK");
    const bad = Buffer.from(crl);
    bad[bad.length - 5] ^= 0x01;
    tmp.write("bad.der", bad);
    const r = tmp.run("crl", "-in", "bad.der", "-inform", "DER", "-CAfile", "chain.pem", "-noout");
    expect(r.output).to.not.include("verify OK");
    expect(r.output).to.include("verify failure");
  });

  it("openssl verify -crl_check rejects the revoked certificate and accepts the other one", () => {
    tmp.write("trust.pem", root.certPem + issuing.certPem);
    const revoked = tmp.run("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "trust.pem", "revoked.pem");
    expect(revoked.status).to.not.equal(0);
    expect(revoked.output).to.include("certificate revoked");
    const good = tmp.run("verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "trust.pem", "good.pem");
    expect(good.output).to.equal("good.pem: OK\n");
    // and without the CRL openssl cannot decide, so the CRL is what it used
    expect(tmp.run("verify", "-crl_check", "-CAfile", "trust.pem", "good.pem").output).to.include("unable to get certificate CRL");
  });

  it("parseCrl reads back what buildCrl wrote", () => {
    const p = parseCrl(crl);
    expect(p.crlNumber).to.equal(42n);
    expect(p.thisUpdate.getTime()).to.equal(Math.floor(thisUpdate.getTime() / 1000) * 1000);
    expect(p.nextUpdate.getTime()).to.equal(Math.floor(nextUpdate.getTime() / 1000) * 1000);
    expect(p.revoked).to.have.length(ALL_REASONS.length);
    expect(p.revoked[0]).to.deep.equal({ serialHex: revokedCert.serialHex, revokedAt, reason: "keyCompromise" });
    expect(p.revoked.map((r) => r.reason)).to.deep.equal(["keyCompromise", ...ALL_REASONS.filter((r) => r.reason !== "keyCompromise").map((r) => r.reason)]);
    // The issuer DN is the issuing CA's subject DN, byte for byte, and openssl hashes it the same.
    const certDer = Buffer.from(issuing.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(certDer.includes(Buffer.from(p.issuerDnHex, "hex"))).to.equal(true);
    expect(p.issuerDnHex.startsWith("30")).to.equal(true);
    expect(tmp.ok("crl", "-in", "crl.der", "-inform", "DER", "-noout", "-hash").stdout).to.equal(tmp.ok("x509", "-in", "issuing.pem", "-noout", "-subject_hash").stdout);
  });

  it("signatureValidFor: true for the issuing CA only, false for a tampered CRL", () => {
    const p = parseCrl(crl);
    expect(p.signatureValidFor(issuing.certPem)).to.equal(true);
    expect(p.signatureValidFor(root.certPem)).to.equal(false);
    expect(p.signatureValidFor(revokedCert.certPem)).to.equal(false);
    expect(p.signatureValidFor("not a certificate")).to.equal(false);
    // the issuing CA's key in a certificate with another name is not the CRL's issuer
    const sameKey = issueCertificate({
      kind: "person",
      subject: { commonName: "same key, other name" },
      subjectPublicKeyPem: issuingKey.publicKeyPem,
      issuer: { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem },
      validityDays: 1,
    });
    expect(p.signatureValidFor(sameKey.certPem)).to.equal(false);
    const bad = Buffer.from(crl);
    bad[bad.length - 5] ^= 0x01;
    expect(parseCrl(bad).signatureValidFor(issuing.certPem)).to.equal(false);
  });

  it("an empty CRL omits revokedCertificates; dates from 2050 are GeneralizedTime; large CRL numbers", () => {
    const empty = buildCrl({
      issuerCertPem: root.certPem,
      issuerKeyPem: rootKey.privateKeyPem,
      revoked: [],
      crlNumber: 2n ** 100n,
      thisUpdate: now,
      nextUpdate: new Date(Date.UTC(2051, 0, 2, 3, 4, 5)),
    });
    tmp.write("empty.der", empty);
    const text = tmp.ok("crl", "-inform", "DER", "-in", "empty.der", "-text", "-noout").stdout;
    expect(text).to.include("No Revoked Certificates.");
    expect(text).to.include("Next Update: Jan  2 03:04:05 2051 GMT");
    expect(text).to.match(new RegExp(`CRL Number: \\n\\s+${(2n ** 100n).toString()}\\n`));
    expect(tmp.ok("asn1parse", "-inform", "DER", "-in", "empty.der").stdout).to.match(/GENERALIZEDTIME\s*:20510102030405Z/);
    expect(tmp.run("crl", "-in", "empty.der", "-inform", "DER", "-CAfile", "root.pem", "-noout").output).to.include("verify OK");
    const p = parseCrl(empty);
    expect(p.revoked).to.deep.equal([]);
    expect(p.crlNumber).to.equal(2n ** 100n);
    expect(p.nextUpdate.toISOString()).to.equal("2051-01-02T03:04:05.000Z");
    expect(p.signatureValidFor(root.certPem)).to.equal(true);
  });

  it("parseCrl reads a CRL made by openssl ca", () => {
    // A minimal openssl CA database revoking goodCert's serial.
    tmp.write("index.txt", "");
    tmp.write("crlnumber", "1000\n");
    tmp.write("issuing.key", issuingKey.privateKeyPem);
    tmp.write(
      "ca.cnf",
      "[ca]\ndefault_ca=CA\n[CA]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=3\ncrl_extensions=crlext\n[crlext]\nauthorityKeyIdentifier=keyid:always\n",
    );
    tmp.ok("ca", "-config", "ca.cnf", "-cert", "issuing.pem", "-keyfile", "issuing.key", "-revoke", "good.pem", "-crl_reason", "superseded");
    tmp.ok("ca", "-config", "ca.cnf", "-cert", "issuing.pem", "-keyfile", "issuing.key", "-gencrl", "-out", "ossl.crl.pem");
    tmp.ok("crl", "-in", "ossl.crl.pem", "-outform", "DER", "-out", "ossl.crl.der");
    const p = parseCrl(tmp.read("ossl.crl.der"));
    expect(p.crlNumber).to.equal(0x1000n);
    expect(p.revoked.map((r) => [r.serialHex, r.reason])).to.deep.equal([[goodCert.serialHex, "superseded"]]);
    expect(p.signatureValidFor(issuing.certPem)).to.equal(true);
  });

  it("buildCrl refuses a key that is not the issuer's, duplicate serials and inverted dates; parseCrl refuses garbage", () => {
    const base = { issuerCertPem: issuing.certPem, issuerKeyPem: issuingKey.privateKeyPem, revoked: [], crlNumber: 1n, thisUpdate, nextUpdate };
    expect(() => buildCrl({ ...base, issuerKeyPem: rootKey.privateKeyPem })).to.throw(/does not match/);
    expect(() => buildCrl({ ...base, issuerCertPem: revokedCert.certPem, issuerKeyPem: leafKey.privateKeyPem })).to.throw(/cRLSign/);
    const dup = { serialHex: "01ab", revokedAt, reason: "superseded" as const };
    expect(() => buildCrl({ ...base, revoked: [dup, { ...dup, serialHex: "1AB" }] })).to.throw(/twice/);
    expect(() => buildCrl({ ...base, revoked: [{ ...dup, serialHex: "xyz" }] })).to.throw(/hex/);
    expect(() => buildCrl({ ...base, nextUpdate: thisUpdate })).to.throw(/nextUpdate/);
    expect(() => buildCrl({ ...base, crlNumber: -1n })).to.throw(/crlNumber/);
    expect(() => parseCrl(Buffer.from("not a crl"))).to.throw(/malformed CRL/);
    expect(() => parseCrl(crl.subarray(0, crl.length - 1))).to.throw(/malformed CRL/);
    expect(() => parseCrl(Buffer.from(issuing.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64"))).to.throw(/malformed CRL/);
  });
});
