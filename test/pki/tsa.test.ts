// The RFC 3161 timestamp authority (server/pki/tsa.ts), checked against openssl ts (OpenSSL 3):
// openssl makes the queries, prints and verifies the replies; verifyTimeStampToken must agree.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import forge from "node-forge";
import {
  grantTimeStamp,
  parseTimeStampRequest,
  readTimeStampResponse,
  rejectTimeStamp,
  timeStampDigest,
  tokenFromResponse,
  TsaRequestError,
  verifyTimeStampToken,
  type TimeStampRequest,
  type TsaFailure,
  type TsaSigner,
} from "../../server/pki/tsa";
import { issue, openssl, sharedTestPki, tempDir, type TestCert, type TestPki } from "./test-ca";

const POLICY = "1.2.156.112233.1.1";
const OIDS = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  sm3: "1.2.156.10197.1.401",
  md5: "1.2.840.113549.2.5",
};
const OPENSSL_FAILURE_TEXT: Record<TsaFailure, string> = {
  badAlg: "unrecognized or unsupported algorithm identifier",
  badRequest: "transaction not permitted or supported",
  badDataFormat: "the data submitted has the wrong format",
  timeNotAvailable: "the TSA's time source is not available",
  unacceptedPolicy: "the requested TSA policy is not supported by the TSA",
  unacceptedExtension: "the requested extension is not supported by the TSA",
  addInfoNotAvailable: "the additional information requested could not be understood or is not available",
  systemFailure: "the request cannot be handled due to system failure",
};

const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest();
/** An integer as openssl prints it: upper-case hex, whole bytes. */
const hexInt = (v: bigint) => {
  const h = v.toString(16).toUpperCase();
  return h.length % 2 ? "0" + h : h;
};
const norm = (pem: string | null | undefined) => (pem ?? "").replace(/\r/g, "").trim();

// --- hand-built TimeStampReq with forge.asn1 (independent of server/pki's encoder) ---------------
const A = forge.asn1;
const C = A.Class.UNIVERSAL;
const T = A.Type;
interface ReqSpec {
  version?: number;
  alg?: string;
  /** "null" (default), "absent", or raw parameter DER */
  params?: "null" | "absent" | Buffer;
  imprint: Buffer;
  policy?: string;
  /** nonce INTEGER content bytes, as hex */
  nonceHex?: string;
  certReq?: "true" | "false-explicit" | "true-as-01";
  extension?: boolean;
}
function buildReq(s: ReqSpec): Buffer {
  const algParts: forge.asn1.Asn1[] = [A.create(C, T.OID, false, A.oidToDer(s.alg ?? OIDS.sha256).getBytes())];
  if (s.params === undefined || s.params === "null") algParts.push(A.create(C, T.NULL, false, ""));
  else if (s.params !== "absent") algParts.push(A.fromDer(s.params.toString("binary")));
  const parts: forge.asn1.Asn1[] = [
    A.create(C, T.INTEGER, false, String.fromCharCode(s.version ?? 1)),
    A.create(C, T.SEQUENCE, true, [
      A.create(C, T.SEQUENCE, true, algParts),
      A.create(C, T.OCTETSTRING, false, s.imprint.toString("binary")),
    ]),
  ];
  if (s.policy) parts.push(A.create(C, T.OID, false, A.oidToDer(s.policy).getBytes()));
  if (s.nonceHex) parts.push(A.create(C, T.INTEGER, false, Buffer.from(s.nonceHex, "hex").toString("binary")));
  if (s.certReq) {
    const v = s.certReq === "true" ? 0xff : s.certReq === "true-as-01" ? 0x01 : 0x00;
    parts.push(A.create(C, T.BOOLEAN, false, String.fromCharCode(v)));
  }
  if (s.extension) {
    const ext = A.create(C, T.SEQUENCE, true, [
      A.create(C, T.OID, false, A.oidToDer("1.2.3.4.5").getBytes()),
      A.create(C, T.OCTETSTRING, false, "\x05\x00"),
    ]);
    parts.push(A.create(A.Class.CONTEXT_SPECIFIC, 0, true, [ext]));
  }
  return Buffer.from(A.toDer(A.create(C, T.SEQUENCE, true, parts)).getBytes(), "binary");
}

/** The TSTInfo of a token, as forge ASN.1, and its raw genTime string. */
function tstInfoOf(token: Buffer): { fields: forge.asn1.Asn1[]; genTime: string } {
  const ci = A.fromDer(token.toString("binary"));
  const sd = ((ci.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0];
  const encap = (sd.value as forge.asn1.Asn1[])[2];
  const octets = ((encap.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0];
  const tst = A.fromDer(octets.value as string);
  const fields = tst.value as forge.asn1.Asn1[];
  expect(fields[4].type).to.equal(T.GENERALIZEDTIME);
  return { fields, genTime: fields[4].value as string };
}

describe("RFC 3161 timestamp authority checked by openssl ts", function () {
  this.timeout(180_000);
  let pki: TestPki;
  let other: TestPki;
  let tsa: TsaSigner;
  let tmp: ReturnType<typeof tempDir>;
  let rootFile: string;
  let issuingFile: string;
  let n = 0;
  let serial = 1000n;

  const signerFor = (p: TestPki, cert: TestCert = p.tsa): TsaSigner => ({
    certPem: cert.certPem,
    privateKeyPem: cert.privateKeyPem,
    chainPems: [p.issuing.certPem, p.root.certPem],
  });
  const opts = (genTime = new Date()) => ({ serial: ++serial, genTime, policyOid: POLICY });

  before(() => {
    pki = sharedTestPki("Court");
    other = sharedTestPki("Other");
    tsa = signerFor(pki);
    tmp = tempDir("pki-tsa-");
    rootFile = tmp.file("root.pem", pki.root.certPem);
    issuingFile = tmp.file("issuing.pem", pki.issuing.certPem);
  });
  after(() => tmp?.rm());

  /** openssl ts -query over `file`; returns the DER query and its path. */
  function query(file: string, args: string[]): { der: Buffer; path: string } {
    const path = `${tmp.dir}/q${++n}.tsq`;
    const r = openssl(["ts", "-query", "-data", file, ...args, "-out", path]);
    expect(r.status, r.output).to.equal(0);
    return { der: readFileSync(path), path };
  }
  function tsVerify(args: string[]): { ok: boolean; output: string } {
    const r = openssl(["ts", "-verify", ...args]);
    const ok = r.status === 0 && /Verification: OK/.test(r.output);
    expect(ok || r.status !== 0, `openssl: exit status 0 without OK: ${r.output}`).to.equal(true);
    return { ok, output: r.output };
  }
  function replyText(resp: Buffer, tokenOnly = false): string {
    const p = tmp.file(`r${++n}.der`, resp);
    const r = openssl(["ts", "-reply", "-in", p, "-text", ...(tokenOnly ? ["-token_in", "-token_out"] : [])]);
    expect(r.status, r.output).to.equal(0);
    return r.stdout;
  }
  /** Parses, and on a TsaRequestError answers with a rejection, as a server would. */
  function serve(req: Buffer, signer = tsa, genTime = new Date()): { resp: Buffer; parsed: TimeStampRequest | null; failure: TsaFailure | null } {
    try {
      const parsed = parseTimeStampRequest(req, POLICY);
      return { resp: grantTimeStamp(parsed, signer, opts(genTime)), parsed, failure: null };
    } catch (e) {
      if (!(e instanceof TsaRequestError)) throw e;
      return { resp: rejectTimeStamp(e.failure, e.message), parsed: null, failure: e.failure };
    }
  }

  it("SHA-256 query with nonce and -cert: granted, printed, verified by openssl (-queryfile, -data) and by verifyTimeStampToken", () => {
    const file = tmp.file("evidence.txt", "证据文件 evidence file\n");
    const otherFile = tmp.file("other.txt", "another file\n");
    const q = query(file, ["-sha256", "-cert"]);
    const { resp, parsed } = serve(q.der);
    expect(parsed).to.include({ hashAlgorithmOid: OIDS.sha256, hashAlgorithm: "sha256", certReq: true });
    expect(parsed!.messageImprint.equals(digest("sha256", readFileSync(file)))).to.equal(true);
    expect(parsed!.nonce?.length).to.be.greaterThan(0);
    const respPath = tmp.file("granted.tsr", resp);

    const text = replyText(resp);
    expect(text).to.match(/Status: Granted\./);
    expect(text).to.include(`Policy OID: ${POLICY}`);
    expect(text).to.match(/Hash Algorithm: sha256/);
    expect(text).to.include(`Serial number: 0x${hexInt(serial)}`);
    expect(text).to.match(/Accuracy: 0x01 seconds, unspecified millis, unspecified micros/);
    expect(text).to.match(/Ordering: no/);
    expect(text).to.include(`Nonce: 0x${hexInt(BigInt("0x" + parsed!.nonce!.toString("hex")))}`);
    expect(text).to.match(/TSA: DirName:.*CN=Court TSA/);

    const byQuery = tsVerify(["-in", respPath, "-queryfile", q.path, "-CAfile", rootFile, "-untrusted", issuingFile]);
    expect(byQuery.ok, byQuery.output).to.equal(true);
    // the token carries the TSA certificate and chain (certReq): the root alone suffices
    const byData = tsVerify(["-in", respPath, "-data", file, "-CAfile", rootFile]);
    expect(byData.ok, byData.output).to.equal(true);
    const wrong = tsVerify(["-in", respPath, "-data", otherFile, "-CAfile", rootFile]);
    expect(wrong.ok).to.equal(false);
    expect(wrong.output).to.match(/message imprint mismatch/);

    const token = tokenFromResponse(resp);
    const v = verifyTimeStampToken(token, digest("sha256", readFileSync(file)), [pki.root.certPem]);
    expect(v.problems).to.deep.equal([]);
    expect(v.ok).to.equal(true);
    expect(v.serial).to.equal(serial);
    expect(v.policyOid).to.equal(POLICY);
    expect(v.hashAlgorithm).to.equal("sha256");
    expect(norm(v.tsaCertPem)).to.equal(norm(pki.tsa.certPem));
    const w = verifyTimeStampToken(token, digest("sha256", readFileSync(otherFile)), [pki.root.certPem]);
    expect(w.ok).to.equal(false);
    expect(w.problems).to.deep.equal(["the token's message imprint does not match the expected digest"]);
  });

  it("-no_nonce and no -cert: the token has no nonce and no certificates; both verifiers need the TSA certificate given", () => {
    const file = tmp.file("plain.txt", "no nonce, no cert\n");
    const q = query(file, ["-sha256", "-no_nonce"]);
    const { resp, parsed } = serve(q.der);
    expect(parsed!.certReq).to.equal(false);
    expect(parsed!.nonce).to.equal(undefined);
    const respPath = tmp.file("nocert.tsr", resp);
    expect(replyText(resp)).to.match(/Nonce: unspecified/);

    const untrusted = tmp.file("tsa-chain.pem", pki.tsa.certPem + pki.issuing.certPem);
    const ok = tsVerify(["-in", respPath, "-queryfile", q.path, "-CAfile", rootFile, "-untrusted", untrusted]);
    expect(ok.ok, ok.output).to.equal(true);
    expect(tsVerify(["-in", respPath, "-data", file, "-CAfile", rootFile, "-untrusted", issuingFile]).ok).to.equal(false);

    const token = tokenFromResponse(resp);
    const imprint = digest("sha256", readFileSync(file));
    const without = verifyTimeStampToken(token, imprint, [pki.root.certPem]);
    expect(without.ok).to.equal(false);
    expect(without.problems.join("\n")).to.match(/TSA certificate named by the SignerInfo is neither in the SignedData/);
    const withExtra = verifyTimeStampToken(token, imprint, [pki.root.certPem], [pki.tsa.certPem, pki.issuing.certPem]);
    expect(withExtra.problems).to.deep.equal([]);
  });

  for (const alg of ["sha384", "sha512", "sm3"] as const) {
    it(`${alg.toUpperCase()} queries are granted and verify in openssl and verifyTimeStampToken`, () => {
      const file = tmp.file(`${alg}.txt`, `hashed with ${alg}\n`);
      const q = query(file, [`-${alg}`, "-cert"]);
      const { resp, parsed } = serve(q.der);
      expect(parsed).to.include({ hashAlgorithm: alg, hashAlgorithmOid: OIDS[alg] });
      const respPath = tmp.file(`${alg}.tsr`, resp);
      expect(replyText(resp)).to.include(`Hash Algorithm: ${alg}`);
      const a = tsVerify(["-in", respPath, "-queryfile", q.path, "-CAfile", rootFile]);
      expect(a.ok, a.output).to.equal(true);
      const b = tsVerify(["-in", respPath, "-data", file, "-CAfile", rootFile]);
      expect(b.ok, b.output).to.equal(true);
      const v = verifyTimeStampToken(tokenFromResponse(resp), digest(alg, readFileSync(file)), [pki.root.certPem]);
      expect(v.problems).to.deep.equal([]);
      expect(v.hashAlgorithm).to.equal(alg);
    });
  }

  it("a SHA-1 query is rejected with badAlg, which openssl prints as such", () => {
    const file = tmp.file("sha1.txt", "sha1 is not accepted\n");
    const { resp, failure } = serve(query(file, ["-sha1", "-cert"]).der);
    expect(failure).to.equal("badAlg");
    const text = replyText(resp);
    expect(text).to.match(/Status: Rejected\./);
    expect(text).to.match(/Failure info: unrecognized or unsupported algorithm identifier/);
    expect(text).to.match(/TST info:\s+Not included/);
    expect(() => tokenFromResponse(resp)).to.throw(/not granted \(status 2: .*sha1.*badAlg\)/);
  });

  it("each failure sets the PKIFailureInfo bit openssl names, with the status string", () => {
    for (const [failure, expected] of Object.entries(OPENSSL_FAILURE_TEXT) as [TsaFailure, string][]) {
      const resp = rejectTimeStamp(failure, `refused: ${failure}`);
      const text = replyText(resp);
      expect(text, failure).to.include(`Failure info: ${expected}\n`);
      expect(text, failure).to.include(`Status description: refused: ${failure}`);
      expect(readTimeStampResponse(resp)).to.deep.include({ status: 2, failures: [failure], token: null });
    }
    // DER named bit list: no trailing zero bytes (badAlg is 03 02 07 80, systemFailure 03 05 06 00 00 00 40)
    expect(rejectTimeStamp("badAlg", "x").subarray(-4).toString("hex")).to.equal("03020780");
    expect(rejectTimeStamp("systemFailure", "x").subarray(-7).toString("hex")).to.equal("03050600000040");
  });

  describe("malformed or unacceptable requests", () => {
    const imprint = digest("sha256", Buffer.from("req"));
    const good = () => buildReq({ imprint, nonceHex: "2a", certReq: "true" });
    const cases: [string, () => Buffer, TsaFailure][] = [
      ["garbage bytes", () => Buffer.from("this is not a timestamp request"), "badDataFormat"],
      ["an empty body", () => Buffer.alloc(0), "badDataFormat"],
      ["trailing bytes after the request", () => Buffer.concat([good(), Buffer.from([0x00])]), "badDataFormat"],
      ["a truncated request", () => good().subarray(0, 20), "badDataFormat"],
      [
        "BER indefinite length",
        () => {
          const g = good();
          return Buffer.concat([Buffer.from([0x30, 0x80]), g.subarray(2), Buffer.from([0, 0])]);
        },
        "badDataFormat",
      ],
      ["version 2", () => buildReq({ imprint, version: 2 }), "badDataFormat"],
      ["certReq FALSE encoded (DER omits defaults)", () => buildReq({ imprint, certReq: "false-explicit" }), "badDataFormat"],
      ["certReq TRUE encoded as 01", () => buildReq({ imprint, certReq: "true-as-01" }), "badDataFormat"],
      [
        "a non-minimal nonce (02 02 00 2a)",
        () => {
          // forge.asn1.toDer minimises INTEGERs, so the non-DER nonce is spliced in by hand
          const g = buildReq({ imprint, nonceHex: "2a" });
          const at = g.indexOf(Buffer.from([0x02, 0x01, 0x2a]));
          expect(at).to.be.greaterThan(0);
          const out = Buffer.concat([g.subarray(0, at), Buffer.from([0x02, 0x02, 0x00, 0x2a]), g.subarray(at + 3)]);
          expect(out[1]).to.be.lessThan(0x7f);
          out[1] += 1;
          return out;
        },
        "badDataFormat",
      ],
      ["a SHA-256 imprint of 20 bytes", () => buildReq({ imprint: imprint.subarray(0, 20) }), "badDataFormat"],
      ["a SHA-512 OID with a 32-byte imprint", () => buildReq({ alg: OIDS.sha512, imprint }), "badDataFormat"],
      ["MD5", () => buildReq({ alg: OIDS.md5, imprint: imprint.subarray(0, 16) }), "badAlg"],
      ["hash parameters that are not NULL", () => buildReq({ imprint, params: Buffer.from([0x04, 0x00]) }), "badAlg"],
      ["another policy", () => buildReq({ imprint, policy: "1.2.3.4" }), "unacceptedPolicy"],
      ["an extension", () => buildReq({ imprint, extension: true }), "unacceptedExtension"],
    ];
    for (const [name, make, failure] of cases) {
      it(`${name} -> ${failure}, printed by openssl`, () => {
        const { resp, failure: got } = serve(make());
        expect(got).to.equal(failure);
        expect(replyText(resp)).to.include(`Failure info: ${OPENSSL_FAILURE_TEXT[failure]}\n`);
      });
    }

    it("the well-formed hand-built request is granted (the cases above fail for their one defect)", () => {
      const { parsed, failure } = serve(good());
      expect(failure).to.equal(null);
      expect(parsed).to.deep.include({ certReq: true, nonce: Buffer.from([0x2a]) });
      const absent = serve(buildReq({ imprint, params: "absent", policy: POLICY }));
      expect(absent.failure).to.equal(null);
      expect(absent.parsed).to.deep.include({ hashParamsAbsent: true, reqPolicy: POLICY, certReq: false });
    });

    it("openssl's -tspolicy: ours is granted with that policy, another is refused", () => {
      const file = tmp.file("policy.txt", "policy\n");
      const ours = serve(query(file, ["-sha256", "-cert", "-tspolicy", POLICY]).der);
      expect(ours.failure).to.equal(null);
      expect(replyText(ours.resp)).to.include(`Policy OID: ${POLICY}`);
      const theirs = serve(query(file, ["-sha256", "-tspolicy", "1.3.6.1.4.1.4146.2.3"]).der);
      expect(theirs.failure).to.equal("unacceptedPolicy");
    });
  });

  it("genTime carries milliseconds without trailing zeros and no fraction for .000 (RFC 3161 2.4.2)", () => {
    const base = Math.floor((Date.now() - 3600_000) / 1000) * 1000;
    const stamp = (d: Date) =>
      d.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "");
    const cases: [number, string][] = [
      [0, ""],
      [500, ".5"],
      [120, ".12"],
      [10, ".01"],
      [7, ".007"],
      [999, ".999"],
    ];
    for (const [ms, fraction] of cases) {
      const genTime = new Date(base + ms);
      const token = timeStampDigest(digest("sha256", Buffer.from(String(ms))), tsa, opts(genTime));
      expect(tstInfoOf(token).genTime, `${ms} ms`).to.equal(`${stamp(genTime)}${fraction}Z`);
      const v = verifyTimeStampToken(token, digest("sha256", Buffer.from(String(ms))), [pki.root.certPem]);
      expect(v.problems).to.deep.equal([]);
      expect(v.genTime?.getTime()).to.equal(genTime.getTime());
      if (ms === 500) expect(replyText(token, true)).to.match(/Time stamp: \w{3} [ \d]\d \d\d:\d\d:\d\d\.5 \d{4} GMT/);
      if (ms === 0) expect(replyText(token, true)).to.match(/Time stamp: \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT/);
    }
  });

  it("timeStampDigest: a bare token over a Merkle root verifies with openssl ts -verify -digest -token_in", () => {
    const root = randomBytes(32);
    const token = timeStampDigest(root, tsa, opts());
    const tokenPath = tmp.file("merkle.tst", token);
    const r = tsVerify(["-digest", root.toString("hex"), "-in", tokenPath, "-token_in", "-CAfile", rootFile]);
    expect(r.ok, r.output).to.equal(true);
    const otherRoot = randomBytes(32);
    expect(tsVerify(["-digest", otherRoot.toString("hex"), "-in", tokenPath, "-token_in", "-CAfile", rootFile]).ok).to.equal(false);
    expect(verifyTimeStampToken(token, root, [pki.root.certPem]).ok).to.equal(true);
    expect(verifyTimeStampToken(token, otherRoot, [pki.root.certPem]).ok).to.equal(false);
  });

  it("a token with a changed genTime fails in openssl and verifyTimeStampToken", () => {
    const root = randomBytes(32);
    const token = timeStampDigest(root, tsa, opts(new Date(Date.now() - 7_200_000)));
    const g = Buffer.from(tstInfoOf(token).genTime, "latin1");
    const at = token.indexOf(g);
    expect(at).to.be.greaterThan(0);
    const forged = Buffer.from(token);
    forged[at + 11] = forged[at + 11] === 0x30 ? 0x31 : 0x30; // one minute digit
    const r = tsVerify(["-digest", root.toString("hex"), "-in", tmp.file("forged.tst", forged), "-token_in", "-CAfile", rootFile]);
    expect(r.ok).to.equal(false);
    const v = verifyTimeStampToken(forged, root, [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems).to.deep.equal(["messageDigest does not match the content (the content was changed)"]);
  });

  it("a token from another CA's TSA fails against our root and passes against its own", () => {
    const root = randomBytes(32);
    const token = timeStampDigest(root, signerFor(other), opts());
    const p = tmp.file("elsewhere.tst", token);
    expect(tsVerify(["-digest", root.toString("hex"), "-in", p, "-token_in", "-CAfile", rootFile]).ok).to.equal(false);
    const v = verifyTimeStampToken(token, root, [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/does not chain to a trusted root/);
    const theirs = tmp.file("other-root.pem", other.root.certPem);
    expect(tsVerify(["-digest", root.toString("hex"), "-in", p, "-token_in", "-CAfile", theirs]).ok).to.equal(true);
    expect(verifyTimeStampToken(token, root, [other.root.certPem]).ok).to.equal(true);
  });

  it("a TSA certificate whose timeStamping EKU is not critical, or not alone, is refused by both", () => {
    const variants: [string, TestCert][] = [
      [
        "non-critical",
        issue({ commonName: "Court TSA non-critical EKU", key: pki.tsa.key, issuer: pki.issuing, keyUsage: { digitalSignature: true }, extKeyUsage: { purposes: ["timeStamping"], critical: false } }),
      ],
      [
        "with emailProtection",
        issue({ commonName: "TSA two EKUs", key: pki.tsa.key, issuer: pki.issuing, keyUsage: { digitalSignature: true }, extKeyUsage: { purposes: ["timeStamping", "emailProtection"], critical: true } }),
      ],
      ["absent", issue({ commonName: "TSA no EKU", key: pki.tsa.key, issuer: pki.issuing, keyUsage: { digitalSignature: true } })],
    ];
    for (const [name, cert] of variants) {
      const root = randomBytes(32);
      const token = timeStampDigest(root, signerFor(pki, cert), opts());
      const r = tsVerify(["-digest", root.toString("hex"), "-in", tmp.file(`eku-${name}.tst`, token), "-token_in", "-CAfile", rootFile]);
      expect(r.ok, name).to.equal(false);
      expect(r.output, name).to.match(/unsuitable certificate purpose|invalid signer certificate purpose/);
      const v = verifyTimeStampToken(token, root, [pki.root.certPem]);
      expect(v.ok, name).to.equal(false);
      expect(v.problems.join("\n"), name).to.match(/extended key usage/);
    }
  });

  it("the TSA certificate must be valid at genTime (openssl with -attime agrees)", () => {
    const root = randomBytes(32);
    const early = new Date(pki.tsa.cert.validity.notBefore.getTime() - 3600_000);
    const token = timeStampDigest(root, tsa, opts(early));
    const v = verifyTimeStampToken(token, root, [pki.root.certPem]);
    expect(v.ok).to.equal(false);
    expect(v.problems.join("\n")).to.match(/is not valid at/);
    const p = tmp.file("early.tst", token);
    const args = ["-digest", root.toString("hex"), "-in", p, "-token_in", "-CAfile", rootFile];
    expect(tsVerify([...args, "-attime", String(Math.floor(early.getTime() / 1000))]).ok).to.equal(false);
    expect(tsVerify(args).ok).to.equal(true); // openssl's default: now
  });

  for (const essAlg of ["sha1", "sha256"]) {
    it(`verifyTimeStampToken accepts a token from openssl's own TSA (ess_cert_id_alg ${essAlg})`, () => {
      const dir = tmp.dir;
      tmp.file(`ossl-serial-${essAlg}`, "0A\n");
      tmp.file("ossl-tsa.pem", pki.tsa.certPem);
      tmp.file("ossl-tsa.key", pki.tsa.privateKeyPem);
      tmp.file("ossl-chain.pem", pki.issuing.certPem);
      const cnf = tmp.file(
        `ossl-${essAlg}.cnf`,
        [
          "[ tsa ]",
          "default_tsa = tsa_config1",
          "[ tsa_config1 ]",
          `serial = ${dir}/ossl-serial-${essAlg}`,
          "crypto_device = builtin",
          `signer_cert = ${dir}/ossl-tsa.pem`,
          `certs = ${dir}/ossl-chain.pem`,
          `signer_key = ${dir}/ossl-tsa.key`,
          "signer_digest = sha256",
          `default_policy = ${POLICY}`,
          "digests = sha256, sha512",
          "accuracy = secs:1, millisecs:500",
          "clock_precision_digits = 3",
          "ordering = yes",
          "tsa_name = yes",
          "ess_cert_id_chain = no",
          `ess_cert_id_alg = ${essAlg}`,
          "",
        ].join("\n"),
      );
      const file = tmp.file(`ossl-${essAlg}.txt`, `stamped by openssl (${essAlg})\n`);
      const q = query(file, ["-sha512", "-cert"]);
      const out = `${dir}/ossl-${essAlg}.tsr`;
      const r = openssl(["ts", "-reply", "-config", cnf, "-queryfile", q.path, "-out", out]);
      expect(r.status, r.output).to.equal(0);
      const resp = readFileSync(out);
      const v = verifyTimeStampToken(tokenFromResponse(resp), digest("sha512", readFileSync(file)), [pki.root.certPem]);
      expect(v.problems).to.deep.equal([]);
      expect(v.serial).to.equal(11n); // openssl increments the serial file before use
      expect(v.hashAlgorithm).to.equal("sha512");
      expect(verifyTimeStampToken(tokenFromResponse(resp), digest("sha512", Buffer.from("x")), [pki.root.certPem]).ok).to.equal(false);
    });
  }

  it("serial numbers: up to 160 bits, positive; openssl prints a large one", () => {
    const imprint = randomBytes(32);
    const big = (1n << 160n) - 1n;
    const token = timeStampDigest(imprint, tsa, { serial: big, genTime: new Date(), policyOid: POLICY });
    expect(replyText(token, true)).to.include(`Serial number: 0x${hexInt(big)}`);
    expect(verifyTimeStampToken(token, imprint, [pki.root.certPem]).serial).to.equal(big);
    expect(() => timeStampDigest(imprint, tsa, { serial: 0n, genTime: new Date(), policyOid: POLICY })).to.throw(RangeError);
    expect(() => timeStampDigest(imprint, tsa, { serial: 1n << 160n, genTime: new Date(), policyOid: POLICY })).to.throw(RangeError);
    expect(() => timeStampDigest(imprint.subarray(1), tsa, opts())).to.throw(/32 bytes/);
  });

  it("verifyTimeStampToken reports garbage and a CMS that is not a token without throwing", () => {
    const g = verifyTimeStampToken(Buffer.from("nope"), randomBytes(32), [pki.root.certPem]);
    expect(g.ok).to.equal(false);
    expect(g.problems[0]).to.match(/not a TimeStampToken/);
    // a TimeStampResp is not a token
    const resp = grantTimeStamp(
      { hashAlgorithmOid: OIDS.sha256, hashAlgorithm: "sha256", messageImprint: randomBytes(32), certReq: true },
      tsa,
      opts(),
    );
    expect(verifyTimeStampToken(resp, randomBytes(32), [pki.root.certPem]).ok).to.equal(false);
  });
});
