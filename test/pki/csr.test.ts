// server/pki/csr.ts against CSRs made by the real openssl req.
import { expect } from "chai";
import * as crypto from "node:crypto";
import { CsrError, parseCsr } from "../../server/pki/csr";
import { OpensslDir } from "./openssl";

function csrError(fn: () => unknown): CsrError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(CsrError);
    return e as CsrError;
  }
  throw new Error("expected a CsrError, nothing was thrown");
}

const pemBody = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
const toPem = (der: Buffer) => `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`;

describe("pki: CSR parsing (CSRs made by openssl req)", function () {
  let tmp: OpensslDir;
  let csrPem: string;
  let csrDer: Buffer;
  let opensslPubkey: string;

  before(() => {
    tmp = new OpensslDir();
    tmp.ok("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.csr", "-utf8",
      "-subj", "/C=CN/O=甲科技有限公司/OU=法务部/CN=张三/serialNumber=user-1/emailAddress=zhangsan@example.cn/L=北京");
    tmp.ok("req", "-in", "rsa.csr", "-outform", "DER", "-out", "rsa.der");
    csrPem = tmp.read("rsa.csr").toString();
    csrDer = tmp.read("rsa.der");
    opensslPubkey = tmp.ok("req", "-in", "rsa.csr", "-noout", "-pubkey").stdout;
  });

  after(() => tmp?.remove());

  it("parses a PEM CSR: the public key (as openssl reads it) and the subject, Chinese included", () => {
    const r = parseCsr(csrPem);
    expect(r.publicKeyPem).to.equal(opensslPubkey);
    expect(r.subject).to.deep.equal({
      country: "CN",
      organization: "甲科技有限公司",
      organizationalUnit: "法务部",
      commonName: "张三",
      serialNumber: "user-1",
      email: "zhangsan@example.cn",
    });
    // the key is the one in rsa.key
    const priv = crypto.createPrivateKey(tmp.read("rsa.key"));
    expect(crypto.createPublicKey(priv).equals(crypto.createPublicKey(r.publicKeyPem))).to.equal(true);
  });

  it("parses the same CSR as DER (Buffer), PEM in a Buffer, and base64 text", () => {
    const expected = parseCsr(csrPem);
    expect(parseCsr(csrDer)).to.deep.equal(expected);
    expect(parseCsr(Buffer.from(csrPem))).to.deep.equal(expected);
    expect(parseCsr(csrDer.toString("base64"))).to.deep.equal(expected);
    expect(parseCsr(csrPem.replace(/CERTIFICATE REQUEST/g, "NEW CERTIFICATE REQUEST"))).to.deep.equal(expected);
    expect(parseCsr("some text before\n" + csrPem.replace(/\n/g, "\r\n"))).to.deep.equal(expected);
  });

  it("garbage is malformed_csr", () => {
    const cases: (Buffer | string)[] = [
      "hello",
      "",
      Buffer.alloc(0),
      Buffer.from("30820000", "hex"),
      crypto.randomBytes(300),
      csrDer.subarray(0, csrDer.length - 1), // truncated
      Buffer.concat([csrDer, Buffer.from([0])]), // trailing byte
      csrPem.replace(/CERTIFICATE REQUEST/g, "CERTIFICATE"), // wrong PEM label
      "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
      toPem(Buffer.from("3003020100", "hex")), // a SEQUENCE that is not a CSR
    ];
    for (const input of cases) {
      const e = csrError(() => parseCsr(input));
      expect(e.code, String(input).slice(0, 40)).to.equal("malformed_csr");
      expect(e.message).to.be.a("string").and.not.equal("");
    }
  });

  it("a flipped signature byte is bad_csr_signature, and so is a changed subject", () => {
    const sig = Buffer.from(csrDer);
    sig[sig.length - 1] ^= 0x01; // last byte of the signature BIT STRING
    expect(csrError(() => parseCsr(sig)).code).to.equal("bad_csr_signature");
    // openssl agrees
    tmp.write("sig.der", sig);
    expect(tmp.run("req", "-in", "sig.der", "-inform", "DER", "-noout", "-verify").output).to.match(/verify failure|Certificate request self-signature did not match/i);
    expect(tmp.run("req", "-in", "rsa.der", "-inform", "DER", "-noout", "-verify").output).to.match(/verify OK|self-signature verify OK/i);

    const subj = Buffer.from(csrDer);
    const at = subj.indexOf(Buffer.from("user-1"));
    expect(at).to.be.greaterThan(0);
    subj[at] = "U".charCodeAt(0);
    expect(csrError(() => parseCsr(subj)).code).to.equal("bad_csr_signature");
    expect(csrError(() => parseCsr(toPem(subj))).code).to.equal("bad_csr_signature");
  });

  it("an EC (P-256) or Ed25519 CSR is unsupported_key", () => {
    tmp.ok("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ec.key", "-out", "ec.csr", "-subj", "/CN=ec");
    const ec = csrError(() => parseCsr(tmp.read("ec.csr").toString()));
    expect(ec.code).to.equal("unsupported_key");
    expect(ec.message).to.match(/EC/);
    tmp.ok("req", "-new", "-newkey", "ed25519", "-nodes", "-keyout", "ed.key", "-out", "ed.csr", "-subj", "/CN=ed");
    expect(csrError(() => parseCsr(tmp.read("ed.csr"))).code).to.equal("unsupported_key");
  });

  it("an RSA key under 2048 bits is unsupported_key; a SHA-1 signature is refused", () => {
    tmp.ok("req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", "small.key", "-out", "small.csr", "-subj", "/CN=small");
    const small = csrError(() => parseCsr(tmp.read("small.csr").toString()));
    expect(small.code).to.equal("unsupported_key");
    expect(small.message).to.match(/1024/);
    tmp.ok("req", "-new", "-key", "rsa.key", "-sha1", "-out", "sha1.csr", "-subj", "/CN=sha1");
    expect(csrError(() => parseCsr(tmp.read("sha1.csr").toString())).code).to.equal("bad_csr_signature");
    tmp.ok("req", "-new", "-key", "rsa.key", "-sha512", "-out", "sha512.csr", "-subj", "/CN=sha512");
    expect(parseCsr(tmp.read("sha512.csr").toString()).subject).to.deep.equal({ commonName: "sha512" });
  });

  it("CsrError carries its code and is an Error", () => {
    const e = new CsrError("unsupported_key", "x");
    expect(e).to.be.instanceOf(Error);
    expect(e.code).to.equal("unsupported_key");
    expect(e.message).to.equal("x");
    expect(pemBody(csrPem).equals(csrDer)).to.equal(true);
  });
});
