// A contract end to end through the API: drafted from a template (Chinese and English), sent to three
// signers in two steps (two in parallel, then one), each signing with their own certificate after a
// one-time code; the final PDF checked by tools we did not write (pdfsig with the platform root in an
// NSS database, qpdf --check, pdftotext, pdfdetach), the completion certificate, the anchored proof,
// POST /api/verify/pdf and `npm run verify -- file.pdf`, a byte changed inside a signed range.
import { expect } from "chai";
import { codeIn, linkIn, outboxMail, waitForMail } from "../helpers/outbox-mail";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { runVerify } from "../helpers/cli";
import { pyhankoPath, pyhankoValidateAsync } from "../helpers/pyhanko";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import QRCode from "qrcode";
import { verifyBundleOffline } from "../../server/core/proof-bundle";
import { QR_PLACEMENT } from "../../server/contracts/certificate";
import { A4 } from "../../server/pdf/layout";
import { pdfSignatureReport } from "../../server/pdf/report";
import { verifyPdfSignatures } from "../../server/pdf/verify";

const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");
const VALID = "Signature is Valid.";
const TRUSTED = "Certificate is Trusted.";

type User = { id: string; email: string; token: string; name: string; tag: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

describe("contracts: a three-signer contract in two steps, checked with pdfsig, qpdf, pdftotext", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let sender: User, partyA: User, partyB: User, witness: User;
  let contract: any;
  let invitations: any[];
  let finalPdf: Buffer;
  let certificatePdf: Buffer;
  let rootFile: string;
  const agent = (who: string) => ({ "user-agent": `contracts-test/1.0 (${who})` });

  const user = async (name: string, tag: string, organizationId?: string): Promise<User> => {
    const email = `${Math.random().toString(36).slice(2, 10)}-${process.pid}@example.com`;
    const u = await json(
      await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name, password: "user-password-1", role: "member", ...(organizationId ? { organizationId } : {}) } }),
      201,
    );
    return { id: u.id, email, name, tag, token: await tp.login(email, "user-password-1") };
  };
  const link = (u: User) => new URL(invitations.find((i) => i.userId === u.id).url).pathname;
  const signerId = (u: User) => invitations.find((i) => i.userId === u.id).signerId;
  /** The signer asks for their code on the signing link; it arrives at their own address (the outbox files, no SMTP_URL set). */
  const codeFor = async (u: User) => {
    const asked = await json(await tp.api("POST", `${link(u)}/code`, { token: u.token, headers: agent(u.tag) }), 201);
    expect(asked.delivery).to.equal("email");
    expect(asked.sentTo).to.equal(`${u.email[0]}***${u.email.slice(u.email.indexOf("@"))}`);
    const [mail] = await waitForMail(tp.dataDir, u.email, /签署验证码/);
    return codeIn(mail);
  };
  const sign = (u: User, code: string) => tp.api("POST", `${link(u)}/sign`, { token: u.token, json: { code }, headers: agent(u.tag) });

  before(async () => {
    const missing = ["pdfsig", "qpdf", "pdftotext", "pdfdetach", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")} (Debian: apt-get install poppler-utils qpdf libnss3-tools)`);
    tp = await startTestPlatform();
    tmp = tempDir("contracts-");
    nssDb = nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem());
    rootFile = tmp.file("root.pem", tp.platform.identity.rootPem());
    const orgA = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲科技有限公司" } }), 201);
    const orgB = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "乙贸易有限公司" } }), 201);
    [sender, partyA, partyB, witness] = await Promise.all([user("赵六", "zhaoliu", orgA.id), user("张三", "zhangsan", orgA.id), user("李四", "lisi", orgB.id), user("王五", "wangwu")]);

    contract = await json(
      await tp.api("POST", "/api/contracts", {
        token: sender.token,
        headers: agent("sender"),
        json: {
          title: "2026年度信息系统运维服务合同",
          template: {
            id: "service-agreement",
            fields: {
              partyA: { name: "甲科技有限公司", creditCode: "91350100MA2Y000001", address: "福建省福州市鼓楼区" },
              partyB: { name: "乙贸易有限公司", representative: "李四" },
              service: "乙方为甲方提供信息系统运维服务。Party B operates and maintains Party A's information systems.",
              amount: { value: "128000.50", currency: "CNY" },
              startDate: "2026-12-01",
              endDate: "2027-11-30",
              clauses: ["任何一方违约的，应承担违约责任。A party in breach is liable for damages."],
              place: "福州市",
            },
          },
          signers: [
            { userId: partyA.id, step: 1, role: "甲方 Party A" },
            { email: partyB.email, step: 1, role: "乙方 Party B" },
            { userId: witness.id, step: 2, role: "见证人 Witness" },
          ],
        },
      }),
      201,
    );
    const sent = await json(await tp.api("POST", `/api/contracts/${contract.id}/send`, { token: sender.token, json: {}, headers: agent("sender") }), 200);
    invitations = sent.invitations;

    // step 1: both parties sign at the same moment, in any order between themselves
    for (const u of [partyA, partyB]) await json(await tp.api("GET", link(u), { token: u.token, headers: agent(u.tag) }), 200);
    const [codeA, codeB] = [await codeFor(partyA), await codeFor(partyB)];
    const [a, b] = await Promise.all([sign(partyA, codeA), sign(partyB, codeB)]);
    await json(a, 200);
    await json(b, 200);
    // step 2
    const signed = await json(await sign(witness, await codeFor(witness)), 200);
    expect(signed.contract.status).to.equal("completed");
    const doc = await tp.api("GET", `/api/contracts/${contract.id}/document`, { token: sender.token });
    expect(doc.status).to.equal(200);
    finalPdf = Buffer.from(await doc.arrayBuffer());
    expect(doc.headers.get("x-content-sha256")).to.equal(sha(finalPdf));
    const cert = await tp.api("GET", `/api/contracts/${contract.id}/certificate`, { token: witness.token });
    expect(cert.status).to.equal(200);
    certificatePdf = Buffer.from(await cert.arrayBuffer());
  });
  after(async () => {
    tmp?.rm();
    await tp?.stop();
  });

  it("pdfsig: three signatures, each valid and its certificate trusted, each followed by its DSS update (B-LT)", async () => {
    const { output, signatures } = await pdfsig(tmp.file("final.pdf", finalPdf), nssDb);
    expect(signatures, output).to.have.length(3);
    for (const s of signatures) {
      expect(s.validation, output).to.equal(VALID);
      expect(s.certificateValidation, output).to.equal(TRUSTED);
      expect(s.signatureType, output).to.equal("ETSI.CAdES.detached");
    }
    expect(signatures.map((s) => s.totalDocumentSigned), output).to.deep.equal([false, false, false]);
    // each signer signed with their own certificate; step 1's two in either order, then the witness
    expect(signatures.slice(0, 2).map((s) => s.commonName).sort()).to.deep.equal(["张三", "李四"].sort());
    expect(signatures[2].commonName).to.equal("王五");
  });

  it("pyHanko: the contract is B-LT (each signature valid and trusted, LTV-valid against its DSS), the completion certificate B-LTA", async function () {
    const exe = pyhankoPath();
    if (!exe) return this.skip();
    const rootPem = tmp.file("pyhanko-root.pem", await (await tp.api("GET", "/api/pki/root.pem")).text());
    // pyHanko judges each signer's chain from the DSS alone (no fetching in its LTV context); with no
    // document timestamp in the file, it checks the signature timestamps' TSA against revocation data
    // of now: not blocking, so this process's responder answers it
    const lt = await pyhankoValidateAsync(exe, tmp.file("pyhanko-final.pdf", finalPdf), rootPem, { ltvProfile: "pades" });
    expect(lt.signatures.map((x) => x.valid), lt.output).to.deep.equal([true, true, true]);
    for (const sig of lt.signatures) expect(sig.text).to.contain("The signer's certificate is trusted.").and.contain("The TSA certificate is trusted.");
    expect(lt.status, lt.output).to.equal(0);
    // the newest document timestamp is judged against revocation data of now: not blocking, the responder answers
    const lta = await pyhankoValidateAsync(exe, tmp.file("pyhanko-certificate.pdf", certificatePdf), rootPem, { ltvProfile: "pades-lta" });
    expect(lta.signatures.map((x) => [x.field, x.valid]), lta.output).to.deep.equal([["platform-seal", true]]);
    expect(lta.status, lta.output).to.equal(0);
  });

  it("qpdf --check passes on the final PDF and on the completion certificate", () => {
    for (const [name, pdf] of [["final.pdf", finalPdf], ["certificate.pdf", certificatePdf]] as const) {
      const r = run("qpdf", ["--check", tmp.file(`qpdf-${name}`, pdf)]);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.match(/No syntax or stream encoding errors found/);
    }
  });

  it("pdftotext finds the Chinese party names, the amount in capitals, and the stamps' names and organisations", () => {
    const r = run("pdftotext", ["-enc", "UTF-8", tmp.file("text.pdf", finalPdf), "-"]);
    expect(r.status, r.output).to.equal(0);
    const text = r.stdout.replace(/[ \t]+/g, " ");
    for (const s of ["甲科技有限公司", "乙贸易有限公司", "2026年度信息系统运维服务合同", "人民币壹拾贰万捌仟元伍角", "CNY 128,000.50", "2026年12月1日", "张三", "李四", "王五", "甲方 Party A", "个人 Individual"]) {
      expect(text).to.contain(s);
    }
  });

  it("mail: each signer is told when their step opens (the step-2 witness only after step 1), with their own signing link; the codes reach the signers only; everyone hears of completion with the final digest", async () => {
    for (const u of [partyA, partyB, witness]) {
      const [turn] = await waitForMail(tp.dataDir, u.email, /Please sign|Your turn to sign/);
      expect(linkIn(turn, "/sign/#token=")).to.equal(invitations.find((i) => i.userId === u.id).signUrl);
      expect(turn.text).to.contain("合同");
    }
    expect((await waitForMail(tp.dataDir, witness.email, /Your turn to sign/))[0].subject).to.contain("轮到您签署");
    // the code went to each signer and to nobody else; the sender cannot issue one for them
    const all = await outboxMail(tp.dataDir);
    expect(all.filter((m) => /签署验证码/.test(m.subject)).map((m) => m.to[0]).sort()).to.deep.equal([partyA, partyB, witness].map((u) => u.email.toLowerCase()).sort());
    for (const u of [sender, partyA, partyB, witness]) {
      const [done] = await waitForMail(tp.dataDir, u.email, /Contract completed/);
      expect(done.text).to.contain(sha(finalPdf).slice(2));
      expect(done.text).to.contain(`${tp.config.PUBLIC_URL}/?sha256=${sha(finalPdf)}`);
    }
    // the sender sees what was sent about the contract and its delivery state
    const detail = await json(await tp.api("GET", `/api/contracts/${contract.id}`, { token: sender.token }), 200);
    expect(detail.notifications.filter((n: any) => n.status === "sent").length).to.be.at.least(10);
    expect((await json(await tp.api("GET", `/api/contracts/${contract.id}`, { token: partyA.token }), 200)).notifications).to.equal(undefined);
    const codeEvents = detail.events.filter((e: any) => e.action === "code_issued");
    expect(codeEvents.map((e: any) => e.details.channel)).to.deep.equal(["email", "email", "email"]);
  });

  it("every revision is a prefix of the next; the document digests recorded at each step are the revisions'", async () => {
    const detail = await json(await tp.api("GET", `/api/contracts/${contract.id}`, { token: partyA.token }), 200);
    expect(detail.status).to.equal("completed");
    expect(detail.document.sha256).to.equal(sha(finalPdf));
    expect(detail.document.revision).to.equal(3);
    const signedEvents = detail.events.filter((e: any) => e.action === "signed");
    expect(signedEvents).to.have.length(3);
    // each step's recorded digest is a revision of the final file: the one with that signature and its DSS
    // update (B-LT), so at least the signature's revision and short of the next signature's
    const report = await json(await tp.api("POST", "/api/verify/pdf", { body: form(finalPdf) }), 200);
    const ends: number[] = [];
    for (let at = finalPdf.indexOf("%%EOF"); at >= 0; at = finalPdf.indexOf("%%EOF", at + 1)) ends.push(at + "%%EOF\n".length);
    const prefixOf = (digest: string) => ends.find((e) => sha(finalPdf.subarray(0, e)) === digest);
    signedEvents.forEach((e: any, i: number) => {
      const end = prefixOf(e.documentSha256);
      expect(end, `step ${i + 1}'s digest is no revision of the final file`).to.be.a("number");
      expect(end).to.be.greaterThan(report.signatures[i].revision.size);
      if (i + 1 < signedEvents.length) expect(end).to.be.at.most(report.signatures[i + 1].revision.size);
    });
    const original = await tp.platform.contracts.documents.read(detail.document.originalSha256);
    expect(finalPdf.subarray(0, original.length).equals(original)).to.equal(true);
    expect(detail.events[0].documentSha256).to.equal(detail.document.originalSha256);
  });

  it("records every transition with who, when, IP address and user agent, and in the audit log", async () => {
    const detail = await json(await tp.api("GET", `/api/contracts/${contract.id}`, { token: sender.token }), 200);
    const actions = detail.events.map((e: any) => e.action);
    expect(actions[0]).to.equal("created");
    expect(actions[1]).to.equal("sent");
    expect(actions.filter((a: string) => a === "opened")).to.have.length(2);
    expect(actions.filter((a: string) => a === "code_issued")).to.have.length(3);
    expect(actions.slice(-2)).to.deep.equal(["signed", "completed"]);
    expect(detail.events.map((e: any) => e.seq)).to.deep.equal(detail.events.map((_: unknown, i: number) => i + 1));
    for (const e of detail.events) {
      expect(Date.parse(e.at)).to.be.a("number").and.not.NaN;
      if (e.action === "completed") {
        expect(e.actorId).to.equal(null);
        continue;
      }
      expect(e.ip).to.match(/127\.0\.0\.1/);
      expect(e.userAgent).to.match(/^contracts-test\/1\.0/);
    }
    const witnessSigned = detail.events.find((e: any) => e.action === "signed" && e.actorId === witness.id);
    expect(witnessSigned.userAgent).to.equal("contracts-test/1.0 (wangwu)");
    expect(detail.events.find((e: any) => e.action === "sent")).to.include({ actorId: sender.id, fromStatus: "draft", toStatus: "in_progress" });
    const audit = await json(await tp.api("GET", "/api/audit?after=0&limit=1000", { token: tp.adminToken }), 200);
    const entries = (audit.items ?? audit.entries ?? audit) as any[];
    const mine = entries.filter((a) => a.subject === contract.id);
    expect(mine.map((a) => a.action)).to.deep.equal(actions.map((a: string) => `contract.${a}`));
    expect((await json(await tp.api("GET", "/api/audit/verify", { token: tp.adminToken }), 200)).firstBreak ?? null).to.equal(null);
  });

  it("the completion certificate: the final digest, each step's digest, the audit trail, the verification URL, and the signed contract attached", () => {
    const r = run("pdftotext", ["-enc", "UTF-8", tmp.file("certificate.pdf", certificatePdf), "-"]);
    expect(r.status, r.output).to.equal(0);
    const text = r.stdout.replace(/\s+/g, "");
    expect(text).to.contain("合同签署完成证书");
    expect(text).to.contain(sha(finalPdf));
    expect(text).to.contain(`${tp.config.PUBLIC_URL}/?sha256=${sha(finalPdf)}`.replace(/\s+/g, ""));
    for (const s of ["张三", "李四", "王五", "签署Signed", "完成Completed", "127.0.0.1", "contracts-test/1.0"]) expect(text).to.contain(s);
    // the attachment is the final PDF, byte for byte
    const outDir = path.join(tmp.dir, "detached");
    fs.mkdirSync(outDir);
    const d = run("pdfdetach", ["-saveall", "-o", outDir, tmp.file("certificate-detach.pdf", certificatePdf)]);
    expect(d.status, d.output).to.equal(0);
    const files = fs.readdirSync(outDir);
    expect(files).to.deep.equal([`contract-${contract.id}.pdf`]);
    expect(sha(fs.readFileSync(path.join(outDir, files[0])))).to.equal(sha(finalPdf));
  });

  it("the completion certificate is sealed by the platform (PAdES B-LTA: its DSS, then a document timestamp)", async () => {
    const root = await (await tp.api("GET", "/api/pki/root.pem")).text();
    const [seal, ...others] = verifyPdfSignatures(certificatePdf, [root]);
    expect(others).to.have.length(0);
    expect(seal).to.include({ fieldName: "platform-seal", integrityOk: true, chainOk: true, coversWholeDocument: false });
    expect(seal.timestamp?.ok).to.equal(true);
    const verdict = pdfSignatureReport(certificatePdf, [root], { crls: [] });
    expect(verdict.allValid, JSON.stringify(verdict.findings)).to.equal(true);
    expect(verdict.documentTimestamps.map((t) => [t.field, t.valid])).to.deep.equal([["doc-timestamp-1", true]]);
  });

  it("the certificate's QR code, as poppler renders it, is the QR code of the verification URL", () => {
    const prefix = path.join(tmp.dir, "qr");
    const dpi = 200;
    const r = run("pdftoppm", ["-gray", "-r", String(dpi), "-f", "1", "-l", "1", "-singlefile", tmp.file("qr.pdf", certificatePdf), prefix]);
    expect(r.status, r.output).to.equal(0);
    const pgm = fs.readFileSync(`${prefix}.pgm`);
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString("latin1", 0, 40))!;
    const [width, offset] = [Number(header[1]), header[0].length];
    const expected = QRCode.create(`${tp.config.PUBLIC_URL}/?sha256=${sha(finalPdf)}`, { errorCorrectionLevel: "M" }).modules;
    const q = QR_PLACEMENT;
    const module = q.size / (expected.size + 2 * q.quiet);
    const px = (pt: number) => Math.round((pt * dpi) / 72);
    let wrong = 0;
    for (let row = 0; row < expected.size; row++) {
      for (let col = 0; col < expected.size; col++) {
        const x = px(q.x + (q.quiet + col + 0.5) * module);
        const y = px(A4[1] - (q.yTop - (q.quiet + row + 0.5) * module));
        const dark = pgm[offset + y * width + x] < 128;
        if (dark !== !!expected.get(row, col)) wrong++;
      }
    }
    expect(wrong, `${wrong} of ${expected.size ** 2} modules differ`).to.equal(0);
  });

  it("the final digest is anchored: the proof bundle verifies offline, /api/verify/pdf says so", async () => {
    let bundle: any;
    for (const deadline = Date.now() + 20_000; ; ) {
      const res = await tp.api("GET", `/api/contracts/${contract.id}/proof`, { token: partyB.token });
      if (res.status === 200) {
        bundle = await res.json();
        break;
      }
      expect(res.status).to.equal(202);
      if (Date.now() > deadline) throw new Error("not anchored in time");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(bundle.record.sha256).to.equal(sha(finalPdf));
    expect(bundle.record.source).to.equal(`contract:${contract.id}`);
    expect(verifyBundleOffline(bundle, sha(finalPdf)).every((c) => c.ok)).to.equal(true);
    tmp.file("bundle.json", JSON.stringify(bundle));
    const report = await json(await tp.api("POST", "/api/verify/pdf", { body: form(finalPdf) }), 200);
    expect(report.allValid).to.equal(true);
    expect(report.anchoring.anchored).to.equal(true);
    expect(report.signatures).to.have.length(3);
    for (const s of report.signatures) {
      expect(s).to.include({ intact: true, valid: true });
      expect(s.chain.trusted).to.equal(true);
      expect(s.timestamp.valid).to.equal(true);
    }
    // the last one too: its DSS update follows it
    expect(report.signatures.map((s: any) => s.changedAfter)).to.deep.equal([true, true, true]);
    // the certificate's own proof too
    for (const deadline = Date.now() + 20_000; ; ) {
      const res = await tp.api("GET", `/api/contracts/${contract.id}/certificate/proof`, { token: sender.token });
      if (res.status === 200) {
        expect(verifyBundleOffline(await res.json(), sha(certificatePdf)).every((c) => c.ok)).to.equal(true);
        break;
      }
      if (Date.now() > deadline) throw new Error("certificate not anchored in time");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("npm run verify -- final.pdf --bundle bundle.json: every signature and the anchoring proof pass", async () => {
    const finalFile = tmp.file("verify-final.pdf", finalPdf);
    // the file carries its own revocation data (B-LT): nothing from outside is needed
    const bare = await runVerify([finalFile, "--ca", rootFile]);
    expect(bare.code, bare.out).to.equal(0);
    expect(bare.out).to.match(/PASS {2}revocation signer [^\n]*王五[^\n]*: good \[revocation_good\] good \(OCSP response produced [^)]*, dss\)/);
    expect(bare.out).to.not.contain("[revocation_unknown]");
    // with it stripped (the file up to the last signature, before its DSS update), unknown again, and unknown is never good
    const lastEnd = (await json(await tp.api("POST", "/api/verify/pdf", { body: form(finalPdf) }), 200)).signatures[2].revision.size;
    const stripped = await runVerify([tmp.file("verify-stripped.pdf", finalPdf.subarray(0, lastEnd)), "--ca", rootFile]);
    expect(stripped.code, stripped.out).to.equal(1);
    expect(stripped.out).to.contain("[revocation_unknown]");
    const crlFile = tmp.file("crl.der", Buffer.from(await (await tp.api("GET", "/api/pki/crl")).arrayBuffer()));
    const arlFile = tmp.file("arl.der", Buffer.from(await (await tp.api("GET", "/api/pki/arl")).arrayBuffer()));
    const { code, out } = await runVerify([finalFile, "--ca", rootFile, "--crl", crlFile, "--crl", arlFile, "--bundle", path.join(tmp.dir, "bundle.json")]);
    expect(code, out).to.equal(0);
    expect(out).to.match(/PASS {2}revocation signer [^\n]*王五[^\n]*: good \[revocation_good\]/);
    expect(out).to.match(/Signature 3 of 3: field sig-2-1/);
    expect(out).to.contain("CN=王五");
    expect(out.match(/PASS {2}chain/g)).to.have.length(3);
    expect(out).to.match(/VERIFIED: 3 signatures valid/);
  });

  it("one byte changed inside a signed range: pdfsig and our verifier (API and CLI) both report it", async () => {
    const tampered = Buffer.from(finalPdf);
    // inside the first revision, covered by every signature: a letter of the document information
    const firstRangeEnd = Number(/\/ByteRange \[0 (\d+)/.exec(finalPdf.toString("latin1"))![1]);
    const at = tampered.indexOf("/Producer");
    expect(at).to.be.greaterThan(0).and.lessThan(firstRangeEnd);
    tampered[at + 2] ^= 0x01;
    const { output, signatures } = await pdfsig(tmp.file("tampered.pdf", tampered), nssDb);
    expect(signatures, output).to.have.length(3);
    for (const s of signatures) expect(s.validation, output).not.to.equal(VALID);
    const report = await json(await tp.api("POST", "/api/verify/pdf", { body: form(tampered) }), 200);
    expect(report.allValid).to.equal(false);
    expect(report.anchoring.anchored).to.equal(false);
    expect(report.signatures.map((s: any) => s.intact)).to.deep.equal([false, false, false]);
    const { code, out } = await runVerify([tmp.file("tampered-cli.pdf", tampered), "--ca", rootFile]);
    expect(code, out).to.equal(1);
    expect(out).to.match(/FAIL {2}integrity/);
    expect(out).to.match(/NOT VERIFIED: signature 1/);
  });
});

function form(pdf: Buffer, name = "contract.pdf"): FormData {
  const f = new FormData();
  f.append("file", new Blob([new Uint8Array(pdf)]), name);
  return f;
}
