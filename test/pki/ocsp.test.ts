// server/pki/ocsp/: requests written by openssl ocsp -reqout are read (SHA-1 and SHA-256 CertIDs,
// nonce, several certificates), bad ones refused; the responses built are read and verified by
// openssl ocsp -respin (statuses, reasons, nonce echoed, error statuses).
import { expect } from "chai";
import * as crypto from "node:crypto";
import { issueCertificate, type IssuedCertificate } from "../../server/pki/certificate-issue";
import { parseCertificatePem } from "../../server/pki/certificate-parse";
import { tlv } from "../../server/pki/der-write";
import { generateKeyPairAsync } from "../../server/pki/keys";
import { certIdNamesIssuer } from "../../server/pki/ocsp/cert-id";
import { decodeGetRequest, OcspRequestError, parseOcspRequest } from "../../server/pki/ocsp/request";
import { buildOcspResponse, ocspErrorResponse } from "../../server/pki/ocsp/response";
import { OpensslDir } from "./openssl";

type KeyPair = { privateKeyPem: string; publicKeyPem: string };

describe("pki: OCSP requests and responses (checked with openssl ocsp)", function () {
  this.timeout(60_000);
  const tmp = new OpensslDir("pki-ocsp-");
  let rootKey: KeyPair, issuingKey: KeyPair, signerKey: KeyPair, leafKey: KeyPair;
  let root: IssuedCertificate, issuing: IssuedCertificate, signer: IssuedCertificate, leaf: IssuedCertificate, leaf2: IssuedCertificate;
  const now = new Date();

  before(async () => {
    [rootKey, issuingKey, signerKey, leafKey] = await Promise.all([generateKeyPairAsync(), generateKeyPairAsync(), generateKeyPairAsync(), generateKeyPairAsync()]);
    const start = new Date(now.getTime() - 3600_000);
    root = issueCertificate({ kind: "root-ca", subject: { commonName: "证据平台根CA", country: "CN" }, subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 3650, now: start });
    issuing = issueCertificate({ kind: "issuing-ca", subject: { commonName: "证据平台签发CA", country: "CN" }, subjectPublicKeyPem: issuingKey.publicKeyPem, issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem }, validityDays: 1825, now: start });
    const byIssuing = { certPem: issuing.certPem, privateKeyPem: issuingKey.privateKeyPem };
    const aia = { ocspUrl: "http://127.0.0.1:9/api/ocsp", caIssuersUrl: "http://127.0.0.1:9/api/pki/issuing-ca.cer" };
    signer = issueCertificate({ kind: "ocsp-signer", subject: { commonName: "OCSP" }, subjectPublicKeyPem: signerKey.publicKeyPem, issuer: byIssuing, validityDays: 30, now: start });
    leaf = issueCertificate({ kind: "person", subject: { commonName: "张三" }, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 365, now: start, ...aia });
    leaf2 = issueCertificate({ kind: "person", subject: { commonName: "李四" }, subjectPublicKeyPem: leafKey.publicKeyPem, issuer: byIssuing, validityDays: 365, now: start, ...aia });
    tmp.write("root.pem", root.certPem);
    tmp.write("issuing.pem", issuing.certPem);
    tmp.write("leaf.pem", leaf.certPem);
    tmp.write("leaf2.pem", leaf2.certPem);
  });
  after(() => tmp.remove());

  const request = (name: string, ...args: string[]) => {
    tmp.ok("ocsp", "-issuer", "issuing.pem", "-reqout", name, ...args);
    return tmp.read(name);
  };

  it("reads openssl's requests: SHA-1 and SHA-256 CertIDs naming the issuer, the serials, the nonce", () => {
    const req = parseOcspRequest(request("r1.der", "-cert", "leaf.pem", "-cert", "leaf2.pem"));
    expect(req.certIds.map((c) => c.serialHex)).to.deep.equal([leaf.serialHex, leaf2.serialHex]);
    const issuer = parseCertificatePem(issuing.certPem);
    for (const c of req.certIds) expect(certIdNamesIssuer(c, issuer)).to.equal(true);
    expect(certIdNamesIssuer(req.certIds[0], parseCertificatePem(root.certPem))).to.equal(false);
    expect(req.nonce).to.be.instanceOf(Buffer);
    expect(req.nonce!.subarray(0, 2).toString("hex")).to.equal("0410");

    const sha256 = parseOcspRequest(request("r2.der", "-sha256", "-cert", "leaf.pem", "-no_nonce"));
    expect(sha256.nonce).to.equal(null);
    expect(sha256.certIds[0].issuerNameHash).to.have.length(32);
    expect(certIdNamesIssuer(sha256.certIds[0], issuer)).to.equal(true);
  });

  it("refuses what is not a DER OCSP request: garbage, trailing bytes, an empty list, a nonce over 32 octets", () => {
    const good = request("r3.der", "-cert", "leaf.pem");
    const bad: [string, Buffer][] = [
      ["garbage", Buffer.from("no")],
      ["trailing", Buffer.concat([good, Buffer.from([0])])],
      ["empty list", Buffer.from("300430023000", "hex")],
      ["truncated", good.subarray(0, good.length - 3)],
    ];
    // A nonce of 33 octets: the request rebuilt by hand with openssl's CertID.
    const certId = parseOcspRequest(good).certIds[0].raw;
    const nonceExt = (n: number) =>
      tlv(0xa2, tlv(0x30, tlv(0x30, Buffer.concat([Buffer.from("06092b0601050507300102", "hex"), tlv(0x04, tlv(0x04, crypto.randomBytes(n)))]))));
    const withNonce = (n: number) => tlv(0x30, tlv(0x30, Buffer.concat([tlv(0x30, tlv(0x30, certId)), nonceExt(n)])));
    expect(parseOcspRequest(withNonce(32)).nonce).to.have.length(34);
    bad.push(["33-octet nonce", withNonce(33)], ["empty nonce", withNonce(0)]);
    for (const [name, der] of bad) expect(() => parseOcspRequest(der), name).to.throw(OcspRequestError);
  });

  it("decodes the GET forms: base64, base64url without padding, percent-encoded; refuses others", () => {
    const der = request("r5.der", "-cert", "leaf.pem");
    expect(decodeGetRequest(der.toString("base64")).equals(der)).to.equal(true);
    expect(decodeGetRequest(der.toString("base64url")).equals(der)).to.equal(true);
    expect(decodeGetRequest(encodeURIComponent(der.toString("base64"))).equals(der)).to.equal(true);
    for (const bad of ["a*b", "%zz", "abcde"]) expect(() => decodeGetRequest(bad), bad).to.throw(OcspRequestError);
  });

  it("builds responses openssl verifies: good, revoked with reason and time, unknown, the nonce echoed", () => {
    const req = parseOcspRequest(request("r6.der", "-cert", "leaf.pem", "-cert", "leaf2.pem", "-serial", "0x1234"));
    const revokedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const der = buildOcspResponse({
      signerCertPem: signer.certPem,
      signerKeyPem: signerKey.privateKeyPem,
      responses: [
        { certIdDer: req.certIds[0].raw, status: { status: "good" } },
        { certIdDer: req.certIds[1].raw, status: { status: "revoked", revokedAt, reason: "superseded" } },
        { certIdDer: req.certIds[2].raw, status: { status: "unknown" } },
      ],
      nonce: req.nonce,
      producedAt: now,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3600_000),
    });
    tmp.write("resp6.der", der);
    const r = tmp.run("ocsp", "-respin", "resp6.der", "-reqin", "r6.der", "-CAfile", "root.pem", "-verify_other", "issuing.pem", "-resp_text");
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.contain("Response verify OK");
    expect(r.output).to.not.contain("Nonce Verify error");
    expect(r.output).to.match(/Cert Status: good[\s\S]*Cert Status: revoked\s*\n\s*Revocation Time: Jan  2 03:04:05 2026 GMT\s*\n\s*Revocation Reason: superseded[\s\S]*Cert Status: unknown/);
    // With -issuer/-cert, openssl matches each CertID it computes itself.
    const s = tmp.run("ocsp", "-respin", "resp6.der", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-cert", "leaf2.pem", "-CAfile", "root.pem", "-no_nonce");
    expect(s.output).to.match(/leaf\.pem: good/);
    expect(s.output).to.match(/leaf2\.pem: revoked/);
  });

  it("a response signed by a certificate that is not an OCSP signer of the issuer fails openssl's check", () => {
    const req = parseOcspRequest(request("r7.der", "-cert", "leaf.pem", "-no_nonce"));
    const der = buildOcspResponse({
      signerCertPem: leaf2.certPem, // a holder certificate: no id-kp-OCSPSigning
      signerKeyPem: leafKey.privateKeyPem,
      responses: [{ certIdDer: req.certIds[0].raw, status: { status: "good" } }],
      nonce: null,
      producedAt: now,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3600_000),
    });
    tmp.write("resp7.der", der);
    const r = tmp.run("ocsp", "-respin", "resp7.der", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-CAfile", "root.pem", "-verify_other", "issuing.pem", "-no_nonce");
    expect(r.output).to.contain("Response Verify Failure");
  });

  it("error responses carry only their status, as openssl reads them", () => {
    for (const [status, text] of [["malformedRequest", "malformedrequest (1)"], ["internalError", "internalerror (2)"], ["tryLater", "trylater (3)"], ["unauthorized", "unauthorized (6)"]] as const) {
      tmp.write("err.der", ocspErrorResponse(status));
      expect(tmp.run("ocsp", "-respin", "err.der", "-resp_text", "-noverify").output).to.contain(`Responder Error: ${text}`);
    }
  });
});
