// CMS signatures on a 1 MB file and RFC 3161 tokens: the platform's PKI library beside
// `openssl cms -sign` and `openssl ts -reply` doing the same work on this machine (one process per
// operation, as a command-line user or a script would run them).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { generateKeyPair } from "../../server/pki/keys";
import { issueCertificate } from "../../server/pki/certificate-issue";
import { signDetached, verifyDetached } from "../../server/pki/cms";
import { grantTimeStamp, parseTimeStampRequest, tokenFromResponse, verifyTimeStampToken } from "../../server/pki/tsa";
import { BenchFailure, fmt, now, runOk, seconds, type BenchContext, type SummaryRow } from "./common";

const POLICY = "1.3.6.1.4.1.59999.1.1";

function testPki() {
  const rootKeys = generateKeyPair();
  const root = issueCertificate({ kind: "root-ca", subject: { commonName: "Bench Root", country: "CN" }, subjectPublicKeyPem: rootKeys.publicKeyPem, selfSignKeyPem: rootKeys.privateKeyPem, validityDays: 365 });
  const issuingKeys = generateKeyPair();
  const issuing = issueCertificate({ kind: "issuing-ca", subject: { commonName: "Bench Issuing CA", country: "CN" }, subjectPublicKeyPem: issuingKeys.publicKeyPem, issuer: { certPem: root.certPem, privateKeyPem: rootKeys.privateKeyPem }, validityDays: 300 });
  const leaf = (kind: "person" | "tsa", cn: string) => {
    const keys = generateKeyPair();
    const cert = issueCertificate({ kind, subject: { commonName: cn, country: "CN" }, subjectPublicKeyPem: keys.publicKeyPem, issuer: { certPem: issuing.certPem, privateKeyPem: issuingKeys.privateKeyPem }, validityDays: 200 });
    return { certPem: cert.certPem, privateKeyPem: keys.privateKeyPem, chainPems: [issuing.certPem, root.certPem] };
  };
  return { rootPem: root.certPem, issuingPem: issuing.certPem, signer: leaf("person", "Bench Signer"), tsa: leaf("tsa", "Bench TSA") };
}

export async function pkiBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const n = ctx.quick ? 30 : 200;
  const nOpenssl = ctx.quick ? 10 : 50;
  const dir = fs.mkdtempSync(path.join(ctx.scratch, "pki-"));
  const pki = testPki();
  const f = (name: string, content: string | Buffer) => (fs.writeFileSync(path.join(dir, name), content), path.join(dir, name));
  const file = f("file.bin", Buffer.from(Buffer.alloc(1024 * 1024, 0x5a).map((b, i) => (b ^ i) & 0xff)));
  const signerCert = f("signer.pem", pki.signer.certPem);
  const signerKey = f("signer.key", pki.signer.privateKeyPem);
  const chain = f("chain.pem", pki.issuingPem + pki.rootPem);
  const rootFile = f("root.pem", pki.rootPem);
  const tsaCert = f("tsa.pem", pki.tsa.certPem);
  const tsaKey = f("tsa.key", pki.tsa.privateKeyPem);
  f("serial", "01\n");
  const cnf = f(
    "openssl.cnf",
    `[tsa]\ndefault_tsa = tsa1\n[tsa1]\nserial = ${dir}/serial\nsigner_cert = ${tsaCert}\ncerts = ${chain}\nsigner_key = ${tsaKey}\n` +
      `signer_digest = sha256\ndefault_policy = ${POLICY}\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`,
  );

  // CMS: ours (hash the file, sign), then openssl cms -sign -cades.
  let t = now();
  let last: Buffer = Buffer.alloc(0);
  for (let i = 0; i < n; i++) {
    const digest = createHash("sha256").update(fs.readFileSync(file)).digest();
    last = signDetached(digest, pki.signer, new Date());
  }
  const oursCms = n / seconds(t);
  const check = verifyDetached(last, createHash("sha256").update(fs.readFileSync(file)).digest(), [pki.rootPem]);
  if (!check.ok) throw new BenchFailure(`our CMS signature does not verify: ${check.problems.join("; ")}`);
  await runOk("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", f("ours.p7s", last), "-content", file, "-CAfile", rootFile, "-purpose", "any", "-out", "/dev/null"]);
  t = now();
  for (let i = 0; i < nOpenssl; i++) {
    await runOk("openssl", ["cms", "-sign", "-cades", "-binary", "-md", "sha256", "-in", file, "-signer", signerCert, "-inkey", signerKey, "-certfile", chain, "-outform", "DER", "-out", path.join(dir, "openssl.p7s")]);
  }
  const opensslCms = nOpenssl / seconds(t);
  ctx.log(`CMS on 1 MB: ours ${fmt(oursCms, 1)}/s, openssl cms -sign ${fmt(opensslCms, 1)}/s`);

  // TSA: a query made by openssl, answered by ours and by openssl ts -reply.
  const query = path.join(dir, "req.tsq");
  await runOk("openssl", ["ts", "-query", "-data", file, "-sha256", "-cert", "-out", query]);
  const queryDer = fs.readFileSync(query);
  t = now();
  let reply: Buffer = Buffer.alloc(0);
  for (let i = 0; i < n; i++) {
    const req = parseTimeStampRequest(queryDer, POLICY);
    reply = grantTimeStamp(req, pki.tsa, { serial: BigInt(i + 1), genTime: new Date(), policyOid: POLICY });
  }
  const oursTsa = n / seconds(t);
  const imprint = createHash("sha256").update(fs.readFileSync(file)).digest();
  const tv = verifyTimeStampToken(tokenFromResponse(reply), imprint, [pki.rootPem]);
  if (!tv.ok) throw new BenchFailure(`our token does not verify: ${tv.problems.join("; ")}`);
  await runOk("openssl", ["ts", "-verify", "-in", f("ours.tsr", reply), "-queryfile", query, "-CAfile", rootFile, "-untrusted", chain]);
  t = now();
  for (let i = 0; i < nOpenssl; i++) {
    await runOk("openssl", ["ts", "-reply", "-config", cnf, "-queryfile", query, "-out", path.join(dir, "openssl.tsr")]);
  }
  const opensslTsa = nOpenssl / seconds(t);
  ctx.log(`TSA tokens: ours ${fmt(oursTsa, 1)}/s, openssl ts -reply ${fmt(opensslTsa, 1)}/s`);

  return [
    { bench: "pki", case: "openssl cms -sign -cades, 1 MB file (baseline)", result: `${fmt(opensslCms, 1)} signatures/s`, ratio: 1 },
    { bench: "pki", case: "signDetached (SHA-256 of the file + CMS, RSA-3072)", result: `${fmt(oursCms, 1)} signatures/s`, ratio: oursCms / opensslCms },
    { bench: "pki", case: "openssl ts -reply (baseline)", result: `${fmt(opensslTsa, 1)} tokens/s`, ratio: 1 },
    { bench: "pki", case: "parseTimeStampRequest + grantTimeStamp", result: `${fmt(oursTsa, 1)} tokens/s`, ratio: oursTsa / opensslTsa },
  ];
}
