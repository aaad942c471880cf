// The electronic case file (电子卷宗) end to end: a case with evidence from two parties (a PDF and a
// non-PDF), opinions, a service with its receipt, and rows of the other rooms (a hearing record, an
// order, an address confirmation) written directly; the file as each reader sees it; exports
// checked by tools we did not write (pdfsig trusting the platform root, qpdf, pdftotext, pdfdetach),
// the catalogue matched against the case's records page by page, every digest recomputed from the
// stored files, a tampered copy refused, a second export after a new event, and the access table.
import { expect } from "chai";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { contractPdf, haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { embedCjkFont } from "../../server/pdf/fonts";
import QRCode from "qrcode";
import { CASEFILE_ROUTES } from "../../server/casefile/access";
import { COVER_QR } from "../../server/casefile/render";
import { A4 } from "../../server/pdf/layout";

const VALID = "Signature is Valid.";
const TRUSTED = "Certificate is Trusted.";
const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");
type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string } };
  return { status: res.status, code: body.error.code };
}

/** A one-page PDF with Chinese text (the summons, the hearing record). */
async function textPdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await embedCjkFont(doc);
  const page = doc.addPage([595.28, 841.89]);
  lines.forEach((l, i) => page.drawText(l, { x: 60, y: 780 - i * 24, size: 14, font }));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

const form = (fields: Record<string, string>, content: Buffer | string, fileName: string) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append("file", new Blob([typeof content === "string" ? content : new Uint8Array(content)]), fileName);
  return f;
};

describe("the electronic case file (电子卷宗)", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let judge: User, clerk: User, lawyerA: User, lawyerB: User, outsiderLawyer: User, outsiderJudge: User, otherClerk: User;
  let c: any;
  let partyA: string, partyB: string;
  const items: Record<string, { evidenceId: string; sha256: string; title: string }> = {};
  let complaintPdf: Buffer;
  const note = Buffer.from("微信聊天记录导出 chat export: 2026-03-02 乙：货已收到，款下周付。\n");
  let draftId: string;
  let v1: any, v1Pdf: Buffer;
  let judgeView: any;

  const db = () => tp.platform.database.db;
  const storedFile = (sha256: string) => {
    const hex = sha256.slice(2);
    return path.join(tp.dataDir, "objects", hex.slice(0, 2), hex.slice(2, 4), hex);
  };
  const submit = async (by: User, title: string, content: Buffer | string, fileName: string) =>
    json(await tp.api("POST", `/api/cases/${c.id}/submissions`, { token: by.token, body: form({ title, purpose: `证明 ${title}` }, content, fileName) }), 201);
  const finalise = async (by: User, sid: string) => json(await tp.api("POST", `/api/cases/${c.id}/submissions/${sid}/finalise`, { token: by.token }), 200);
  const upload = async (by: User, title: string, content: Buffer | string) => json(await tp.upload(by.token, content, { title }), 201);
  const file = (u: User) => tp.api("GET", `/api/cases/${c.id}/file`, { token: u.token });
  const exportFile = (u: User) => tp.api("POST", `/api/cases/${c.id}/file/exports`, { token: u.token });
  const pdfOf = async (u: User, version: number) => {
    const res = await tp.api("GET", `/api/cases/${c.id}/file/exports/${version}`, { token: u.token });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    return Buffer.from(await res.arrayBuffer());
  };
  const pageText = (pdfFile: string, page: number) => run("pdftotext", ["-layout", "-f", String(page), "-l", String(page), pdfFile, "-"]).stdout;
  const waitFor = async <T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> => {
    for (const until = Date.now() + ms; ; ) {
      const v = await probe();
      if (v !== null) return v;
      if (Date.now() > until) throw new Error(`${what}: not in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const allAnchored = (u: User) =>
    waitFor("every entry anchored", async () => {
      const view = await json(await file(u), 200);
      return view.entries.every((e: any) => e.anchoring.status === "anchored" && e.anchoring.txHash) ? view : null;
    });

  before(async () => {
    const missing = ["pdfsig", "qpdf", "pdftotext", "pdfdetach", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform({ MAX_UPLOAD_BYTES: "1048576" });
    tmp = tempDir("casefile-");
    nssDb = nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem());
    const court = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "福州市鼓楼区人民法院", kind: "court" } }), 201);
    const otherCourt = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "另一法院", kind: "court" } }), 201);
    [judge, clerk, lawyerA, lawyerB, outsiderLawyer, outsiderJudge, otherClerk] = await Promise.all([
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("clerk", { organizationId: court.id }),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("clerk", { organizationId: otherCourt.id }),
    ]);
    c = await json(
      await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: {
          number: `(2026)闽0102民初${process.pid % 10000}号`,
          court: "福州市鼓楼区人民法院",
          causeOfAction: "买卖合同纠纷",
          parties: [
            { name: "甲科技有限公司", kind: "plaintiff", members: [lawyerA.id] },
            { name: "乙贸易有限公司", kind: "defendant", members: [lawyerB.id] },
          ],
        },
      }),
      201,
    );
    [partyA, partyB] = c.parties.map((p: any) => p.id);
    // the case is before the court (as a case accepted from a filing is): its clerks see the file
    await db().courtCase.update({ where: { id: c.id }, data: { courtId: court.id } });

    // The plaintiff's contract (a PDF), the defendant's chat export (not a PDF), both finalised;
    // the defendant's draft stays a draft.
    complaintPdf = await contractPdf();
    const subA = await submit(lawyerA, "买卖合同 Contract of sale", complaintPdf, "合同.pdf");
    await finalise(lawyerA, subA.id);
    const subB = await submit(lawyerB, "聊天记录 Chat export", note, "chat.txt");
    await finalise(lawyerB, subB.id);
    const draft = await submit(lawyerB, "乙方草稿证据 Defendant's draft", "尚未提交的草稿 not yet finalised\n", "draft.txt");
    draftId = draft.id;
    for (const [k, s, t] of [["A", subA, "买卖合同 Contract of sale"], ["B", subB, "聊天记录 Chat export"], ["draft", draft, "乙方草稿证据 Defendant's draft"]] as const) {
      items[k] = { evidenceId: s.evidenceId, sha256: s.sha256, title: t };
    }
    const opinion = (comment: string) => ({ authenticity: { position: "accept" }, legality: { position: "accept" }, relevance: { position: "dispute", comment } });
    await json(await tp.api("PUT", `/api/cases/${c.id}/evidence/${subA.id}/opinion`, { token: lawyerB.token, json: opinion("合同与本案争议无关") }), 201);
    await json(await tp.api("PUT", `/api/cases/${c.id}/evidence/${subB.id}/opinion`, { token: lawyerA.token, json: opinion("聊天记录不完整") }), 201);

    // A summons served on the defendant, opened from its inbox (the receipt).
    const summons = await textPdf(["传票 Summons", "开庭时间 2026-12-15 09:00 第三法庭"]);
    await json(await tp.api("POST", `/api/cases/${c.id}/services`, { token: judge.token, body: form({ title: "传票 Summons", party: partyB }, summons, "summons.pdf") }), 201);
    const inbox = await json(await tp.api("GET", "/api/inbox", { token: lawyerB.token }), 200);
    const delivery = inbox.items.find((x: any) => x.case.id === c.id);
    expect((await tp.api("GET", `/api/inbox/${delivery.id}/document`, { token: lawyerB.token })).status).to.equal(200);
    items.summons = { evidenceId: "", sha256: sha(summons), title: "传票 Summons" };

    // The other rooms' rows, written directly (their tables are final): a hearing record, an
    // order, the defendant's address confirmation, each an evidence item.
    const now = Date.now();
    const record = await upload(judge, "庭审笔录", await textPdf(["庭审笔录 Hearing record", "原告、被告均到庭。"]));
    await db().hearing.create({
      data: { id: randomUUID(), caseId: c.id, judgeId: judge.id, kind: "trial", status: "held", startsAt: new Date(now - 3600_000), endsAt: new Date(now - 1800_000), room: "第三法庭", createdById: judge.id, createdAt: new Date(now - 7200_000), updatedAt: new Date(), recordEvidenceId: record.id },
    });
    const order = await upload(judge, "民事裁定书", await textPdf(["民事裁定书 Civil ruling", "准许原告撤回部分诉讼请求。"]));
    await db().courtOrder.create({ data: { id: randomUUID(), caseId: c.id, kind: "other", title: "民事裁定书 Civil ruling", evidenceId: order.id, issuedById: judge.id, issuedAt: new Date() } });
    const confirmation = await upload(lawyerB, "送达地址确认书", "送达地址确认书 乙贸易有限公司 email b@example.com\n");
    await db().serviceAddressConfirmation.create({
      data: { id: randomUUID(), caseId: c.id, partyId: partyB, addresses: JSON.stringify({ inbox: true, emails: ["b@example.com"], phones: [] }), consent: true, evidenceId: confirmation.id, confirmedById: lawyerB.id, confirmedAt: new Date() },
    });
    // The filing the case came from (one submitted version: its record and the signed complaint,
    // an identity document attached) and the mediation before it, closed by an agreement.
    const filingId = randomUUID();
    const day = 86_400_000;
    const filingRecord = await upload(lawyerA, "立案记录", JSON.stringify({ type: "filing", version: 1, claims: ["支付货款 100000 元"] }));
    const complaint = await upload(lawyerA, "起诉状", await textPdf(["民事起诉状 Complaint", "原告：甲科技有限公司"]));
    const identity = await upload(lawyerA, "营业执照", "营业执照副本 business licence scan\n");
    const removed = await upload(lawyerA, "撤下的附件", "an attachment removed before submission\n");
    await db().filing.create({
      data: { id: filingId, courtId: court.id, filerId: lawyerA.id, status: "accepted", draft: "{}", version: 1, createdAt: new Date(now - 3 * day), updatedAt: new Date(now - day), firstSubmittedAt: new Date(now - 2 * day), lastSubmittedAt: new Date(now - 2 * day), decidedAt: new Date(now - day), caseId: c.id },
    });
    await db().filingVersion.create({
      data: { id: randomUUID(), filingId, version: 1, content: "{}", recordEvidenceId: filingRecord.id, complaintEvidenceId: complaint.id, submittedById: lawyerA.id, submittedAt: new Date(now - 2 * day) },
    });
    await db().filingAttachment.createMany({
      data: [
        { id: randomUUID(), filingId, kind: "identity", title: "营业执照 Business licence", evidenceId: identity.id, addedById: lawyerA.id, addedAt: new Date(now - 2.5 * day) },
        { id: randomUUID(), filingId, kind: "other", title: "撤下的附件 Removed", evidenceId: removed.id, addedById: lawyerA.id, addedAt: new Date(now - 2.6 * day), removedAt: new Date(now - 2.4 * day) },
      ],
    });
    const agreement = await upload(judge, "调解协议", await textPdf(["调解协议 Mediation agreement", "双方同意分期付款。"]));
    const contractId = randomUUID();
    await db().contract.create({
      data: { id: contractId, title: "调解协议", status: "completed", origin: "template", senderId: judge.id, originalSha256: agreement.sha256, currentSha256: agreement.sha256, revision: 2, createdAt: new Date(now - 1.8 * day), endedAt: new Date(now - 1.5 * day), finalEvidenceId: agreement.id },
    });
    await db().mediation.create({
      data: { id: randomUUID(), filingId, courtId: court.id, status: "confirmed", requestedBy: "filer", createdById: lawyerA.id, createdAt: new Date(now - 1.9 * day), updatedAt: new Date(now - day), agreementContractId: contractId },
    });
    await db().courtCase.update({ where: { id: c.id }, data: { filingId } });
    items.filingRecord = { evidenceId: filingRecord.id, sha256: filingRecord.sha256, title: "立案申请 第 1 版 Filing, version 1" };
    items.complaint = { evidenceId: complaint.id, sha256: complaint.sha256, title: "起诉状 第 1 版 Complaint, version 1" };
    items.identity = { evidenceId: identity.id, sha256: identity.sha256, title: "营业执照 Business licence" };
    items.agreement = { evidenceId: agreement.id, sha256: agreement.sha256, title: "调解协议 Mediation agreement — 调解协议" };
    items.record = { evidenceId: record.id, sha256: record.sha256, title: "庭审笔录 Hearing record — 开庭 Trial" };
    items.order = { evidenceId: order.id, sha256: order.sha256, title: "民事裁定书 Civil ruling" };
    items.confirmation = { evidenceId: confirmation.id, sha256: confirmation.sha256, title: "送达地址确认书 Address confirmation — 乙贸易有限公司" };
  });
  after(async () => {
    await tp?.stop();
    tmp?.rm();
  });
  // the filing's entries come first: they happened days before the case
  const FILING = ["营业执照 Business licence", "立案申请 第 1 版 Filing, version 1", "起诉状 第 1 版 Complaint, version 1", "调解协议 Mediation agreement — 调解协议"];

  it("the judges see every entry in time order, each with its digest, submitter and anchoring", async () => {
    judgeView = await allAnchored(judge);
    expect(judgeView.you).to.deep.equal({ relation: "judge", partyId: null });
    const titles = judgeView.entries.map((e: any) => e.title);
    expect(titles).to.deep.equal([...FILING, items.A.title, items.B.title, items.draft.title, "传票 Summons", items.record.title, items.order.title, items.confirmation.title]);
    expect(judgeView.entries.map((e: any) => e.number)).to.deep.equal(titles.map((_: string, i: number) => i + 1));
    // the attachment removed before the only submission is not part of the file
    expect(titles).not.to.include("撤下的附件 Removed");
    const times = judgeView.entries.map((e: any) => Date.parse(e.at));
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    const byTitle = new Map(judgeView.entries.map((e: any) => [e.title, e]));
    for (const k of ["filingRecord", "complaint", "identity", "agreement", "A", "B", "draft", "summons", "record", "order", "confirmation"]) {
      const e: any = byTitle.get(items[k].title);
      expect(e.sha256, k).to.equal(items[k].sha256);
      expect(e.anchoring.batchId, k).to.be.a("number");
      expect(e.anchoring.blockNumber, k).to.be.a("number");
    }
    const a: any = byTitle.get(items.A.title);
    expect(a.kind).to.equal("evidence");
    expect(a.opinions).to.have.length(1);
    expect(a.opinions[0]).to.include({ party: "乙贸易有限公司", relevance: "不认可 dispute" });
    const served: any = byTitle.get("传票 Summons");
    expect(served.kind).to.equal("service");
    expect(served.receipts).to.have.length(1);
    expect(served.receipts[0].openedAt).to.be.a("string");
    expect(served.receipts[0].anchoring.status).to.be.oneOf(["queued", "batched", "sent", "anchored"]);
    const clerkView = await json(await file(clerk), 200);
    expect(clerkView.you.relation).to.equal("clerk");
    expect(clerkView.entries.map((e: any) => e.key)).to.deep.equal(judgeView.entries.map((e: any) => e.key));
  });

  it("a party sees its own submissions, the others' finalised ones, what was served on it, hearings, orders and its own address confirmation", async () => {
    const viewA = await json(await file(lawyerA), 200);
    expect(viewA.you).to.deep.equal({ relation: "party", partyId: partyA });
    expect(viewA.entries.map((e: any) => e.title)).to.deep.equal([...FILING, items.A.title, items.B.title, items.record.title, items.order.title]);
    // the defendant's draft does not exist for the plaintiff, not even as a digest
    expect(JSON.stringify(viewA)).not.to.contain(items.draft.sha256);
    const viewB = await json(await file(lawyerB), 200);
    expect(viewB.entries.map((e: any) => e.title)).to.deep.equal([...FILING, items.A.title, items.B.title, items.draft.title, "传票 Summons", items.record.title, items.order.title, items.confirmation.title]);
  });

  it("the access table: outsiders 404 on every route, parties may read the file but not export (403)", async () => {
    expect(CASEFILE_ROUTES.map((r) => `${r.method} ${r.base}${r.path}`)).to.deep.equal([
      "get /api/cases/:id/file/",
      "post /api/cases/:id/file/exports",
      "get /api/cases/:id/file/exports",
      "get /api/cases/:id/file/exports/:version",
    ]);
    const routes: [string, string][] = [
      ["GET", `/api/cases/${c.id}/file`],
      ["POST", `/api/cases/${c.id}/file/exports`],
      ["GET", `/api/cases/${c.id}/file/exports`],
      ["GET", `/api/cases/${c.id}/file/exports/1`],
    ];
    // expectations by hand: [read, export, list, pdf] (the pdf route 404s for allowed readers: no export yet)
    const expected: [string, string, number[]][] = [
      ["outsider lawyer", outsiderLawyer.token, [404, 404, 404, 404]],
      ["judge not on the case", outsiderJudge.token, [404, 404, 404, 404]],
      ["another court's clerk", otherClerk.token, [404, 404, 404, 404]],
      ["platform administrator", tp.adminToken, [404, 404, 404, 404]],
      ["plaintiff's lawyer", lawyerA.token, [200, 403, 403, 403]],
      ["defendant's lawyer", lawyerB.token, [200, 403, 403, 403]],
      ["the court's clerk", clerk.token, [200, 403, 200, 404]],
    ];
    for (const [who, token, statuses] of expected) {
      for (const [i, [method, route]] of routes.entries()) {
        const res = await tp.api(method, route, { token });
        expect(res.status, `${who} ${method} ${route}`).to.equal(statuses[i]);
      }
    }
    for (const [method, route] of routes) expect((await tp.api(method, route)).status, `anonymous ${method} ${route}`).to.equal(401);
    expect(await errorOf(await tp.api("GET", `/api/cases/${randomUUID()}/file`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
    expect(await errorOf(await tp.api("GET", `/api/cases/not-an-id/file`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
    expect(await errorOf(await tp.api("GET", `/api/cases/${c.id}/file/exports/abc`, { token: judge.token }))).to.deep.equal({ status: 404, code: "not_found" });
  });

  it("a judge exports version 1: sealed by the platform (pdfsig: valid, trusted), qpdf --check passes, audited", async () => {
    v1 = await json(await exportFile(judge), 201);
    expect(v1).to.include({ caseId: c.id, version: 1, entries: 11, createdBy: judge.id });
    v1Pdf = await pdfOf(judge, 1);
    expect(sha(v1Pdf)).to.equal(v1.sha256);
    const f = tmp.file("v1.pdf", v1Pdf);
    const { output, signatures } = await pdfsig(f, nssDb);
    expect(signatures, output).to.have.length(1);
    expect(signatures[0].validation, output).to.equal(VALID);
    expect(signatures[0].certificateValidation, output).to.equal(TRUSTED);
    expect(signatures[0].totalDocumentSigned, output).to.equal(true);
    expect(signatures[0].fieldName).to.equal("platform-seal");
    const q = run("qpdf", ["--check", f]);
    expect(q.status, q.output).to.equal(0);
    expect(q.output).to.contain("No syntax or stream encoding errors found");
    const audit = await db().auditEntry.findMany({ where: { action: "casefile.exported", subject: c.id } });
    expect(audit).to.have.length(1);
    expect(JSON.parse(audit[0].details)).to.include({ version: 1, sha256: v1.sha256, evidenceId: v1.evidenceId, entries: 11 });
    // the clerk may read it too, the parties may not
    expect(sha(await pdfOf(clerk, 1))).to.equal(v1.sha256);
    expect((await tp.api("GET", `/api/cases/${c.id}/file/exports/1`, { token: lawyerA.token })).status).to.equal(403);
  });

  it("the catalogue read back with pdftotext matches the case's records, and each page number points at its entry", async () => {
    const f = path.join(tmp.dir, "v1.pdf");
    const all = run("pdftotext", ["-layout", f, "-"]).stdout;
    const cover = pageText(f, 1);
    expect(cover).to.contain("电子卷宗");
    expect(cover).to.contain(c.number);
    expect(cover).to.contain("买卖合同纠纷");
    expect(cover).to.contain("甲科技有限公司").and.contain("乙贸易有限公司");
    expect(cover).to.match(/导出版本 Export version：1/);
    expect(cover).to.contain(v1.catalogueSha256);
    // The catalogue: one block per entry (number, title, SHA-256, batch, transaction, block, page).
    const pages = Number(/Pages:\s+(\d+)/.exec(run("pdfinfo", [f]).stdout)![1]);
    // the catalogue runs from page 2 to the page before the first entry's sheet
    let firstSheet = 2;
    while (firstSheet <= pages && !pageText(f, firstSheet).includes("第 1 项 Item 1")) firstSheet++;
    expect(firstSheet).to.be.lessThan(pages);
    let catalogue = "";
    for (let p = 2; p < firstSheet; p++) catalogue += pageText(f, p);
    expect(catalogue).to.contain("目录 Catalogue");
    for (const [i, e] of judgeView.entries.entries()) {
      const n = i + 1;
      const at = catalogue.indexOf(`${n}. ${e.title.slice(0, 8)}`);
      expect(at, `entry ${n} in the catalogue`).to.be.at.least(0);
      const next = catalogue.indexOf(`${n + 1}. `, at);
      const block = catalogue.slice(at, next < 0 ? undefined : next).replace(/\s+/g, " ");
      expect(block).to.contain(`SHA-256 ${e.sha256}`);
      expect(block).to.contain(`批次 batch ${e.anchoring.batchId}`);
      expect(block).to.contain(`交易 tx ${e.anchoring.txHash}`);
      expect(block).to.contain(`区块 block ${e.anchoring.blockNumber}`);
      const start = Number(/起始页 Starts on page (\d+)/.exec(block)![1]);
      const sheet = pageText(f, start);
      expect(sheet, `page ${start} is entry ${n}'s sheet`).to.contain(`第 ${n} 项 Item ${n}`);
      expect(sheet).to.contain(e.sha256);
      expect(sheet).to.contain(e.evidenceId);
    }
    // The plaintiff's PDF follows its sheet: its own pages are in the file.
    const nA = judgeView.entries.findIndex((e: any) => e.title === items.A.title) + 1;
    const startA = Number(/起始页 Starts on page (\d+)/.exec(catalogue.slice(catalogue.indexOf(`${nA}. `)).replace(/\s+/g, " "))![1]);
    expect(pageText(f, startA + 1)).to.contain("Service Agreement between Party A and Party B");
    expect(pageText(f, startA + 2)).to.contain("Signature page");
    expect(all).to.contain("合同与本案争议无关"); // the opinion on the sheet
    expect(all).to.match(/已签收 opened/); // the receipt
  });

  it("every listed digest recomputed from the stored files and from the attachments", async () => {
    const out = path.join(tmp.dir, "attachments-v1");
    fs.mkdirSync(out);
    const r = run("pdfdetach", ["-saveall", "-o", out, path.join(tmp.dir, "v1.pdf")]);
    expect(r.status, r.output).to.equal(0);
    const attached = new Map(fs.readdirSync(out).map((n) => [n, sha(fs.readFileSync(path.join(out, n)))]));
    for (const [i, e] of judgeView.entries.entries()) {
      const stored = fs.readFileSync(storedFile(e.sha256));
      expect(sha(stored), `entry ${i + 1} stored file`).to.equal(e.sha256);
      const name = [...attached.keys()].find((n) => n.startsWith(String(i + 1).padStart(3, "0") + "-"));
      expect(name, `entry ${i + 1} attached`).to.be.a("string");
      expect(attached.get(name!), `entry ${i + 1} attachment digest`).to.equal(e.sha256);
    }
    // the catalogue record the QR code names is attached, and hashes to the digest on the cover
    expect(attached.get("catalogue-v1.json")).to.equal(v1.catalogueSha256);
    const record = JSON.parse(fs.readFileSync(path.join(out, "catalogue-v1.json"), "utf8"));
    expect(record.entries.map((e: any) => e.sha256)).to.deep.equal(judgeView.entries.map((e: any) => e.sha256));
    // the original signed bytes of the plaintiff's PDF are the attachment
    const n = judgeView.entries.findIndex((e: any) => e.title === items.A.title) + 1;
    expect(attached.get(`${String(n).padStart(3, "0")}-合同.pdf`)).to.equal(sha(complaintPdf));
  });

  it("the cover's QR code, as poppler renders it, names the anchored catalogue record on the verification page", async () => {
    const prefix = path.join(tmp.dir, "qr");
    const dpi = 200;
    const r = run("pdftoppm", ["-gray", "-r", String(dpi), "-f", "1", "-l", "1", "-singlefile", path.join(tmp.dir, "v1.pdf"), prefix]);
    expect(r.status, r.output).to.equal(0);
    const pgm = fs.readFileSync(`${prefix}.pgm`);
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString("latin1", 0, 40))!;
    const [width, offset] = [Number(header[1]), header[0].length];
    const expected = QRCode.create(`${tp.config.PUBLIC_URL}/?sha256=${v1.catalogueSha256}`, { errorCorrectionLevel: "M" }).modules;
    const q = COVER_QR;
    const module = q.size / (expected.size + 2 * q.quiet);
    const px = (pt: number) => Math.round((pt * dpi) / 72);
    let wrong = 0;
    for (let row = 0; row < expected.size; row++) {
      for (let col = 0; col < expected.size; col++) {
        const x = px(q.x + (q.quiet + col + 0.5) * module);
        const y = px(A4[1] - (q.yTop - (q.quiet + row + 0.5) * module));
        if (pgm[offset + y * width + x] < 128 !== !!expected.get(row, col)) wrong++;
      }
    }
    expect(wrong, `${wrong} of ${expected.size ** 2} modules differ`).to.equal(0);
    // the digest it names is anchored: the public verification says so
    const found = await waitFor("catalogue anchored", async () => {
      const v = await json(await tp.api("POST", "/api/verify", { json: { sha256: v1.catalogueSha256 } }), 200);
      return v.anchored ? v : null;
    });
    expect(found.matches.map((m: any) => m.evidenceId)).to.deep.equal([v1.catalogueEvidenceId]);
  });

  it("a tampered copy fails pdfsig and /api/verify/pdf; the genuine one passes once anchored", async () => {
    const report = await waitFor("export anchored", async () => {
      const rep = await json(await tp.api("POST", "/api/verify/pdf", { body: form({}, v1Pdf, "v1.pdf") }), 200);
      return rep.anchoring.anchored ? rep : null;
    });
    expect(report.allValid).to.equal(true);
    expect(report.signatures[0]).to.include({ intact: true, valid: true });
    expect(report.signatures[0].chain.trusted).to.equal(true);
    const tampered = Buffer.from(v1Pdf);
    const at = tampered.indexOf("/Producer");
    tampered[at + 2] ^= 0x01;
    const { output, signatures } = await pdfsig(tmp.file("tampered.pdf", tampered), nssDb);
    expect(signatures, output).to.have.length(1);
    expect(signatures[0].validation, output).not.to.equal(VALID);
    const bad = await json(await tp.api("POST", "/api/verify/pdf", { body: form({}, tampered, "tampered.pdf") }), 200);
    expect(bad.allValid).to.equal(false);
    expect(bad.anchoring.anchored).to.equal(false);
    expect(bad.signatures[0].intact).to.equal(false);
  });

  it("after a new event a second export is version 2; both are listed and both verify", async () => {
    await finalise(lawyerB, draftId);
    const extra = await textPdf(["开庭通知 Notice of hearing"]);
    await json(await tp.api("POST", `/api/cases/${c.id}/services`, { token: judge.token, body: form({ title: "开庭通知 Notice", party: partyA }, extra, "notice.pdf") }), 201);
    // the finalised draft is now the plaintiff's to see
    const viewA = await json(await file(lawyerA), 200);
    expect(viewA.entries.map((e: any) => e.title)).to.include(items.draft.title).and.include("开庭通知 Notice");
    const v2 = await json(await exportFile(judge), 201);
    expect(v2).to.include({ version: 2, entries: 12 });
    const list = await json(await tp.api("GET", `/api/cases/${c.id}/file/exports`, { token: judge.token }), 200);
    expect(list.exports.map((x: any) => [x.version, x.sha256])).to.deep.equal([[1, v1.sha256], [2, v2.sha256]]);
    const v2Pdf = await pdfOf(judge, 2);
    expect(sha(v2Pdf)).to.equal(v2.sha256);
    expect(v2.sha256).not.to.equal(v1.sha256);
    for (const [name, pdf] of [["v1b.pdf", await pdfOf(judge, 1)], ["v2.pdf", v2Pdf]] as const) {
      const { output, signatures } = await pdfsig(tmp.file(name, pdf), nssDb);
      expect(signatures[0].validation, `${name}: ${output}`).to.equal(VALID);
      expect(signatures[0].certificateValidation, `${name}: ${output}`).to.equal(TRUSTED);
      const rep = await waitFor(`${name} anchored`, async () => {
        const x = await json(await tp.api("POST", "/api/verify/pdf", { body: form({}, pdf, name) }), 200);
        return x.anchoring.anchored ? x : null;
      });
      expect(rep.allValid, name).to.equal(true);
    }
    expect(pageText(path.join(tmp.dir, "v2.pdf"), 1)).to.match(/导出版本 Export version：2/);
    expect(await db().auditEntry.count({ where: { action: "casefile.exported", subject: c.id } })).to.equal(2);
  });

  it("two exports at once: versions 3 and 4, one after the other", async () => {
    const [a, b] = await Promise.all([exportFile(judge), exportFile(judge)].map(async (r) => json(await r, 201)));
    expect([a.version, b.version].sort()).to.deep.equal([3, 4]);
    const list = await json(await tp.api("GET", `/api/cases/${c.id}/file/exports`, { token: judge.token }), 200);
    expect(list.exports.map((x: any) => x.version)).to.deep.equal([1, 2, 3, 4]);
  });

  it("a stored file changed on disk: the export is refused, nothing recorded", async () => {
    const target = storedFile(items.B.sha256);
    const original = fs.readFileSync(target);
    fs.chmodSync(target, 0o600);
    fs.writeFileSync(target, Buffer.concat([original, Buffer.from("x")]));
    try {
      expect(await errorOf(await exportFile(judge))).to.deep.equal({ status: 500, code: "stored_file_changed" });
      expect(await db().caseFileExport.count({ where: { caseId: c.id } })).to.equal(4);
    } finally {
      fs.writeFileSync(target, original);
    }
  });
});
