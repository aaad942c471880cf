// The evidence certificate: a PDF sealed by the platform (PAdES), checked with pdfsig against the
// platform root in an NSS database, with qpdf, pdftotext, and our own PDF verifier.
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { pdfSignatureReport } from "../../server/pdf/report";
import { verifyPdfSignatures } from "../../server/pdf/verify";
import { runAsync } from "../pdf/helpers";

const have = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe("evidence certificate (PDF, sealed by the platform)", function () {
  let tp: TestPlatform;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-cert-"));
  before(async () => {
    tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "100" });
  });
  after(async () => tp.stop());

  it("is issued for an anchored item: pdfsig valid and trusted, qpdf clean, the facts in its text", async function () {
    const member = await tp.createUser("member");
    const { id, sha256 } = (await (await tp.upload(member.token, "证据 evidence for the court", { title: "聊天记录 chat log" })).json()) as { id: string; sha256: string };
    const pending = await tp.api("GET", `/api/evidence/${id}/certificate`, { token: member.token });
    expect([409, 200]).to.include(pending.status);
    const bundle = await tp.waitAnchored(member.token, id);
    const res = await tp.api("GET", `/api/evidence/${id}/certificate`, { token: member.token });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    const pdf = Buffer.from(await res.arrayBuffer());
    const file = path.join(dir, "certificate.pdf");
    fs.writeFileSync(file, pdf);

    const root = await (await tp.api("GET", "/api/pki/root.pem")).text();
    const reports = verifyPdfSignatures(pdf, [root]);
    expect(reports).to.have.length(1);
    // PAdES B-LTA: after the seal, its DSS, a document timestamp, and the DSS for the timestamp's TSA
    expect(reports[0]).to.include({ integrityOk: true, chainOk: true, coversWholeDocument: false });
    expect(reports[0].timestamp?.ok).to.equal(true);
    const verdict = pdfSignatureReport(pdf, [root], { crls: [] });
    expect(verdict.allValid, JSON.stringify(verdict.findings)).to.equal(true);
    expect(verdict.documentTimestamps.map((t) => [t.field, t.valid])).to.deep.equal([["doc-timestamp-1", true]]);
    expect(verdict.signatures[0].changes!.findings.map((f) => f.code)).to.have.members(["changed_dss_added", "changed_doc_timestamp_added", "changed_form_filled"]);

    // Someone else's item: not found; not anchored is 409 (covered above when the batch was slow).
    const outsider = await tp.createUser("lawyer");
    expect((await tp.api("GET", `/api/evidence/${id}/certificate`, { token: outsider.token })).status).to.equal(404);

    if (!have("pdfsig") || !have("certutil") || !have("qpdf") || !have("pdftotext")) return this.skip();
    execFileSync("qpdf", ["--check", file], { stdio: "ignore" });
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString("utf8").replace(/\s+/g, " ");
    for (const fact of [id, sha256, bundle.anchor.txHash, bundle.merkle.root, "电子证据证书", "聊天记录"]) expect(text).to.contain(fact);
    const nss = path.join(dir, "nss");
    fs.mkdirSync(nss);
    fs.writeFileSync(path.join(dir, "root.pem"), root);
    execFileSync("certutil", ["-N", "-d", `sql:${nss}`, "--empty-password"]);
    execFileSync("certutil", ["-A", "-d", `sql:${nss}`, "-n", "platform-root", "-t", "CT,C,C", "-i", path.join(dir, "root.pem")]);
    // not blocking: pdfsig asks this process's OCSP responder about the seal's certificate
    const out = (await runAsync("pdfsig", ["-nssdir", `sql:${nss}`, file])).stdout;
    expect(out).to.contain("Signature is Valid.");
    expect(out).to.contain("Certificate is Trusted.");
    expect(out).to.contain("ETSI.CAdES.detached");
    expect(out).to.contain("Signature Field Name: doc-timestamp-1");

    // One byte changed inside the signed range: both pdfsig and our verifier see it.
    const tampered = Buffer.from(pdf);
    const at = tampered.indexOf(Buffer.from("/Title")) + 2;
    tampered[at] = tampered[at] === 0x69 ? 0x6a : 0x69;
    const tamperedFile = path.join(dir, "tampered.pdf");
    fs.writeFileSync(tamperedFile, tampered);
    expect((await runAsync("pdfsig", ["-nssdir", `sql:${nss}`, tamperedFile])).stdout).not.to.contain("Signature is Valid.");
    expect(verifyPdfSignatures(tampered, [root])[0].integrityOk).to.equal(false);
  });
  it("for a signed PDF item, the certificate's notes give the PDF verdict with its finding codes", async function () {
    if (!have("pdftotext")) return this.skip();
    const member = await tp.createUser("member");
    const textOf = async (itemId: string) => {
      await tp.waitAnchored(member.token, itemId);
      const res = await tp.api("GET", `/api/evidence/${itemId}/certificate`, { token: member.token });
      expect(res.status).to.equal(200);
      const file = path.join(dir, `notes-${itemId}.pdf`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString("utf8").replace(/\s+/g, " ");
    };
    // a platform-sealed PDF (an evidence certificate) submitted as evidence: valid, every certificate good
    const first = (await (await tp.upload(member.token, "plain evidence")).json()) as { id: string };
    await tp.waitAnchored(member.token, first.id);
    const sealed = Buffer.from(await (await tp.api("GET", `/api/evidence/${first.id}/certificate`, { token: member.token })).arrayBuffer());
    const good = (await (await tp.upload(member.token, sealed, { title: "sealed pdf" })).json()) as { id: string };
    const goodText = await textOf(good.id);
    expect(goodText).to.contain("PDF 签名核验 PDF signatures").and.to.contain("全部签名有效 every signature valid");
    // the same PDF with bytes appended in no revision: not valid, and the code named
    const appended = Buffer.concat([sealed, Buffer.from("\n% appended after the seal\n")]);
    const bad = (await (await tp.upload(member.token, appended, { title: "appended pdf" })).json()) as { id: string };
    const badText = await textOf(bad.id);
    expect(badText).to.contain("签名核验未通过 not every signature is valid").and.to.contain("[changed_structure]");
    // a file that is not a PDF has no such section
    expect(await textOf(first.id)).to.not.contain("PDF 签名核验");
  });
});
