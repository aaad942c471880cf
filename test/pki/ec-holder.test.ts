// Holders' ECDSA P-256 keys: the SubjectPublicKeyInfo written by spki-write.ts, a person's
// certificate for an EC key issued by the (RSA) platform CA, and a detached CMS signature made
// with it, each read by the real openssl 3 CLI as well as by our own verifiers. RSA holder keys
// stay selectable and verify as before.
import { expect } from "chai";
import * as crypto from "node:crypto";
import { issueCertificate, type IssuedCertificate } from "../../server/pki/certificate-issue";
import { parseCertificatePem } from "../../server/pki/certificate-parse";
import { verifyChain } from "../../server/pki/certificate-verify";
import { parseSignedData, signDetached, signDetachedAsync, verifyDetached, type CmsSigner } from "../../server/pki/cms";
import { decodeDer, readInteger, sequenceOf } from "../../server/pki/der-read";
import { generateHolderKeyPairAsync, generateKeyPair } from "../../server/pki/keys";
import { OID } from "../../server/pki/oid";
import { ecP256SubjectPublicKeyInfo, subjectPublicKeyInfo } from "../../server/pki/spki-write";
import { OpensslDir } from "./openssl";

type KeyPair = { privateKeyPem: string; publicKeyPem: string };
const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest();

describe("pki: ECDSA P-256 holder keys (checked with openssl)", function () {
  this.timeout(120_000);
  let tmp: OpensslDir;
  let rootKey: KeyPair, issuingKey: KeyPair, ecKey: KeyPair, rsaKey: KeyPair;
  let root: IssuedCertificate, issuing: IssuedCertificate, ecPerson: IssuedCertificate, rsaPerson: IssuedCertificate;
  const subject = { commonName: "张三", organization: "甲科技有限公司", country: "CN", serialNumber: "user-ec-1", email: "zhangsan@example.cn" };

  before(async () => {
    tmp = new OpensslDir("pki-ec-");
    rootKey = generateKeyPair();
    issuingKey = generateKeyPair();
    [ecKey, rsaKey] = await Promise.all([generateHolderKeyPairAsync("ec-p256"), generateHolderKeyPairAsync("rsa")]);
    root = issueCertificate({ kind: "root-ca", subject: { commonName: "Test Root", country: "CN" }, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 3650 });
    issuing = issueCertificate({
      kind: "issuing-ca",
      subject: { commonName: "Test Issuing CA", country: "CN" },
      subjectPublicKeyPem: issuingKey.publicKeyPem,
      issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem },
      validityDays: 1825,
    });
    const byIssuing = { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem };
    const common = { kind: "person" as const, subject, issuer: byIssuing, validityDays: 730, crlUrl: "http://127.0.0.1:3000/api/pki/crl", ocspUrl: "http://127.0.0.1:3000/api/ocsp" };
    ecPerson = issueCertificate({ ...common, subjectPublicKeyPem: ecKey.publicKeyPem });
    rsaPerson = issueCertificate({ ...common, subjectPublicKeyPem: rsaKey.publicKeyPem });
    tmp.write("root.pem", root.certPem);
    tmp.write("issuing.pem", issuing.certPem);
    tmp.write("ec-person.pem", ecPerson.certPem);
    tmp.write("rsa-person.pem", rsaPerson.certPem);
  });
  after(() => tmp?.remove());

  describe("the SubjectPublicKeyInfo writer", () => {
    it("writes id-ecPublicKey, namedCurve prime256v1 and the uncompressed point: the bytes node:crypto exports, read back to the same key", () => {
      for (let i = 0; i < 25; i++) {
        const { publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
        const written = subjectPublicKeyInfo(publicKey);
        expect(written.equals(publicKey.export({ type: "spki", format: "der" }))).to.equal(true);
        expect(crypto.createPublicKey({ key: written, format: "der", type: "spki" }).equals(publicKey)).to.equal(true);
        const [alg, bits] = sequenceOf(decodeDer(written), "spki");
        expect(sequenceOf(alg, "alg").map((n) => n.raw.toString("hex"))).to.deep.equal(["06072a8648ce3d0201", "06082a8648ce3d030107"]);
        expect(bits.content.length).to.equal(66); // unused-bits octet, 0x04, X, Y
        expect([bits.content[0], bits.content[1]]).to.deep.equal([0, 4]);
      }
    });

    it("keeps leading zero octets of a coordinate (fixed 32-byte fields), and refuses other lengths", () => {
      const x = Buffer.alloc(32, 0);
      x[31] = 1;
      const spki = ecP256SubjectPublicKeyInfo(x, Buffer.alloc(32, 7));
      expect(spki.subarray(-64, -32).equals(x)).to.equal(true);
      expect(() => ecP256SubjectPublicKeyInfo(x.subarray(1), Buffer.alloc(32))).to.throw(/32 bytes/);
    });

    it("passes RSA keys through and refuses other curves and key types", () => {
      const rsa = crypto.createPublicKey(rsaKey.publicKeyPem);
      expect(subjectPublicKeyInfo(rsa).equals(rsa.export({ type: "spki", format: "der" }))).to.equal(true);
      expect(() => subjectPublicKeyInfo(crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey)).to.throw(/P-256/);
      expect(() => subjectPublicKeyInfo(crypto.generateKeyPairSync("ed25519").publicKey)).to.throw(/unsupported/);
      expect(() => subjectPublicKeyInfo(crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey)).to.throw(/2048/);
    });
  });

  describe("a person's certificate for an EC key", () => {
    it("openssl x509 reads it: EC P-256 subject key, signed by the RSA CA with sha256WithRSAEncryption, the holder's extensions", () => {
      const r = tmp.run("x509", "-in", "ec-person.pem", "-noout", "-text");
      expect(r.status, r.output).to.equal(0);
      expect(r.stdout).to.match(/Public Key Algorithm: id-ecPublicKey/);
      expect(r.stdout).to.match(/Public-Key: \(256 bit\)/);
      expect(r.stdout).to.match(/ASN1 OID: prime256v1/);
      expect(r.stdout).to.match(/NIST CURVE: P-256/);
      expect(r.stdout).to.match(/Signature Algorithm: sha256WithRSAEncryption/);
      expect(r.stdout).to.match(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
      expect(r.stdout).to.match(/E-mail Protection/);
    });

    it("openssl verify accepts it through the issuing CA to the root (smimesign purpose too), and so does verifyChain", () => {
      for (const purpose of [[], ["-purpose", "smimesign"]]) {
        const r = tmp.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", ...purpose, "ec-person.pem");
        expect(r.status, r.output).to.equal(0);
        expect(r.stdout).to.match(/ec-person.pem: OK/);
      }
      expect(verifyChain(ecPerson.certPem, [issuing.certPem], root.certPem)).to.deep.equal({ ok: true });
      const parsed = parseCertificatePem(ecPerson.certPem);
      expect(parsed.publicKey.asymmetricKeyType).to.equal("ec");
      expect(parsed.publicKey.equals(crypto.createPublicKey(ecKey.publicKeyPem))).to.equal(true);
    });

    it("the key is P-256 in PKCS#8, as openssl reads it", () => {
      tmp.write("ec.key", ecKey.privateKeyPem);
      const r = tmp.run("pkey", "-in", "ec.key", "-noout", "-text");
      expect(r.status, r.output).to.equal(0);
      expect(r.stdout).to.match(/ASN1 OID: prime256v1/);
      expect(ecKey.privateKeyPem).to.match(/^-----BEGIN PRIVATE KEY-----/);
    });
  });

  describe("a detached CMS signature of an upload with the EC key", () => {
    const content = Buffer.from("证据 evidence upload, 1 KiB or a GiB: only its SHA-256 is signed\n");
    const signer = (cert: IssuedCertificate, key: KeyPair): CmsSigner => ({ certPem: cert.certPem, privateKeyPem: key.privateKeyPem, chainPems: [issuing.certPem, root.certPem] });

    function opensslVerify(sig: Buffer, name: string, extra: string[] = []) {
      tmp.write(`${name}.der`, sig);
      tmp.write("content.bin", content);
      return tmp.run("cms", "-verify", "-binary", "-inform", "DER", "-in", `${name}.der`, "-content", "content.bin", "-CAfile", "root.pem", "-out", "/dev/null", ...extra);
    }

    it("signatureAlgorithm ecdsa-with-SHA256 without parameters, a DER Ecdsa-Sig-Value, the usual signed attributes", async () => {
      const sig = await signDetachedAsync(sha256(content), signer(ecPerson, ecKey), new Date());
      const si = parseSignedData(sig).signerInfos[0];
      expect(si.signatureAlgorithm).to.equal(OID.ecdsaWithSha256);
      expect(si.digestAlgorithm).to.equal(OID.sha256);
      expect(si.attributes.map((a) => a.oid).sort()).to.deep.equal([OID.contentType, OID.signingTime, OID.messageDigest, OID.signingCertificateV2].sort());
      // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5753 7.2), not the raw r || s
      const [r, s] = sequenceOf(decodeDer(si.signature), "Ecdsa-Sig-Value");
      expect(readInteger(r, "r", false) > 0n && readInteger(s, "s", false) > 0n).to.equal(true);
      const algorithm = tmp.run("cms", "-cmsout", "-print", "-inform", "DER", "-in", tmp.write("print.der", sig));
      expect(algorithm.stdout).to.match(/signatureAlgorithm:\s+algorithm: ecdsa-with-SHA256 \(1\.2\.840\.10045\.4\.3\.2\)\s+parameter: <ABSENT>/);
    });

    it("openssl cms -verify accepts it (plain and -cades) with the platform root as trust anchor; verifyDetached agrees", async () => {
      const sig = await signDetachedAsync(sha256(content), signer(ecPerson, ecKey), new Date());
      for (const extra of [[], ["-cades"]]) {
        const r = opensslVerify(sig, "ec-sig", extra);
        expect(r.status, r.output).to.equal(0);
        expect(r.output).to.match(/(CMS|CAdES) Verification successful/);
      }
      const v = verifyDetached(sig, sha256(content), [root.certPem]);
      expect(v.problems).to.deep.equal([]);
      expect(v.ok).to.equal(true);
      expect(v.signerCertPem).to.equal(parseCertificatePem(ecPerson.certPem).pem);
    });

    it("another content, a changed signature or another root: refused by openssl and by verifyDetached", () => {
      const sig = signDetached(sha256(content), signer(ecPerson, ecKey), new Date());
      expect(verifyDetached(sig, sha256(Buffer.from("other")), [root.certPem]).problems.join(";")).to.match(/messageDigest does not match/);
      const bad = Buffer.from(sig);
      // The last octet of the DER signature value is the end of s: changing it breaks the signature only.
      bad[bad.length - 1] ^= 0x01;
      expect(opensslVerify(bad, "bad-sig").status).to.not.equal(0);
      expect(verifyDetached(bad, sha256(content), [root.certPem]).problems).to.include("the signature does not verify with the signer certificate's key");
      const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
      const otherRoot = issueCertificate({ kind: "root-ca", subject: { commonName: "Test Root", country: "CN" }, subjectPublicKeyPem: other.publicKey, selfSignKeyPem: other.privateKey, validityDays: 30 });
      expect(verifyDetached(sig, sha256(content), [otherRoot.certPem]).ok).to.equal(false);
      tmp.write("other-root.pem", otherRoot.certPem);
      tmp.write("sig.der", sig);
      expect(tmp.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "content.bin", "-CAfile", "other-root.pem", "-out", "/dev/null").status).to.not.equal(0);
    });

    it("RSA stays selectable: an RSA-3072 holder key signs with sha256WithRSAEncryption, accepted by openssl and verifyDetached", async () => {
      expect(crypto.createPrivateKey(rsaKey.privateKeyPem).asymmetricKeyDetails?.modulusLength).to.equal(3072);
      const sig = await signDetachedAsync(sha256(content), signer(rsaPerson, rsaKey), new Date());
      expect(parseSignedData(sig).signerInfos[0].signatureAlgorithm).to.equal(OID.sha256WithRSAEncryption);
      const r = opensslVerify(sig, "rsa-sig");
      expect(r.status, r.output).to.equal(0);
      expect(verifyDetached(sig, sha256(content), [root.certPem]).problems).to.deep.equal([]);
    });
  });
});
