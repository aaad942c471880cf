// Test fixtures for the PDF signing tests: a PKI (root, issuing CA, three signers, a TSA), a
// Chinese/English contract PDF made with pdf-lib, and runners for the independent checkers
// (poppler's pdfsig/pdftotext/pdftoppm, qpdf, NSS certutil).
import { spawn, spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { issueCertificate } from "../../server/pki/certificate-issue";
import { timeStampDigest } from "../../server/pki/tsa";
import { embedCjkFont } from "../../server/pdf/fonts";
import type { PadesSigner } from "../../server/pdf/pades";
import { issue, newKey, type TestCert } from "../pki/test-ca";

// One temporary-directory helper for the PDF and PKI tests.
export { tempDir } from "../pki/test-ca";

export interface PdfTestPki {
  root: TestCert;
  issuing: TestCert;
  tsa: TestCert;
  signers: { signer: PadesSigner; name: string; organisation: string }[];
}

let shared: PdfTestPki | null = null;

/** One PKI for the whole run: RSA 3072 keys are slow to make. */
export function pdfTestPki(): PdfTestPki {
  if (shared) return shared;
  const root = issue({ commonName: "PDF Test Root CA 测试根证书", key: newKey(), issuer: null, ca: true, notAfter: new Date(Date.now() + 20 * 365 * 86_400_000) });
  const issuing = issue({ commonName: "PDF Test Issuing CA 签发机构", key: newKey(), issuer: root, ca: true, pathLen: 0 });
  const tsa = issue({
    commonName: "PDF Test TSA 时间戳服务",
    key: newKey(),
    issuer: issuing,
    keyUsage: { digitalSignature: true, nonRepudiation: true },
    extKeyUsage: { purposes: ["timeStamping"], critical: true },
  });
  const chain = [issuing.certPem, root.certPem];
  const person = (cn: string, org: string) => {
    const c = issue({ commonName: cn, organization: org, key: newKey(), issuer: issuing, keyUsage: { digitalSignature: true, nonRepudiation: true } });
    return { signer: { certPem: c.certPem, privateKeyPem: c.privateKeyPem, chainPems: chain }, name: cn, organisation: org };
  };
  // the third signer's certificate comes from the platform's own CA code (a "person" profile),
  // for an ECDSA P-256 key as the platform makes for a person by default: every document signed
  // by all three mixes RSA and ECDSA signatures
  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key3 = {
    privateKeyPem: p256.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: p256.publicKey.export({ type: "spki", format: "pem" }) as string,
  };
  const platformCert = issueCertificate({
    kind: "person",
    subject: { commonName: "王五", organization: "丙律师事务所", country: "CN", serialNumber: "user-3" },
    subjectPublicKeyPem: key3.publicKeyPem,
    issuer: { certPem: issuing.certPem, privateKeyPem: issuing.privateKeyPem },
    validityDays: 365,
  });
  shared = {
    root,
    issuing,
    tsa,
    signers: [
      person("张三", "甲科技有限公司"),
      person("李四", "乙贸易有限公司"),
      { signer: { certPem: platformCert.certPem, privateKeyPem: key3.privateKeyPem, chainPems: chain }, name: "王五", organisation: "丙律师事务所" },
    ],
  };
  return shared;
}

let tsaSerial = 1000n;

/** The platform TSA wiring: a token over SHA-256 of the signature value. */
export function tsaFor(pki: PdfTestPki): (signatureValue: Buffer) => Buffer {
  return (signatureValue) =>
    timeStampDigest(
      createHash("sha256").update(signatureValue).digest(),
      { certPem: pki.tsa.certPem, privateKeyPem: pki.tsa.privateKeyPem, chainPems: [pki.issuing.certPem, pki.root.certPem] },
      { serial: ++tsaSerial, genTime: new Date(), policyOid: "1.2.156.112233.1.1" },
    );
}

export const CONTRACT_TITLE = "合同";
export const PARTY_A = "甲方：甲科技有限公司";

/** A two-page contract, Chinese and English, made by pdf-lib (classic xref table). */
export async function contractPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const cjk = await embedCjkFont(doc);
  const helv = await doc.embedFont(StandardFonts.Helvetica);
  const p1 = doc.addPage([595.28, 841.89]);
  p1.drawText(CONTRACT_TITLE, { x: 260, y: 780, size: 28, font: cjk });
  p1.drawText(PARTY_A, { x: 60, y: 730, size: 14, font: cjk });
  p1.drawText("乙方：乙贸易有限公司", { x: 60, y: 705, size: 14, font: cjk });
  p1.drawText("Service Agreement between Party A and Party B", { x: 60, y: 670, size: 12, font: helv });
  for (let i = 0; i < 8; i++) {
    p1.drawText(`第${i + 1}条 双方同意按本合同约定履行义务。 Clause ${i + 1}: the parties agree to perform.`, {
      x: 60,
      y: 630 - i * 24,
      size: 10,
      font: cjk,
      color: rgb(0.1, 0.1, 0.1),
    });
  }
  const p2 = doc.addPage([595.28, 841.89]);
  p2.drawText("签署页 Signature page", { x: 60, y: 780, size: 16, font: cjk });
  p2.drawText("本合同一式两份，具有同等法律效力。", { x: 60, y: 740, size: 12, font: cjk });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

// ---------------------------------------------------------------------------------------------
// tools

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
}

export function haveTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

/** A fresh NSS database trusting `rootPem` as a CA (certutil from libnss3-tools). */
export function nssDbWithRoot(dir: string, rootPem: string): string {
  const db = path.join(dir, "nssdb");
  mkdirSync(db, { recursive: true });
  const init = run("certutil", ["-N", "-d", `sql:${db}`, "--empty-password"]);
  if (init.status !== 0) throw new Error(`certutil -N: ${init.output}`);
  const rootFile = path.join(dir, "root.pem");
  writeFileSync(rootFile, rootPem);
  const add = run("certutil", ["-A", "-d", `sql:${db}`, "-n", "root", "-t", "CT,C,C", "-i", rootFile]);
  if (add.status !== 0) throw new Error(`certutil -A: ${add.output}`);
  return db;
}

export interface PdfsigSignature {
  index: number;
  fieldName: string | null;
  commonName: string | null;
  signingTime: string | null;
  hashAlgorithm: string | null;
  signatureType: string | null;
  byteRange: number[] | null;
  totalDocumentSigned: boolean | null;
  validation: string | null;
  certificateValidation: string | null;
  lines: string[];
}

/** pdfsig's report, one record per signature ("Signature #n:" blocks). */
export function parsePdfsig(output: string): PdfsigSignature[] {
  const out: PdfsigSignature[] = [];
  let cur: PdfsigSignature | null = null;
  for (const line of output.split("\n")) {
    const head = /^Signature #(\d+):/.exec(line);
    if (head) {
      cur = {
        index: Number(head[1]),
        fieldName: null,
        commonName: null,
        signingTime: null,
        hashAlgorithm: null,
        signatureType: null,
        byteRange: null,
        totalDocumentSigned: null,
        validation: null,
        certificateValidation: null,
        lines: [],
      };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    cur.lines.push(line);
    const m = /^\s+- ([^:]+): (.*)$/.exec(line);
    if (m) {
      const [key, value] = [m[1].trim(), m[2].trim()];
      if (key === "Signature Field Name") cur.fieldName = value;
      else if (key === "Signer Certificate Common Name") cur.commonName = value;
      else if (key === "Signing Time") cur.signingTime = value;
      else if (key === "Signing Hash Algorithm") cur.hashAlgorithm = value;
      else if (key === "Signature Type") cur.signatureType = value;
      else if (key === "Signature Validation") cur.validation = value;
      else if (key === "Certificate Validation") cur.certificateValidation = value;
      else if (key === "Signed Ranges") cur.byteRange = (value.match(/\d+/g) ?? []).map(Number);
      continue;
    }
    if (/^\s+- Total document signed/.test(line)) cur.totalDocumentSigned = true;
    else if (/^\s+- Not total document signed/i.test(line)) cur.totalDocumentSigned = false;
  }
  return out;
}

/** A command run without blocking the event loop (a server in this process can answer it). */
export function runAsync(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr, output: stdout + stderr }));
  });
}

/**
 * pdfsig against an NSS database, run without blocking this process: NSS asks the OCSP responder
 * that each certificate's AIA names (the platform's own, under PUBLIC_URL, which may be this process;
 * an unreachable one makes poppler report "Unknown issue with Certificate or corrupted data.").
 * Not with -no-ocsp: poppler 22.12 then reports every certificate that way (its revocation flags
 * without OCSP make NSS fail).
 */
/** pdfsig, blocking: for documents whose certificates name no responder in this process. */
export function pdfsigSync(file: string, nssDb: string): { output: string; signatures: PdfsigSignature[] } {
  const r = run("pdfsig", ["-nssdir", `sql:${nssDb}`, file]);
  return { output: r.output, signatures: parsePdfsig(r.output) };
}

export async function pdfsig(file: string, nssDb: string): Promise<{ output: string; signatures: PdfsigSignature[] }> {
  const r = await runAsync("pdfsig", ["-nssdir", `sql:${nssDb}`, file]);
  return { output: r.output, signatures: parsePdfsig(r.output) };
}
