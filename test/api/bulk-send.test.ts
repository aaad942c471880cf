// Bulk send through the API: one template (the NDA), a CSV of 200 recipients with their field
// values, one contract drafted and sent per row. Three bad rows are refused with their row, line,
// column and reason code, the 197 others become contracts in progress whose signers are mailed.
// The file's own problems (an unknown column, too many rows, too many bytes, not UTF-8) refuse it
// whole and create nothing; the same file with the same idempotency key sends nothing twice; the
// report is its sender's alone, and only the roles that send contracts may send in bulk.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { waitForMail } from "../helpers/outbox-mail";

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

const HEADER = "title,partyA.name,partyB.name,partyB.creditCode,purpose,effectiveDate,term,clauses,signer1.email,signer1.name,signer1.role";
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** 200 rows; row 1's clauses cell spans two lines, so from row 2 on a row starts on line row + 2. */
function recipients(run: string, bad: (row: number, cells: Record<string, string>) => void = () => undefined): string {
  const lines = [HEADER];
  for (let row = 1; row <= 200; row++) {
    const cells: Record<string, string> = {
      title: row % 2 ? `保密协议 NDA ${run} #${row}` : "",
      "partyA.name": "甲科技有限公司",
      "partyB.name": `乙方${row}号贸易有限公司`,
      "partyB.creditCode": "",
      purpose: "评估合作项目 evaluating a joint project",
      effectiveDate: "2026-12-01",
      term: "三年 three years",
      clauses: row === 1 ? "第一条，双方另行约定。\n第二条 \"引号\" quoted" : "",
      "signer1.email": `recipient-${run}-${row}@example.com`,
      "signer1.name": `收件人${row}`,
      "signer1.role": "乙方",
    };
    bad(row, cells);
    lines.push(HEADER.split(",").map((h) => quote(cells[h])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function form(csv: string | Buffer, options: object): FormData {
  const f = new FormData();
  f.append("bulk", JSON.stringify(options));
  f.append("file", new Blob([typeof csv === "string" ? csv : new Uint8Array(csv)], { type: "text/csv" }), "recipients.csv");
  return f;
}

describe("bulk send: a template and a CSV, one contract per row, with a report", function () {
  this.timeout(900_000);
  let tp: TestPlatform;
  let sender: { id: string; email: string; token: string };
  let other: { id: string; email: string; token: string };

  const post = (token: string, csv: string | Buffer, options: object, headers: Record<string, string> = {}) =>
    tp.api("POST", "/api/contracts/bulk", { token, body: form(csv, options), headers });
  const finished = async (id: string, token = sender.token) => {
    for (;;) {
      const r = await json(await tp.api("GET", `/api/contracts/bulk/${id}`, { token }), 200);
      if (r.status === "finished") return r;
      await new Promise((res) => setTimeout(res, 500));
    }
  };
  const myContracts = async () => (await json(await tp.api("GET", "/api/contracts", { token: sender.token }), 200)).items as any[];

  before(async () => {
    tp = await startTestPlatform({ BULK_SEND_MAX_ROWS: "250", BULK_SEND_MAX_BYTES: "65536" });
    sender = await tp.createUser("member");
    other = await tp.createUser("member");
  });
  after(async () => tp?.stop());

  it("200 rows with 3 bad ones: 197 contracts sent, 3 refusals naming row, line, column and reason", async () => {
    const csv = recipients("a", (row, c) => {
      if (row === 17) c.effectiveDate = "2026-13-45";
      if (row === 88) c["signer1.email"] = "not-an-address";
      if (row === 150) c["partyB.name"] = "";
    });
    const started = await json(await post(sender.token, csv, { template: "nda", send: { expiresInDays: 10, reminderIntervalHours: 48 }, idempotencyKey: "bulk-run-a-0001" }), 202);
    expect(started).to.include({ templateId: "nda", rows: 200, resumed: false });
    const report = await finished(started.id);
    expect(report.counts).to.deep.equal({ created: 197, refused: 3, pending: 0 });
    expect(report.refused.map((r: any) => ({ row: r.row, line: r.line, column: r.column, code: r.code }))).to.deep.equal([
      { row: 17, line: 19, column: "effectiveDate", code: "invalid_value" },
      { row: 88, line: 90, column: "signer1.email", code: "invalid_value" },
      { row: 150, line: 152, column: "partyB.name", code: "required" },
    ]);
    for (const r of report.refused) expect(r.message).to.be.a("string").and.not.empty;
    expect(report.created.map((c: any) => c.row)).to.not.include.members([17, 88, 150]);
    expect(report.created[0]).to.include({ row: 1, line: 2, title: "保密协议 NDA a #1", status: "in_progress" });
    // without a title cell, the template's title
    expect(report.created[1]).to.include({ row: 2, line: 4, title: "保密协议 Non-Disclosure Agreement" });
    expect(report.created.every((c: any) => c.status === "in_progress")).to.equal(true);

    const mine = await myContracts();
    expect(mine.filter((c) => c.status === "in_progress")).to.have.length(197);
    // each contract is its row's: the field values, the signer named in it, the sender's options
    const first = await json(await tp.api("GET", `/api/contracts/${report.created[0].contractId}`, { token: sender.token }), 200);
    expect(first.fieldValues.partyB).to.deep.equal({ name: "乙方1号贸易有限公司" });
    expect(first.fieldValues.clauses).to.deep.equal(["第一条，双方另行约定。", '第二条 "引号" quoted']);
    expect(first.signers).to.have.length(1);
    expect(first.signers[0]).to.include({ name: "收件人1", role: "乙方", step: 1 });
    expect(new Date(first.expiresAt).getTime() - new Date(first.sentAt).getTime()).to.equal(10 * 86_400_000);
    const row200 = report.created.find((c: any) => c.row === 200);
    const last = await json(await tp.api("GET", `/api/contracts/${row200.contractId}`, { token: sender.token }), 200);
    expect(last.fieldValues.partyB.name).to.equal("乙方200号贸易有限公司");
    // the row's signer, who had no account, is invited to sign
    const [invite] = await waitForMail(tp.dataDir, "recipient-a-200@example.com", /Please sign/, { timeoutMs: 120_000 });
    expect(invite.text).to.contain("保密协议");
    // nobody is mailed for a refused row
    const { outboxMail } = await import("../helpers/outbox-mail");
    expect((await outboxMail(tp.dataDir)).filter((m) => m.to.includes("recipient-a-17@example.com"))).to.have.length(0);

    // The same file with the same key: the finished run's report, nothing sent twice.
    const again = await json(await post(sender.token, csv, { template: "nda", send: { expiresInDays: 10, reminderIntervalHours: 48 } }, { "Idempotency-Key": "bulk-run-a-0001" }), 200);
    expect(again).to.include({ id: started.id, resumed: true, status: "finished" });
    expect(again.counts).to.deep.equal(report.counts);
    // The same key with another file is refused.
    expect((await json(await post(sender.token, recipients("b"), { template: "nda", idempotencyKey: "bulk-run-a-0001" }), 409)).error.code).to.equal("idempotency_key_reused");
    expect((await myContracts()).filter((c) => c.status === "in_progress")).to.have.length(197);

    // The run is in the audit log, by its sender.
    const audited = (await json(await tp.api("GET", `/api/audit?action=contract.bulk_send&subject=${started.id}`, { token: tp.adminToken }), 200)).entries;
    expect(audited).to.have.length(1);
    expect(audited[0]).to.deep.include({ actorId: sender.id });
    expect(audited[0].details).to.deep.include({ templateId: "nda", rows: 200 });
    // The report is the sender's alone; the list is one's own.
    expect((await json(await tp.api("GET", `/api/contracts/bulk/${started.id}`, { token: other.token }), 404)).error.code).to.equal("not_found");
    expect((await json(await tp.api("GET", "/api/contracts/bulk", { token: other.token }), 200)).items).to.have.length(0);
    const listed = (await json(await tp.api("GET", "/api/contracts/bulk", { token: sender.token }), 200)).items;
    expect(listed[0]).to.include({ id: started.id, status: "finished", rows: 200, done: 200 });
  });

  it("two requests at once with one key make one run", async () => {
    const csv = recipients("c").split("\r\n").slice(0, 6).join("\r\n");
    const opts = { template: "nda", idempotencyKey: "bulk-run-c-0001" };
    const [a, b] = await Promise.all([post(sender.token, csv, opts), post(sender.token, csv, opts)]);
    const ra = await a.json();
    const rb = await b.json();
    expect(ra.id, JSON.stringify(ra)).to.be.a("string");
    expect(rb.id).to.equal(ra.id);
    const report = await finished(ra.id);
    expect(report.counts).to.deep.equal({ created: 5, refused: 0, pending: 0 });
    expect((await myContracts()).filter((c) => /NDA c #/.test(c.title))).to.have.length(3);
  });

  it("a run stopped midway (the database failing between a row's draft and its sending) is resumed by the same key: each row once, every draft sent", async () => {
    const csv = recipients("r").split("\r\n").slice(0, 7).join("\r\n"); // rows 1..6
    const deps = (tp.platform.contracts.bulk as any).d;
    const send = deps.send;
    let sends = 0;
    // the second row's sending fails as an unreachable database would: the run stops there
    deps.send = async (...args: unknown[]) => {
      if (++sends === 2) throw new Error("connection terminated unexpectedly");
      return send(...args);
    };
    const opts = { template: "nda", idempotencyKey: "bulk-run-r-0001" };
    let stopped: any;
    try {
      const started = await json(await post(sender.token, csv, opts), 202);
      // the run has given up once this process no longer holds it
      while ((tp.platform.contracts.bulk as any).running.size > 0) await new Promise((res) => setTimeout(res, 200));
      stopped = await json(await tp.api("GET", `/api/contracts/bulk/${started.id}`, { token: sender.token }), 200);
    } finally {
      deps.send = send;
    }
    expect(stopped).to.include({ status: "running" });
    expect(stopped.counts).to.deep.equal({ created: 2, refused: 0, pending: 4 });
    expect(stopped.created.map((c: any) => c.status)).to.deep.equal(["in_progress", "draft"]);

    const resumed = await json(await post(sender.token, csv, opts), 202);
    expect(resumed).to.include({ id: stopped.id, resumed: true });
    const report = await finished(stopped.id);
    expect(report.counts).to.deep.equal({ created: 6, refused: 0, pending: 0 });
    expect(report.created.map((c: any) => c.status)).to.deep.equal(Array(6).fill("in_progress"));
    // no row made twice: the contracts of this run are exactly the report's
    const ids = new Set(report.created.map((c: any) => c.contractId));
    expect(ids.size).to.equal(6);
    const titled = (await myContracts()).filter((c) => /NDA r #/.test(c.title));
    expect(titled).to.have.length(3); // rows 1, 3, 5 carry a title
  });

  it("a file that cannot be read, or that breaks a cap, is refused whole and sends nothing", async () => {
    const before = (await myContracts()).length;
    const runsBefore = (await json(await tp.api("GET", "/api/contracts/bulk", { token: sender.token }), 200)).items.length;
    const refusedWith = async (csv: string | Buffer, status: number, code: string, options: object = { template: "nda" }) =>
      expect((await json(await post(sender.token, csv, options), status)).error.code).to.equal(code);
    await refusedWith(recipients("d").replace("partyB.creditCode", "partyB.phone"), 422, "unknown_column");
    await refusedWith(recipients("d").replace(",purpose,", ",purpose2,"), 422, "unknown_column");
    await refusedWith(recipients("d").replace(",term,", ",purpose,"), 422, "duplicate_column");
    await refusedWith("partyA.name,partyB.name,effectiveDate,term,signer1.email\r\n甲,乙,2026-12-01,一年,x@example.com\r\n", 422, "missing_column");
    await refusedWith(HEADER + "\r\n", 422, "csv_no_rows");
    await refusedWith(`${HEADER}\r\n"unclosed,quote\r\n`, 422, "csv_unreadable");
    // the same table saved in GBK, as a spreadsheet might
    await refusedWith(Buffer.from([0xd2, 0xd2, 0xb7, 0xbd, 0x2c, 0x41, 0x0d, 0x0a]), 422, "csv_not_utf8");
    const long = [HEADER, ...recipients("e").split("\r\n").slice(1, 201), ...recipients("f").split("\r\n").slice(1, 52)].join("\r\n");
    await refusedWith(long.split("\r\n").slice(0, 252).join("\r\n"), 413, "too_many_rows");
    await refusedWith(recipients("g") + "x".repeat(70_000), 413, "file_too_large");
    await refusedWith(recipients("h"), 400, "unknown_template", { template: "no-such-template" });
    await refusedWith(recipients("h"), 400, "invalid_input", { template: "nda", idempotencyKey: "short" });
    expect((await myContracts()).length).to.equal(before);
    expect((await json(await tp.api("GET", "/api/contracts/bulk", { token: sender.token }), 200)).items).to.have.length(runsBefore);
  });

  it("only the roles that send contracts send in bulk; without a login nothing is answered", async () => {
    const judge = await tp.createUser("judge");
    const csv = recipients("j").split("\r\n").slice(0, 3).join("\r\n");
    expect((await json(await post(judge.token, csv, { template: "nda" }), 403)).error.code).to.equal("forbidden");
    expect((await json(await post(tp.adminToken, csv, { template: "nda" }), 403)).error.code).to.equal("forbidden");
    expect((await tp.api("POST", "/api/contracts/bulk", { body: form(csv, { template: "nda" }) })).status).to.equal(401);
    expect((await tp.api("GET", "/api/contracts/bulk")).status).to.equal(401);
    expect((await json(await tp.api("POST", "/api/contracts/bulk", { token: sender.token, json: { template: "nda" } }), 415)).error.code).to.equal("unsupported_media_type");
  });
});
