// Detached CMS signatures (server/pki/cms.ts), checked against openssl cms (OpenSSL 3) as the
// independent verifier: each case asserts openssl's verdict and that verifyDetached agrees.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import forge from "node-forge";
import { signDetached, verifyDetached, type CmsSigner } from "../../server/pki/cms";
import { issue, openssl, sharedTestPki, tempDir, type TestCert, type TestPki } from "./test-ca";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest();

function signerOf(p: TestPki, cert: TestCert = p.signer): CmsSigner {
  return { certPem: cert.certPem, privateKeyPem: cert.privateKeyPem, chainPems: [p.issuing.certPem, p.root.certPem] };
}

/** forge ASN.1 of the (only) SignerInfo of a ContentInfo(SignedData). */
function signerInfoOf(cms: Buffer): forge.asn1.Asn1 {
  const ci = forge.asn1.fromDer(cms.toString("binary"));
  const sd = (ci.value as forge.asn1.Asn1[])[1].value[0] as forge.asn1.Asn1;
  const fields = sd.value as forge.asn1.Asn1[];
  const signerInfos = fields[fields.length - 1].value as forge.asn1.Asn1[];
  expect(signerInfos).to.have.length(1);
  return signerInfos[0];
}

/** PEM without CR and surrounding whitespace (forge writes CRLF). */
const norm = (pem: string | null | undefined) => (pem ?? "").replace(/\r/g, "").trim();

const toDer = (a: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(a).getBytes(), "binary");

describe("CMS detached signatures checked by openssl cms", function () {
  this.timeout(180_000);
  let pki: TestPki;
  let other: TestPki;
  let tmp: ReturnType<typeof tempDir>;
  let rootFile: string;
  let otherRootFile: string;
  let n = 0;

  before(() => {
    pki = sharedTestPki("Court");
    other = sharedTestPki("Other");
    tmp = tempDir("pki-cms-");
    rootFile = tmp.file("root.pem", pki.root.certPem);
    otherRootFile = tmp.file("other-root.pem", other.root.certPem);
  });
  after(() => tmp?.rm());

  /** openssl cms -verify of a detached signature over `content`; true when openssl accepts it. */
  function opensslVerify(sig: Buffer, content: Buffer, caFile: string, extra: string[] = []): { ok: boolean; output: string } {
    const i = ++n;
    const r = openssl([
      "cms", "-verify", "-binary", "-inform", "DER",
      "-in", tmp.file(`sig${i}.der`, sig),
      "-content", tmp.file(`content${i}.bin`, content),
      "-CAfile", caFile, "-out", "/dev/null", ...extra,
    ]);
    const ok = r.status === 0 && /(CMS|CAdES) Verification successful/.test(r.output);
    expect(ok || r.status !== 0, `openssl: exit status 0 without success: ${r.output}`).to.equal(true);
    return { ok, output: r.output };
  }

  it("openssl accepts the signature on a small file (no -purpose needed, with -cades) and verifyDetached agrees", () => {
    const content = Buffer.from("借款合同 / loan contract, version 3\n");
    const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + 789);
    const sig = signDetached(sha256(content), signerOf(pki), when);

    const plain = opensslVerify(sig, content, rootFile);
    expect(plain.ok, plain.output).to.equal(true);
    const cades = opensslVerify(sig, content, rootFile, ["-cades"]);
    expect(cades.ok, cades.output).to.equal(true);

    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.problems).to.deep.equal([]);
    expect(v.ok).to.equal(true);
    expect(norm(v.signerCertPem)).to.equal(norm(pki.signer.certPem));
    expect(v.signingTime?.getTime()).to.equal(when.getTime() - 789); // UTCTime: whole seconds
    expect(v.certificatesPem.map(norm)).to.have.members([pki.signer.certPem, pki.issuing.certPem, pki.root.certPem].map(norm));
  });

  it("a 3 MB file signed over its streamed SHA-256 verifies in openssl and verifyDetached", async () => {
    const content = randomBytes(3 * 1024 * 1024);
    const file = tmp.file("big.bin", content);
    const h = createHash("sha256");
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) h.update(chunk as Buffer);
    const digest = h.digest();
    const sig = signDetached(digest, signerOf(pki), new Date());

    const r = opensslVerify(sig, content, rootFile, ["-cades"]);
    expect(r.ok, r.output).to.equal(true);
    expect(verifyDetached(sig, digest, [pki.root.certPem]).ok).to.equal(true);
  });

  it("a changed file fails in openssl and in verifyDetached", () => {
    const content = Buffer.from("the original evidence file\n");
    const sig = signDetached(sha256(content), signerOf(pki), new Date());
    const changed = Buffer.from(content);
    changed[4] ^= 0x01;

    const r = opensslVerify(sig, changed, rootFile);
    expect(r.ok).to.equal(false);
    expect(r.output, r.output).to.match(/content verify error/);
    const v = verifyDetached(sig, sha256(changed), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/messageDigest does not match/);
    // the same signature is still good for the original
    expect(verifyDetached(sig, sha256(content), [pki.root.certPem]).ok).to.equal(true);
  });

  it("a signature by a certificate of another CA fails against our root (and passes against its own)", () => {
    const content = Buffer.from("signed elsewhere\n");
    const sig = signDetached(sha256(content), signerOf(other), new Date());

    const r = opensslVerify(sig, content, rootFile);
    expect(r.ok).to.equal(false);
    expect(r.output).to.match(/certificate verify error|self.signed certificate in certificate chain|unable to get local issuer/i);
    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/does not chain to a trusted root/);

    expect(opensslVerify(sig, content, otherRootFile).ok).to.equal(true);
    expect(verifyDetached(sig, sha256(content), [other.root.certPem]).ok).to.equal(true);
  });

  it("openssl cms -print shows a detached SignedData with the four signed attributes, DER-sorted", () => {
    const sig = signDetached(sha256(Buffer.from("x")), signerOf(pki), new Date());
    const r = openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", tmp.file("print.der", sig)]);
    expect(r.status, r.output).to.equal(0);
    const attrs = r.stdout.slice(r.stdout.indexOf("signedAttrs:"), r.stdout.indexOf("signatureAlgorithm:", r.stdout.indexOf("signedAttrs:")));
    const objects = [...attrs.matchAll(/^\s*object: (\S+) \(([\d.]+)\)/gm)].map((m) => m[1]);
    expect(objects).to.have.members(["contentType", "messageDigest", "signingTime", "id-smime-aa-signingCertificateV2"]);
    expect(objects).to.have.length(4);
    expect(r.stdout).to.match(/eContentType: pkcs7-data/);
    expect(r.stdout).to.match(/eContent: <ABSENT>/);
    expect(r.stdout).to.match(/d\.issuerAndSerialNumber/);

    // the signed attributes as carried ([0] IMPLICIT) are in DER SET OF order
    const signedAttrs = (signerInfoOf(sig).value as forge.asn1.Asn1[])[3];
    expect(signedAttrs.tagClass).to.equal(forge.asn1.Class.CONTEXT_SPECIFIC);
    const encodings = (signedAttrs.value as forge.asn1.Asn1[]).map(toDer);
    const sorted = [...encodings].sort(Buffer.compare);
    expect(encodings.map((e) => e.toString("hex"))).to.deep.equal(sorted.map((e) => e.toString("hex")));
  });

  it("signing-certificate-v2 holds SHA-256 of the signer certificate, no hashAlgorithm, and its issuer and serial", () => {
    const sig = signDetached(sha256(Buffer.from("y")), signerOf(pki), new Date());
    const attrs = (signerInfoOf(sig).value as forge.asn1.Asn1[])[3].value as forge.asn1.Asn1[];
    const ess = attrs.find((a) => forge.asn1.derToOid((a.value as forge.asn1.Asn1[])[0].value as string) === "1.2.840.113549.1.9.16.2.47");
    expect(ess, "signing-certificate-v2 attribute").to.not.equal(undefined);
    const sc = ((ess!.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0];
    const certId = ((sc.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[0];
    const [hash, issuerSerial] = certId.value as forge.asn1.Asn1[];
    expect(hash.type).to.equal(forge.asn1.Type.OCTETSTRING); // hashAlgorithm omitted: DER default sha256
    const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(pki.signer.cert)).getBytes(), "binary");
    expect(Buffer.from(hash.value as string, "binary").equals(sha256(certDer))).to.equal(true);
    const [generalNames, serial] = issuerSerial.value as forge.asn1.Asn1[];
    const dirName = (generalNames.value as forge.asn1.Asn1[])[0];
    expect(dirName.tagClass).to.equal(forge.asn1.Class.CONTEXT_SPECIFIC);
    expect(dirName.type).to.equal(4);
    const issuerDer = toDer((dirName.value as forge.asn1.Asn1[])[0]);
    const expectedIssuer = toDer(forge.pki.distinguishedNameToAsn1(pki.issuing.cert.subject));
    expect(issuerDer.equals(expectedIssuer)).to.equal(true);
    expect(Buffer.from(serial.value as string, "binary").toString("hex")).to.equal(pki.signer.cert.serialNumber);
  });

  it("a signer certificate swapped for another with the same key, issuer and serial fails the ESS check (openssl -cades agrees)", () => {
    const content = Buffer.from("ESS binds the exact certificate\n");
    const sig = signDetached(sha256(content), signerOf(pki), new Date());
    const twin = issue({
      commonName: "Court 张三 Signer",
      key: pki.signer.key,
      issuer: pki.issuing,
      keyUsage: { digitalSignature: true, nonRepudiation: true },
      serialHex: pki.signer.cert.serialNumber,
      notAfter: new Date(pki.signer.cert.validity.notAfter.getTime() - 86_400_000),
    });
    const derOf = (c: TestCert) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c.cert)).getBytes(), "binary");
    const orig = derOf(pki.signer);
    const swapped = derOf(twin);
    expect(swapped.length).to.equal(orig.length);
    const at = sig.indexOf(orig);
    expect(at).to.be.greaterThan(0);
    const forged = Buffer.from(sig);
    swapped.copy(forged, at);

    // the signature itself still verifies (same key): only the ESS check catches the swap
    expect(opensslVerify(forged, content, rootFile).ok).to.equal(true);
    const r = opensslVerify(forged, content, rootFile, ["-cades"]);
    expect(r.ok).to.equal(false);
    const v = verifyDetached(forged, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems).to.deep.equal(["signing-certificate-v2: the certificate hash does not match the signer certificate"]);
  });

  it("a tampered signature value fails in openssl and verifyDetached", () => {
    const content = Buffer.from("tamper with the signature\n");
    const sig = signDetached(sha256(content), signerOf(pki), new Date());
    const bad = Buffer.from(sig);
    bad[bad.length - 10] ^= 0x40; // inside the RSA signature, the last field
    expect(opensslVerify(bad, content, rootFile).ok).to.equal(false);
    const v = verifyDetached(bad, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems).to.deep.equal(["the signature does not verify with the signer certificate's key"]);
  });

  it("a certificate with only the documentSigning EKU needs -purpose any in openssl; verifyDetached does not check EKU", () => {
    const docSigner = issue({
      commonName: "Court 李四 docSigning",
      key: pki.signer.key,
      issuer: pki.issuing,
      keyUsage: { digitalSignature: true, nonRepudiation: true },
      extKeyUsage: { purposes: ["1.3.6.1.5.5.7.3.36"], critical: false },
    });
    const emailSigner = issue({
      commonName: "Court 王五 emailProtection",
      key: pki.signer.key,
      issuer: pki.issuing,
      keyUsage: { digitalSignature: true, nonRepudiation: true },
      extKeyUsage: { purposes: ["emailProtection"], critical: false },
    });
    const content = Buffer.from("purpose\n");
    const docSig = signDetached(sha256(content), signerOf(pki, docSigner), new Date());
    const strict = opensslVerify(docSig, content, rootFile);
    expect(strict.ok).to.equal(false);
    expect(strict.output, strict.output).to.match(/unsuitable certificate purpose/);
    const any = opensslVerify(docSig, content, rootFile, ["-purpose", "any"]);
    expect(any.ok, any.output).to.equal(true);
    expect(verifyDetached(docSig, sha256(content), [pki.root.certPem]).ok).to.equal(true);

    const emailSig = signDetached(sha256(content), signerOf(pki, emailSigner), new Date());
    expect(opensslVerify(emailSig, content, rootFile).ok).to.equal(true);
  });

  it("a signer certificate whose key usage excludes signing fails in both", () => {
    const encipherOnly = issue({
      commonName: "Court keyEncipherment only",
      key: pki.signer.key,
      issuer: pki.issuing,
      keyUsage: { keyEncipherment: true },
    });
    const content = Buffer.from("key usage\n");
    const sig = signDetached(sha256(content), signerOf(pki, encipherOnly), new Date());
    expect(opensslVerify(sig, content, rootFile).ok).to.equal(false);
    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/neither digitalSignature nor nonRepudiation/);
  });

  it("a chain through a certificate that is not a CA fails in both", () => {
    const notCa = issue({ commonName: "Court not a CA", key: pki.issuing.key, issuer: pki.root, keyUsage: { digitalSignature: true } });
    const leaf = issue({
      commonName: "Court signer under a non-CA",
      key: pki.signer.key,
      issuer: notCa,
      keyUsage: { digitalSignature: true, nonRepudiation: true },
    });
    const content = Buffer.from("ca flag\n");
    const sig = signDetached(
      sha256(content),
      { certPem: leaf.certPem, privateKeyPem: leaf.privateKeyPem, chainPems: [notCa.certPem, pki.root.certPem] },
      new Date(),
    );
    const r = opensslVerify(sig, content, rootFile, ["-purpose", "any"]);
    expect(r.ok).to.equal(false);
    expect(r.output).to.match(/invalid CA certificate|not a CA/i);
    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/is not a CA/);
  });

  it("validity is checked at the signing time: outside the certificate's validity fails (openssl with -attime agrees)", () => {
    const content = Buffer.from("time\n");
    const notBefore = pki.signer.cert.validity.notBefore;
    const before = new Date(notBefore.getTime() - 3600_000);
    const sig = signDetached(sha256(content), signerOf(pki), before);
    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/is not valid at/);
    const attime = String(Math.floor(before.getTime() / 1000));
    expect(opensslVerify(sig, content, rootFile, ["-attime", attime]).ok).to.equal(false);
    // openssl checks validity at the time given (default now), not at the signingTime
    expect(opensslVerify(sig, content, rootFile).ok).to.equal(true);

    const inside = signDetached(sha256(content), signerOf(pki), new Date(notBefore.getTime() + 3600_000));
    expect(verifyDetached(inside, sha256(content), [pki.root.certPem]).ok).to.equal(true);
  });

  it("verifyDetached accepts openssl's own CAdES-BES detached signature", () => {
    const content = Buffer.from("signed by openssl cms -sign -cades\n");
    const r = openssl([
      "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-outform", "DER",
      "-in", tmp.file("os-content.bin", content),
      "-signer", tmp.file("os-signer.pem", pki.signer.certPem),
      "-inkey", tmp.file("os-signer.key", pki.signer.privateKeyPem),
      "-certfile", tmp.file("os-chain.pem", pki.issuing.certPem + pki.root.certPem),
      "-out", `${tmp.dir}/os-sig.der`,
    ]);
    expect(r.status, r.output).to.equal(0);
    const sig = readFileSync(`${tmp.dir}/os-sig.der`);
    const v = verifyDetached(sig, sha256(content), [pki.root.certPem]);
    expect(v.problems).to.deep.equal([]);
    expect(verifyDetached(sig, sha256(Buffer.from("other")), [pki.root.certPem]).ok).to.equal(false);
  });

  it("an ECDSA P-256 signer (certificate issued by openssl under our issuing CA) verifies in both", () => {
    tmp.file("ec-issuing.pem", pki.issuing.certPem);
    tmp.file("ec-issuing.key", pki.issuing.privateKeyPem);
    tmp.file("ec-ext.cnf", "[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n");
    const steps = [
      ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ec.key", "-subj", "/CN=EC signer", "-out", "ec.csr"],
      ["x509", "-req", "-in", "ec.csr", "-CA", "ec-issuing.pem", "-CAkey", "ec-issuing.key", "-set_serial", "4242", "-days", "2", "-sha256", "-extfile", "ec-ext.cnf", "-extensions", "v3", "-out", "ec.pem"],
    ];
    for (const args of steps) {
      const r = openssl(args, tmp.dir);
      expect(r.status, r.output).to.equal(0);
    }
    const ecSigner: CmsSigner = {
      certPem: readFileSync(`${tmp.dir}/ec.pem`, "utf8"),
      privateKeyPem: readFileSync(`${tmp.dir}/ec.key`, "utf8"),
      chainPems: [pki.issuing.certPem, pki.root.certPem],
    };
    const content = Buffer.from("ecdsa\n");
    const sig = signDetached(sha256(content), ecSigner, new Date());
    const r = opensslVerify(sig, content, rootFile, ["-cades"]);
    expect(r.ok, r.output).to.equal(true);
    expect(verifyDetached(sig, sha256(content), [pki.root.certPem]).problems).to.deep.equal([]);
    const changed = Buffer.from("ecdsA\n");
    expect(opensslVerify(sig, changed, rootFile).ok).to.equal(false);
    expect(verifyDetached(sig, sha256(changed), [pki.root.certPem]).ok).to.equal(false);
  });

  it("refuses a private key that is not the certificate's and a digest that is not 32 bytes", () => {
    expect(() =>
      signDetached(sha256(Buffer.from("k")), { ...signerOf(pki), privateKeyPem: pki.tsa.privateKeyPem }, new Date()),
    ).to.throw(/does not belong to the certificate/);
    expect(() => signDetached(Buffer.alloc(20), signerOf(pki), new Date())).to.throw(/32 bytes/);
  });

  it("verifyDetached reports garbage, a missing root and a truncated signature without throwing", () => {
    const d = sha256(Buffer.from("g"));
    const garbage = verifyDetached(Buffer.from("not a cms at all"), d, [pki.root.certPem]);
    expect(garbage.ok).to.equal(false);
    expect(garbage.problems[0]).to.match(/not a CMS SignedData/);
    const sig = signDetached(d, signerOf(pki), new Date());
    expect(verifyDetached(sig.subarray(0, sig.length - 1), d, [pki.root.certPem]).ok).to.equal(false);
    expect(verifyDetached(Buffer.concat([sig, Buffer.from([0])]), d, [pki.root.certPem]).ok).to.equal(false);
    const noRoot = verifyDetached(sig, d, []);
    expect(noRoot.ok).to.equal(false);
    expect(noRoot.problems.join("\n")).to.match(/no trusted root/);
  });
});
