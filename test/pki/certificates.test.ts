// server/pki/keys.ts and certificate-*.ts, checked with the real openssl 3 CLI (verify, x509 -text,
// asn1parse, cms) as the independent implementation.
import { expect } from "chai";
import * as crypto from "node:crypto";
import forge from "node-forge";
import { forgeCertificateFromPem } from "../../server/pki/certificate-forge";
import { IssuedCertificate, issueCertificate } from "../../server/pki/certificate-issue";
import { certificateInfo } from "../../server/pki/certificate-parse";
import { verifyChain } from "../../server/pki/certificate-verify";
import { Subject } from "../../server/pki/names";
import { generateKeyPair, generateKeyPairAsync } from "../../server/pki/keys";
import { OpensslDir } from "./openssl";

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

const ORG_NAME = "甲科技有限公司";
const CRL_URL = "http://127.0.0.1:3000/pki/issuing-ca.crl";
const DAY = 86_400_000;

/** The PEM's DER. */
const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");

/** The block of `openssl x509 -text` output for one extension: its header line and indented value lines. */
function extensionBlock(text: string, name: string): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.trim().startsWith(name + ":"));
  if (i < 0) return "";
  const indent = lines[i].search(/\S/);
  const out = [lines[i].trim()];
  for (let j = i + 1; j < lines.length && lines[j].search(/\S/) > indent; j++) out.push(lines[j].trim());
  return out.join("\n");
}

/** A certificate made by node-forge directly (for shapes issueCertificate refuses to make). */
function forgeIssue(opts: {
  subjectCn: string;
  subjectKey: KeyPair;
  issuerCertPem: string;
  issuerKeyPem: string;
  ca: boolean;
  pathLen?: number;
}): string {
  const issuer = forgeCertificateFromPem(opts.issuerCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.subjectKey.publicKeyPem);
  cert.serialNumber = "01" + crypto.randomBytes(8).toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY);
  cert.setSubject([{ name: "commonName", value: opts.subjectCn }]);
  cert.setIssuer(issuer.subject.attributes);
  const bc: Record<string, unknown> = { name: "basicConstraints", critical: true, cA: opts.ca };
  if (opts.pathLen !== undefined) bc.pathLenConstraint = opts.pathLen;
  cert.setExtensions([
    bc,
    { name: "keyUsage", critical: true, ...(opts.ca ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true }) },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(opts.issuerKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe("pki: keys and certificates (checked with openssl)", function () {
  let tmp: OpensslDir;
  let rootKey: KeyPair, issuingKey: KeyPair, leafKey: KeyPair, otherRootKey: KeyPair, otherIssuingKey: KeyPair;
  let root: IssuedCertificate, issuing: IssuedCertificate, org: IssuedCertificate, person: IssuedCertificate, tsa: IssuedCertificate;
  let otherRoot: IssuedCertificate, otherIssuing: IssuedCertificate, foreignOrg: IssuedCertificate;
  const now = new Date();
  const rootSubject: Subject = { commonName: "证据平台根证书 Evidence Root CA", organization: "证据平台", country: "CN" };
  const issuingSubject: Subject = { commonName: "证据平台签发CA", organization: "证据平台", organizationalUnit: "电子认证", country: "CN" };
  const orgSubject: Subject = { commonName: ORG_NAME, organization: ORG_NAME, country: "CN", serialNumber: "91110108MA01ABCD2X" };
  const personSubject: Subject = {
    commonName: "张三",
    organization: ORG_NAME,
    organizationalUnit: "法务部",
    country: "CN",
    serialNumber: "user-3f9a2c1e",
    email: "zhangsan@example.cn",
  };

  before(async function () {
    tmp = new OpensslDir();
    // The platform's own keys through keys.ts (one synchronously, two on the thread pool); the
    // look-alike CA gets quicker 2048-bit keys.
    const quick = () =>
      crypto.generateKeyPairSync("rsa", {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      });
    const pending = Promise.all([generateKeyPairAsync(), generateKeyPairAsync()]);
    rootKey = generateKeyPair();
    [issuingKey, leafKey] = await pending;
    const [a, b] = [quick(), quick()];
    otherRootKey = { privateKeyPem: a.privateKey, publicKeyPem: a.publicKey };
    otherIssuingKey = { privateKeyPem: b.privateKey, publicKeyPem: b.publicKey };
    root = issueCertificate({ kind: "root-ca", subject: rootSubject, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 7300, now });
    issuing = issueCertificate({
      kind: "issuing-ca",
      subject: issuingSubject,
      subjectPublicKeyPem: issuingKey.publicKeyPem,
      issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem },
      validityDays: 3650,
      crlUrl: "http://127.0.0.1:3000/pki/root-ca.crl",
      now,
    });
    const byIssuing = { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem };
    org = issueCertificate({ kind: "organization", subject: orgSubject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 730, crlUrl: CRL_URL, now });
    person = issueCertificate({ kind: "person", subject: personSubject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 730, crlUrl: CRL_URL, now });
    tsa = issueCertificate({
      kind: "tsa",
      subject: { commonName: "证据平台时间戳服务 TSA", organization: "证据平台", country: "CN" },
      subjectPublicKeyPem: leafKey.publicKeyPem,
      issuer: byIssuing,
      validityDays: 1825,
      crlUrl: CRL_URL,
      now,
    });
    // Another CA with the very same names: only signatures tell them apart.
    otherRoot = issueCertificate({ kind: "root-ca", subject: rootSubject, subjectPublicKeyPem: otherRootKey.publicKeyPem, selfSignKeyPem: otherRootKey.privateKeyPem, validityDays: 7300, now });
    otherIssuing = issueCertificate({
      kind: "issuing-ca",
      subject: issuingSubject,
      subjectPublicKeyPem: otherIssuingKey.publicKeyPem,
      issuer: { certPem: otherRoot.certPem, privateKeyPem: otherRootKey.privateKeyPem },
      validityDays: 3650,
      now,
    });
    foreignOrg = issueCertificate({
      kind: "organization",
      subject: orgSubject,
      subjectPublicKeyPem: leafKey.publicKeyPem,
      issuer: { certPem: otherIssuing.certPem, privateKeyPem: otherIssuingKey.privateKeyPem },
      validityDays: 365,
      now,
    });
    for (const [name, c] of Object.entries({ root, issuing, org, person, tsa, otherRoot, otherIssuing, foreignOrg })) tmp.write(`${name}.pem`, c.certPem);
  });

  after(() => tmp?.remove());

  describe("generateKeyPair", () => {
    it("makes RSA-3072 keys, PKCS#8 private and SPKI public PEM, that belong together (sync and async)", () => {
      // rootKey came from generateKeyPair(), issuingKey and leafKey from generateKeyPairAsync()
      for (const kp of [rootKey, issuingKey, leafKey]) {
        expect(kp.privateKeyPem).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
        expect(kp.publicKeyPem).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
        const priv = crypto.createPrivateKey(kp.privateKeyPem);
        expect(priv.asymmetricKeyType).to.equal("rsa");
        expect(priv.asymmetricKeyDetails?.modulusLength).to.equal(3072);
        expect(priv.asymmetricKeyDetails?.publicExponent).to.equal(65537n);
        expect(crypto.createPublicKey(priv).equals(crypto.createPublicKey(kp.publicKeyPem))).to.equal(true);
      }
      expect(new Set([rootKey.publicKeyPem, issuingKey.publicKeyPem, leafKey.publicKeyPem]).size).to.equal(3);
      const t = tmp.write("k.pem", rootKey.privateKeyPem);
      expect(tmp.ok("pkey", "-in", t, "-noout", "-text").stdout).to.include("Private-Key: (3072 bit, 2 primes)");
    });
  });

  describe("openssl verify", () => {
    for (const name of ["org", "person", "tsa"]) {
      it(`accepts the ${name} certificate through the issuing CA (-x509_strict)`, () => {
        const r = tmp.run("verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "issuing.pem", `${name}.pem`);
        expect(r.output).to.equal(`${name}.pem: OK\n`);
        expect(r.status).to.equal(0);
      });
    }

    it("accepts the issuing CA under the root, and fails without the intermediate", () => {
      expect(tmp.run("verify", "-x509_strict", "-CAfile", "root.pem", "issuing.pem").output).to.equal("issuing.pem: OK\n");
      const r = tmp.run("verify", "-CAfile", "root.pem", "org.pem");
      expect(r.status).to.not.equal(0);
      expect(r.output).to.include("unable to get local issuer certificate");
    });

    it("rejects a certificate issued by another CA with identical names", () => {
      const r = tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "otherIssuing.pem", "foreignOrg.pem");
      expect(r.status).to.not.equal(0);
      expect(r.output).to.match(/certificate signature failure|unable to get local issuer certificate/);
      // and the same certificate does verify under its own CA, so the failure is about the issuer
      expect(tmp.run("verify", "-CAfile", "otherRoot.pem", "-untrusted", "otherIssuing.pem", "foreignOrg.pem").output).to.equal("foreignOrg.pem: OK\n");
      // a real leaf presented with the wrong intermediate
      const r2 = tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "otherIssuing.pem", "org.pem");
      expect(r2.status).to.not.equal(0);
    });

    it("accepts the TSA certificate for the timestamp purpose and refuses the organisation certificate for it", () => {
      expect(tmp.run("verify", "-purpose", "timestampsign", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "tsa.pem").output).to.equal("tsa.pem: OK\n");
      const r = tmp.run("verify", "-purpose", "timestampsign", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "org.pem");
      expect(r.status).to.not.equal(0);
      expect(r.output).to.include("unsuitable certificate purpose");
    });
  });

  describe("extensions (openssl x509 -text)", () => {
    const text = (name: string) => tmp.ok("x509", "-in", `${name}.pem`, "-noout", "-text", "-nameopt", "utf8").stdout;

    it("root CA: CA critical, keyCertSign+cRLSign critical, SKI; no AKI, no CRL DP", () => {
      const t = text("root");
      expect(t).to.include("Version: 3 (0x2)");
      expect(t).to.include("Signature Algorithm: sha256WithRSAEncryption");
      expect(t).to.include("Public-Key: (3072 bit)");
      expect(extensionBlock(t, "X509v3 Basic Constraints")).to.equal("X509v3 Basic Constraints: critical\nCA:TRUE");
      expect(extensionBlock(t, "X509v3 Key Usage")).to.equal("X509v3 Key Usage: critical\nCertificate Sign, CRL Sign");
      expect(extensionBlock(t, "X509v3 Subject Key Identifier")).to.match(/^X509v3 Subject Key Identifier:\n([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      expect(t).to.not.include("Authority Key Identifier");
      expect(t).to.not.include("CRL Distribution Points");
      expect(t).to.not.include("Extended Key Usage");
    });

    it("issuing CA: CA pathlen 0 critical, keyCertSign+cRLSign critical, SKI, AKI = root SKI, CRL DP", () => {
      const t = text("issuing");
      expect(extensionBlock(t, "X509v3 Basic Constraints")).to.equal("X509v3 Basic Constraints: critical\nCA:TRUE, pathlen:0");
      expect(extensionBlock(t, "X509v3 Key Usage")).to.equal("X509v3 Key Usage: critical\nCertificate Sign, CRL Sign");
      const rootSki = extensionBlock(text("root"), "X509v3 Subject Key Identifier").split("\n")[1];
      expect(extensionBlock(t, "X509v3 Authority Key Identifier")).to.equal(`X509v3 Authority Key Identifier:\n${rootSki}`);
      expect(extensionBlock(t, "X509v3 CRL Distribution Points")).to.equal(
        "X509v3 CRL Distribution Points:\nFull Name:\nURI:http://127.0.0.1:3000/pki/root-ca.crl",
      );
    });

    for (const name of ["org", "person"]) {
      it(`${name}: CA:FALSE, digitalSignature+nonRepudiation critical, EKU emailProtection+document signing non-critical, SKI, AKI, CRL DP`, () => {
        const t = text(name);
        expect(extensionBlock(t, "X509v3 Basic Constraints")).to.equal("X509v3 Basic Constraints:\nCA:FALSE");
        expect(extensionBlock(t, "X509v3 Key Usage")).to.equal("X509v3 Key Usage: critical\nDigital Signature, Non Repudiation");
        expect(extensionBlock(t, "X509v3 Extended Key Usage")).to.equal("X509v3 Extended Key Usage:\nE-mail Protection, 1.3.6.1.4.1.311.10.3.12");
        const issuingSki = extensionBlock(text("issuing"), "X509v3 Subject Key Identifier").split("\n")[1];
        expect(extensionBlock(t, "X509v3 Authority Key Identifier")).to.equal(`X509v3 Authority Key Identifier:\n${issuingSki}`);
        expect(extensionBlock(t, "X509v3 Subject Key Identifier")).to.match(/([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
        expect(extensionBlock(t, "X509v3 CRL Distribution Points")).to.include(`URI:${CRL_URL}`);
      });
    }

    it("TSA: keyUsage critical, extKeyUsage timeStamping CRITICAL and only that (RFC 3161 §2.3), SKI, AKI, CRL DP", () => {
      const t = text("tsa");
      expect(extensionBlock(t, "X509v3 Extended Key Usage")).to.equal("X509v3 Extended Key Usage: critical\nTime Stamping");
      expect(extensionBlock(t, "X509v3 Key Usage")).to.equal("X509v3 Key Usage: critical\nDigital Signature, Non Repudiation");
      expect(extensionBlock(t, "X509v3 Authority Key Identifier")).to.not.equal("");
      expect(extensionBlock(t, "X509v3 Subject Key Identifier")).to.not.equal("");
      expect(extensionBlock(t, "X509v3 CRL Distribution Points")).to.include(`URI:${CRL_URL}`);
    });
  });

  describe("names", () => {
    it("Chinese O/CN/OU render with -nameopt utf8; C, O, OU, CN, serialNumber, emailAddress in that order", () => {
      const subject = tmp.ok("x509", "-in", "person.pem", "-noout", "-subject", "-nameopt", "utf8").stdout.trim();
      expect(subject).to.equal(`subject=C=CN, O=${ORG_NAME}, OU=法务部, CN=张三, serialNumber=user-3f9a2c1e, emailAddress=zhangsan@example.cn`);
      const orgLine = tmp.ok("x509", "-in", "org.pem", "-noout", "-subject", "-issuer", "-nameopt", "utf8").stdout;
      expect(orgLine).to.equal(`subject=C=CN, O=${ORG_NAME}, CN=${ORG_NAME}, serialNumber=91110108MA01ABCD2X\nissuer=C=CN, O=证据平台, OU=电子认证, CN=证据平台签发CA\n`);
    });

    it("uses UTF8String for O/OU/CN, PrintableString for C and serialNumber, IA5String for emailAddress", () => {
      const dump = tmp.ok("asn1parse", "-in", "person.pem").stdout;
      const values = (type: string) => [...dump.matchAll(new RegExp(`prim:\\s*${type}\\s*:(.*)$`, "gm"))].map((m) => m[1].trim());
      // The issuer's values come first, then the subject's.
      expect(values("UTF8STRING")).to.deep.equal(["证据平台", "电子认证", "证据平台签发CA", ORG_NAME, "法务部", "张三"]);
      expect(values("PRINTABLESTRING")).to.deep.equal(["CN", "CN", "user-3f9a2c1e"]);
      expect(values("IA5STRING")).to.deep.equal(["zhangsan@example.cn"]);
    });

    it("copies the issuer DN byte for byte from the issuer's subject", () => {
      // openssl's -issuer_hash/-subject_hash compare canonical forms; also compare the raw bytes.
      const h1 = tmp.ok("x509", "-in", "org.pem", "-noout", "-issuer_hash").stdout;
      const h2 = tmp.ok("x509", "-in", "issuing.pem", "-noout", "-subject_hash").stdout;
      expect(h1).to.equal(h2);
      const forgeIssuing = forge.pki.certificateFromPem(issuing.certPem);
      const subjectDer = Buffer.from(forge.asn1.toDer(forgeIssuing.tbsCertificate.value[5] as forge.asn1.Asn1).getBytes(), "binary");
      const forgeOrg = forge.pki.certificateFromPem(org.certPem);
      const issuerDer = Buffer.from(forge.asn1.toDer(forgeOrg.tbsCertificate.value[3] as forge.asn1.Asn1).getBytes(), "binary");
      expect(issuerDer.equals(subjectDer)).to.equal(true);
      expect(der(org.certPem).includes(subjectDer)).to.equal(true);
    });

    it("under a CA made by openssl (attributes and order this module does not write), the issuer DN is copied exactly", () => {
      tmp.ok("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ext.key", "-out", "ext.pem", "-days", "30", "-utf8",
        "-subj", "/CN=外部根CA/L=北京/ST=Beijing/O=Ext", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
      const ext = tmp.read("ext.pem").toString();
      const child = issueCertificate({
        kind: "organization",
        subject: orgSubject,
        subjectPublicKeyPem: leafKey.publicKeyPem,
        issuer: { certPem: ext, privateKeyPem: tmp.read("ext.key").toString() },
        validityDays: 10,
      });
      tmp.write("extchild.pem", child.certPem);
      expect(tmp.run("verify", "-x509_strict", "-CAfile", "ext.pem", "extchild.pem").output).to.equal("extchild.pem: OK\n");
      expect(tmp.ok("x509", "-in", "extchild.pem", "-noout", "-issuer", "-nameopt", "utf8").stdout).to.equal("issuer=CN=外部根CA, L=北京, ST=Beijing, O=Ext\n");
      expect(verifyChain(child.certPem, [], ext)).to.deep.equal({ ok: true });
    });

    it("rejects subjects that cannot be encoded faithfully", () => {
      const base = { kind: "organization" as const, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem }, validityDays: 30 };
      expect(() => issueCertificate({ ...base, subject: { commonName: "x", country: "China" } })).to.throw(/country/);
      expect(() => issueCertificate({ ...base, subject: { commonName: "x", serialNumber: "统一代码" } })).to.throw(/serialNumber/);
      expect(() => issueCertificate({ ...base, subject: { commonName: "x", email: "张@example.cn" } })).to.throw(/email/);
      expect(() => issueCertificate({ ...base, subject: { commonName: "" } })).to.throw(/commonName/);
      expect(() => issueCertificate({ ...base, subject: { commonName: "公".repeat(65) } })).to.throw(/64/);
      expect(() => issueCertificate({ ...base, subject: { commonName: "公".repeat(64) } })).to.not.throw();
    });
  });

  describe("serial numbers, fingerprints, validity", () => {
    it("serialHex is 16 random positive bytes and matches openssl -serial; fingerprint matches openssl", () => {
      const serials = new Set<string>();
      for (const [name, c] of Object.entries({ root, issuing, org, person, tsa })) {
        expect(c.serialHex).to.match(/^[0-7][0-9a-f]{31}$/);
        serials.add(c.serialHex);
        expect(tmp.ok("x509", "-in", `${name}.pem`, "-noout", "-serial").stdout.trim()).to.equal(`serial=${c.serialHex.toUpperCase()}`);
        const fp = tmp.ok("x509", "-in", `${name}.pem`, "-noout", "-fingerprint", "-sha256").stdout.trim();
        expect(fp).to.equal(`sha256 Fingerprint=${c.fingerprintSha256.toUpperCase().match(/../g)!.join(":")}`);
        expect(c.fingerprintSha256).to.equal(crypto.createHash("sha256").update(der(c.certPem)).digest("hex"));
      }
      expect(serials.size).to.equal(5);
    });

    it("notBefore is `now` (whole seconds) and notAfter now + validityDays, as openssl reads them", () => {
      const nb = new Date(Math.floor(now.getTime() / 1000) * 1000);
      expect(org.notBefore.getTime()).to.equal(nb.getTime());
      expect(org.notAfter.getTime()).to.equal(nb.getTime() + 730 * DAY);
      const out = tmp.ok("x509", "-in", "org.pem", "-noout", "-startdate", "-enddate").stdout;
      const [start, end] = out.trim().split("\n").map((l) => new Date(l.split("=")[1]));
      expect(start.getTime()).to.equal(org.notBefore.getTime());
      expect(end.getTime()).to.equal(org.notAfter.getTime());
    });

    it("reads a certificate with a negative serial (RFC 5280 4.1.2.2: handled gracefully), as openssl does", () => {
      tmp.ok("req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "neg.key", "-subj", "/CN=Negative serial", "-set_serial", "-4660", "-days", "10", "-out", "neg.pem");
      expect(tmp.ok("x509", "-in", "neg.pem", "-noout", "-serial").stdout.trim()).to.equal("serial=-1234");
      const info = certificateInfo(tmp.read("neg.pem").toString("utf8"));
      expect(info.serialHex).to.equal("-1234");
      expect(info.subject.commonName).to.equal("Negative serial");
    });

    it("uses GeneralizedTime for dates from 2050 (RFC 5280 §4.1.2.5)", () => {
      const when = new Date(Date.UTC(2045, 5, 1, 12, 0, 0));
      const c = issueCertificate({ kind: "root-ca", subject: { commonName: "Long Root" }, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 3650, now: when });
      tmp.write("long.pem", c.certPem);
      const dump = tmp.ok("asn1parse", "-in", "long.pem").stdout;
      expect(dump).to.match(/UTCTIME\s*:450601120000Z/);
      expect(dump).to.match(/GENERALIZEDTIME\s*:20550530120000Z/);
      expect(tmp.ok("x509", "-in", "long.pem", "-noout", "-enddate").stdout.trim()).to.equal("notAfter=May 30 12:00:00 2055 GMT");
      expect(certificateInfo(c.certPem).notAfter.toISOString()).to.equal("2055-05-30T12:00:00.000Z");
    });
  });

  describe("certificateInfo", () => {
    it("reads back subject, issuer, serial, dates, fingerprint and the CA flag", () => {
      const info = certificateInfo(person.certPem);
      expect(info.subject).to.deep.equal(personSubject);
      expect(info.issuer).to.deep.equal(issuingSubject);
      expect(info.serialHex).to.equal(person.serialHex);
      expect(info.notBefore.getTime()).to.equal(person.notBefore.getTime());
      expect(info.notAfter.getTime()).to.equal(person.notAfter.getTime());
      expect(info.fingerprintSha256).to.equal(person.fingerprintSha256);
      expect(info.isCa).to.equal(false);
      expect(certificateInfo(issuing.certPem).isCa).to.equal(true);
      expect(certificateInfo(root.certPem).isCa).to.equal(true);
      expect(certificateInfo(tsa.certPem).isCa).to.equal(false);
      expect(certificateInfo(root.certPem).issuer).to.deep.equal(rootSubject);
    });

    it("reads a certificate made by openssl (its own encoder, a short serial)", () => {
      tmp.ok("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ossl.key", "-out", "ossl.pem", "-days", "10", "-utf8",
        "-subj", "/C=CN/O=乙律师事务所/CN=李四/serialNumber=L-42", "-set_serial", "0x0a0b");
      const info = certificateInfo(tmp.read("ossl.pem").toString());
      expect(info.subject).to.deep.equal({ commonName: "李四", organization: "乙律师事务所", country: "CN", serialNumber: "L-42" });
      expect(info.serialHex).to.equal("0a0b");
      expect(info.isCa).to.equal(true); // openssl req -x509 adds CA:TRUE
    });

    it("throws on something that is not a certificate", () => {
      expect(() => certificateInfo("not a certificate")).to.throw(/PEM/);
      expect(() => certificateInfo("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n")).to.throw();
    });
  });

  describe("verifyChain", () => {
    it("accepts org, person and TSA certificates through the issuing CA, and the issuing CA alone", () => {
      for (const c of [org, person, tsa]) expect(verifyChain(c.certPem, [issuing.certPem], root.certPem)).to.deep.equal({ ok: true });
      expect(verifyChain(issuing.certPem, [], root.certPem)).to.deep.equal({ ok: true });
      expect(verifyChain(org.certPem, [otherIssuing.certPem, issuing.certPem], root.certPem)).to.deep.equal({ ok: true });
    });

    it("fails without the intermediate, under another root, or through a look-alike intermediate", () => {
      expect(verifyChain(org.certPem, [], root.certPem)).to.deep.include({ ok: false });
      expect(verifyChain(org.certPem, [], root.certPem).problem).to.match(/no issuer certificate found/);
      const r = verifyChain(org.certPem, [issuing.certPem], otherRoot.certPem);
      expect(r.ok).to.equal(false);
      expect(r.problem).to.match(/signature/);
      const r2 = verifyChain(foreignOrg.certPem, [otherIssuing.certPem], root.certPem);
      expect(r2.ok).to.equal(false);
      expect(verifyChain(foreignOrg.certPem, [otherIssuing.certPem], otherRoot.certPem)).to.deep.equal({ ok: true });
    });

    it("checks validity at `at`", () => {
      expect(verifyChain(org.certPem, [issuing.certPem], root.certPem, new Date(now.getTime() + 729 * DAY)).ok).to.equal(true);
      const late = verifyChain(org.certPem, [issuing.certPem], root.certPem, new Date(now.getTime() + 731 * DAY));
      expect(late.ok).to.equal(false);
      expect(late.problem).to.match(/expired/);
      const early = verifyChain(org.certPem, [issuing.certPem], root.certPem, new Date(now.getTime() - 2000));
      expect(early.ok).to.equal(false);
      expect(early.problem).to.match(/not yet valid/);
    });

    it("rejects a tampered certificate (openssl agrees)", () => {
      const bytes = der(org.certPem);
      bytes[bytes.length - 10] ^= 0x01; // in the signature
      const pem = `-----BEGIN CERTIFICATE-----\n${bytes.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
      tmp.write("tampered.pem", pem);
      expect(tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "tampered.pem").output).to.include("certificate signature failure");
      const r = verifyChain(pem, [issuing.certPem], root.certPem);
      expect(r.ok).to.equal(false);
      expect(r.problem).to.match(/signature/);
    });

    it("rejects a certificate whose issuer is not a CA (openssl agrees)", () => {
      const fake = forgeIssue({ subjectCn: "Fake", subjectKey: otherRootKey, issuerCertPem: org.certPem, issuerKeyPem: leafKey.privateKeyPem, ca: false });
      tmp.write("fake.pem", fake);
      tmp.write("org+issuing.pem", org.certPem + issuing.certPem);
      const o = tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "org+issuing.pem", "fake.pem");
      expect(o.status).to.not.equal(0);
      expect(o.output).to.match(/invalid CA certificate|unable to get (local )?issuer certificate/);
      const r = verifyChain(fake, [org.certPem, issuing.certPem], root.certPem);
      expect(r.ok).to.equal(false);
      expect(r.problem).to.match(/not a CA/);
    });

    it("enforces the issuing CA's pathLen 0 (openssl agrees)", () => {
      const subCa = forgeIssue({ subjectCn: "Sub CA", subjectKey: otherRootKey, issuerCertPem: issuing.certPem, issuerKeyPem: issuingKey.privateKeyPem, ca: true });
      const leaf = forgeIssue({ subjectCn: "Leaf", subjectKey: otherIssuingKey, issuerCertPem: subCa, issuerKeyPem: otherRootKey.privateKeyPem, ca: false });
      tmp.write("sub.pem", subCa + issuing.certPem);
      tmp.write("subleaf.pem", leaf);
      const o = tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "sub.pem", "subleaf.pem");
      expect(o.status).to.not.equal(0);
      expect(o.output).to.include("path length constraint exceeded");
      const r = verifyChain(leaf, [subCa, issuing.certPem], root.certPem);
      expect(r.ok).to.equal(false);
      expect(r.problem).to.match(/path length/);
      // the sub-CA itself is fine (one CA below the root's unlimited path, zero below the issuing CA)
      expect(verifyChain(subCa, [issuing.certPem], root.certPem)).to.deep.equal({ ok: true });
    });

    it("rejects a root that is not self-signed and never throws on garbage", () => {
      expect(verifyChain(org.certPem, [], issuing.certPem).ok).to.equal(false);
      const r = verifyChain("garbage", [], root.certPem);
      expect(r.ok).to.equal(false);
      expect(r.problem).to.match(/unreadable/);
    });
  });

  describe("issueCertificate refuses inconsistent requests", () => {
    const subject = { commonName: "x" };
    it("checks issuer, keys, kind and validity", () => {
      const byIssuing = { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem };
      expect(() => issueCertificate({ kind: "person", subject, subjectPublicKeyPem: leafKey.publicKeyPem, validityDays: 1 })).to.throw(/needs an issuer/);
      expect(() =>
        issueCertificate({ kind: "person", subject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: { certPem: issuing.certPem, privateKeyPem: rootKey.privateKeyPem }, validityDays: 1 }),
      ).to.throw(/does not match/);
      expect(() =>
        issueCertificate({ kind: "person", subject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: { certPem: org.certPem, privateKeyPem: leafKey.privateKeyPem }, validityDays: 1 }),
      ).to.throw(/not a CA/);
      expect(() => issueCertificate({ kind: "issuing-ca", subject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 1 })).to.throw(/pathLen 0/);
      expect(() => issueCertificate({ kind: "root-ca", subject, subjectPublicKeyPem: leafKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 1 })).to.throw(
        /does not match/,
      );
      expect(() =>
        issueCertificate({ kind: "root-ca", subject, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 1, crlUrl: CRL_URL }),
      ).to.throw(/CRL/);
      expect(() => issueCertificate({ kind: "person", subject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 4000 })).to.throw(/issuer's/);
      expect(() => issueCertificate({ kind: "person", subject, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 0 })).to.throw(/validityDays/);
      const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }) as string;
      // A holder may have a P-256 key (ec-holder.test.ts); the CA, the TSA and the responder stay RSA, and no other curve is written.
      expect(() => issueCertificate({ kind: "tsa", subject, subjectPublicKeyPem: ec, issuer: byIssuing, validityDays: 1 })).to.throw(/must have an RSA key/);
      expect(() => issueCertificate({ kind: "issuing-ca", subject, subjectPublicKeyPem: ec, issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem }, validityDays: 1 })).to.throw(/must have an RSA key/);
      const p384 = crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({ type: "spki", format: "pem" }) as string;
      expect(() => issueCertificate({ kind: "person", subject, subjectPublicKeyPem: p384, issuer: byIssuing, validityDays: 1 })).to.throw(/P-256/);
    });
  });

  describe("node-forge interoperability", () => {
    it("forge reads the certificates; forgeCertificateFromPem makes forge re-encode Chinese DNs exactly", () => {
      const plain = forge.pki.certificateFromPem(org.certPem);
      expect(forge.pki.certificateFromPem(issuing.certPem).verify(plain)).to.equal(true);
      const issuerDer = (c: forge.pki.Certificate) => Buffer.from(forge.asn1.toDer(forge.pki.distinguishedNameToAsn1(c.issuer)).getBytes(), "binary");
      const original = Buffer.from(forge.asn1.toDer(plain.tbsCertificate.value[3] as forge.asn1.Asn1).getBytes(), "binary");
      // node-forge 1.4.3 quirk: parsed UTF8String values are raw UTF-8 and get encoded a second time.
      expect(issuerDer(plain).equals(original)).to.equal(false);
      const fixed = forgeCertificateFromPem(org.certPem);
      expect(issuerDer(fixed).equals(original)).to.equal(true);
      expect(fixed.subject.getField("CN").value).to.equal(ORG_NAME);
      expect(forge.pki.certificateToPem(fixed).replace(/\r/g, "")).to.equal(org.certPem);
    });

    it("a forge.pkcs7 signature made with forgeCertificateFromPem verifies with openssl cms", () => {
      const sign = (cert: forge.pki.Certificate) => {
        const p7 = forge.pkcs7.createSignedData();
        p7.content = forge.util.createBuffer("合同内容 contract", "utf8");
        p7.addCertificate(cert);
        p7.addCertificate(forge.pki.certificateFromPem(issuing.certPem)); // openssl 3.0 cms has no -untrusted
        p7.addSigner({
          key: forge.pki.privateKeyFromPem(leafKey.privateKeyPem) as forge.pki.rsa.PrivateKey,
          certificate: cert,
          digestAlgorithm: forge.pki.oids.sha256,
          authenticatedAttributes: [
            { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
            { type: forge.pki.oids.messageDigest },
            { type: forge.pki.oids.signingTime, value: new Date() as unknown as string },
          ],
        });
        p7.sign({ detached: true });
        return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), "binary");
      };
      tmp.write("content.txt", Buffer.from("合同内容 contract", "utf8"));
      const verify = (file: string) =>
        tmp.run("cms", "-verify", "-binary", "-inform", "DER", "-in", file, "-content", "content.txt", "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null");
      tmp.write("good.p7s", sign(forgeCertificateFromPem(org.certPem)));
      const good = verify("good.p7s");
      expect(good.output, good.output).to.include("Verification successful");
      tmp.write("bad.p7s", sign(forge.pki.certificateFromPem(org.certPem)));
      const bad = verify("bad.p7s");
      expect(bad.status).to.not.equal(0);
      expect(bad.output).to.include("signer certificate not found");
    });
  });
});
