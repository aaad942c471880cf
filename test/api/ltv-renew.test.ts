// The evidence certificate as the platform issues it is PAdES B-LTA (seal, DSS, document
// timestamp, the TSA's data), and POST /api/ltv/renew / `npm run ltv-renew` add a new DSS update and
// document timestamp to it: checked by pyHanko (pades-lta), pdfsig, and our verdict;
// administrators only; bad input refused with its code, changing nothing. pyHanko judges the seal,
// its timestamp and every older document timestamp from the DSS alone (its fetching is off for
// those in LTV mode); only the newest document timestamp's TSA is checked against revocation data
// of now, as PAdES-LTA asks: pyHanko runs without blocking, so this process's responder answers it.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pdfSignatureReport } from "../../server/pdf/report";
import { ROOT } from "../helpers/cli";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { pyhankoPath, pyhankoValidateAsync } from "../helpers/pyhanko";
import { haveTool, nssDbWithRoot, pdfsig, tempDir } from "../pdf/helpers";

function form(pdf: Buffer): FormData {
  const f = new FormData();
  f.append("file", new Blob([new Uint8Array(pdf)]), "document.pdf");
  return f;
}

function runRenew(tp: TestPlatform, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", DATA_DIR: tp.config.DATA_DIR, PUBLIC_URL: tp.config.PUBLIC_URL, LOG_LEVEL: "silent" };
    if (tp.config.DATABASE_URL) (env as Record<string, string>).DATABASE_URL = tp.config.DATABASE_URL;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/ltv-renew.ts", ...args], { cwd: ROOT, env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

describe("long-term proof: the B-LTA evidence certificate and its renewal (API and npm run ltv-renew)", function () {
  this.timeout(600_000);
  let tp: TestPlatform;
  let stopped = false;
  let root: string;
  let certificate: Buffer;
  const tmp = tempDir("ltv-renew");
  const exe = pyhankoPath();
  const rootFile = path.join(tmp.dir, "root.pem");

  before(async () => {
    tp = await startTestPlatform();
    root = await (await tp.api("GET", "/api/pki/root.pem")).text();
    fs.writeFileSync(rootFile, root);
    const member = await tp.createUser("member");
    const { id } = (await (await tp.upload(member.token, "evidence kept for years")).json()) as { id: string };
    await tp.waitAnchored(member.token, id);
    const res = await tp.api("GET", `/api/evidence/${id}/certificate`, { token: member.token });
    expect(res.status).to.equal(200);
    certificate = Buffer.from(await res.arrayBuffer());
  });
  after(async () => {
    if (!stopped) await tp?.stop();
    tmp.rm();
  });

  function pyhankoLta(name: string, pdf: Buffer) {
    const file = path.join(tmp.dir, `${name}.pdf`);
    fs.writeFileSync(file, pdf);
    return pyhankoValidateAsync(exe!, file, rootFile, { ltvProfile: "pades-lta" });
  }

  async function checkLta(name: string, pdf: Buffer, stamps: number) {
    const r = pdfSignatureReport(pdf, [root], { crls: [] }); // nothing from outside: the file's DSS only
    expect(r.allValid, `${name}: ${JSON.stringify(r.findings, null, 1)}`).to.equal(true);
    expect(r.documentTimestamps.map((t) => t.valid)).to.deep.equal(Array(stamps).fill(true));
    expect(r.signatures[0].revocation.every((v) => v.status === "good" && v.source === "dss")).to.equal(true);
    if (exe) {
      const v = await pyhankoLta(name, pdf);
      expect(v.signatures.map((s) => [s.field, s.valid]), v.output).to.deep.equal([["platform-seal", true]]);
      expect(v.signatures[0].text).to.contain("The signer's certificate is trusted.").and.contain("The signature is cryptographically sound.");
      expect(v.status, v.output).to.equal(0);
    }
    if (haveTool("pdfsig") && haveTool("certutil")) {
      const file = path.join(tmp.dir, `${name}-pdfsig.pdf`);
      fs.writeFileSync(file, pdf);
      const p = await pdfsig(file, nssDbWithRoot(path.join(tmp.dir, `nss-${name}`), root));
      expect(p.signatures[0], p.output).to.include({ fieldName: "platform-seal", validation: "Signature is Valid.", certificateValidation: "Certificate is Trusted." });
      expect(p.signatures.slice(1).map((s) => s.fieldName)).to.deep.equal(Array.from({ length: stamps }, (_, i) => `doc-timestamp-${i + 1}`));
    }
  }

  it("the evidence certificate is B-LTA: pyHanko (pades-lta), pdfsig and our verdict agree", async () => {
    await checkLta("certificate", certificate, 1);
  });

  it("POST /api/ltv/renew: administrators only, bad input refused with its code", async () => {
    const member = await tp.createUser("member");
    const judge = await tp.createUser("judge");
    for (const token of [member.token, judge.token]) {
      const r = await tp.api("POST", "/api/ltv/renew", { token, body: form(certificate) });
      expect(r.status).to.equal(403);
      expect(((await r.json()) as any).error.code).to.equal("forbidden");
    }
    expect((await tp.api("POST", "/api/ltv/renew", { body: form(certificate) })).status).to.equal(401);
    const json = await tp.api("POST", "/api/ltv/renew", { token: tp.adminToken, json: { file: "x" } });
    expect([json.status, ((await json.json()) as any).error.code]).to.deep.equal([415, "unsupported_media_type"]);
    const notPdf = await tp.api("POST", "/api/ltv/renew", { token: tp.adminToken, body: form(Buffer.from("plain text")) });
    expect([notPdf.status, ((await notPdf.json()) as any).error.code]).to.deep.equal([415, "not_a_pdf"]);
    // a byte changed in the seal's range: not valid, so not renewed
    const tampered = Buffer.from(certificate);
    const at = tampered.indexOf("/Producer") + 2;
    tampered[at] ^= 0x01;
    const bad = await tp.api("POST", "/api/ltv/renew", { token: tp.adminToken, body: form(tampered) });
    expect([bad.status, ((await bad.json()) as any).error.code]).to.deep.equal([422, "pdf_not_valid"]);
  });

  it("an administrator renews it: a new DSS update and a second document timestamp, the original a prefix, all valid; audited", async () => {
    const res = await tp.api("POST", "/api/ltv/renew", { token: tp.adminToken, body: form(certificate) });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    const renewed = Buffer.from(await res.arrayBuffer());
    expect(renewed.subarray(0, certificate.length).equals(certificate)).to.equal(true);
    await checkLta("renewed-api", renewed, 2);
    const audit = (await (await tp.api("GET", "/api/audit?action=pdf.ltv_renewed", { token: tp.adminToken })).json()) as any;
    const digest = "0x" + createHash("sha256").update(renewed).digest("hex");
    expect(audit.entries.map((e: any) => e.subject)).to.include(digest);
  });

  it("npm run ltv-renew -- in.pdf out.pdf does the same on the platform's own database and keys", async () => {
    const input = path.join(tmp.dir, "in.pdf");
    const output = path.join(tmp.dir, "out.pdf");
    fs.writeFileSync(input, certificate);
    const r = await runRenew(tp, [input, output]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/renewed: .*document timestamp \d{4}-/);
    await checkLta("renewed-cli", fs.readFileSync(output), 2);
    fs.writeFileSync(input, "not a pdf at all");
    const refused = await runRenew(tp, [input, output]);
    expect(refused.code, refused.out).to.equal(1);
  });
  it("with the platform gone, pyHanko (pades-lta) judges the signature LTV-valid from the file's DSS alone", async function () {
    if (!exe) this.skip();
    const file = path.join(tmp.dir, "offline.pdf");
    fs.writeFileSync(file, certificate);
    await tp.stop();
    stopped = true;
    // Nothing answers at the URLs the certificates name now. pyHanko checks the newest document
    // timestamp against current data (soft here: there is none to fetch), then validates the
    // signature at that timestamp's time from the DSS, with revocation data required.
    const offline = await pyhankoValidateAsync(exe!, file, rootFile, { ltvProfile: "pades-lta", softRevocation: true });
    expect(offline.status, offline.output).to.equal(0);
    expect(offline.signatures.map((x) => x.valid), offline.output).to.deep.equal([true]);
    expect(offline.output).to.contain("The signer's certificate is trusted.").and.to.contain("The TSA certificate is trusted.");
    // The control: the seal's own revision alone (B-T, no DSS) fails the same offline check.
    const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(certificate.toString("latin1"))!;
    const bt = path.join(tmp.dir, "offline-b-t.pdf");
    fs.writeFileSync(bt, certificate.subarray(0, Number(range[3]) + Number(range[4])));
    const lt = await pyhankoValidateAsync(exe!, file, rootFile, { ltvProfile: "pades", softRevocation: true });
    expect(lt.signatures.map((x) => x.valid), lt.output).to.deep.equal([true]);
    const without = await pyhankoValidateAsync(exe!, bt, rootFile, { ltvProfile: "pades", softRevocation: true });
    expect(without.signatures.map((x) => x.valid), without.output).to.not.deep.equal([true]);
  });
});
