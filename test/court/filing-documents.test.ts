// The files of a filing opened through the filing (GET /api/filings/:id/documents/:evidenceId): the
// court's clerk, who is no party to any case yet, reads the complaint and the cited evidence while
// reviewing; an item the filing does not list is 404 as if absent; outsiders and, before
// submission, the court get 404.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

type User = { id: string; email: string; token: string };
const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");

describe("a filing's documents, opened through the filing", function () {
  this.timeout(60_000);
  let tp: TestPlatform;
  let lawyer: User, clerk: User, otherClerk: User, outsider: User;
  let filingId: string, draftId: string;
  let complaint: Buffer, citedBytes: Buffer;
  let complaintId: string, citedId: string, unlistedId: string;

  const open = (u: User, id: string, evidenceId: string) => tp.api("GET", `/api/filings/${id}/documents/${evidenceId}`, { token: u.token });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  before(async () => {
    tp = await startTestPlatform();
    const org = async (name: string, kind: string) => (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } })).json()).id as string;
    const court = await org("福州市鼓楼区人民法院", "court");
    const court2 = await org("厦门市思明区人民法院", "court");
    const firm = await org("某某律师事务所", "law_firm");
    [lawyer, clerk, otherClerk, outsider] = await Promise.all([
      tp.createUser("lawyer", { organizationId: firm }),
      tp.createUser("clerk", { organizationId: court }),
      tp.createUser("clerk", { organizationId: court2 }),
      tp.createUser("lawyer"),
    ]);
    citedBytes = Buffer.from(`合同原件 ${randomBytes(8).toString("hex")}`);
    citedId = (await (await tp.upload(lawyer.token, citedBytes, { title: "买卖合同" })).json()).id;
    await tp.waitAnchored(lawyer.token, citedId);
    unlistedId = (await (await tp.upload(lawyer.token, `另一份 ${randomBytes(8).toString("hex")}`, { title: "未引用" })).json()).id;
    const body = (citations: unknown[]) => ({
      courtId: court,
      title: "甲诉乙",
      parties: [{ kind: "plaintiff", name: "甲" }, { kind: "defendant", name: "乙" }],
      claims: ["支付货款"],
      facts: "事实",
      citations,
      filerPartyIndex: 0,
    });
    filingId = (await (await tp.api("POST", "/api/filings", { token: lawyer.token, json: body([{ evidenceId: citedId, purpose: "证明合同" }]) })).json()).id;
    draftId = (await (await tp.api("POST", "/api/filings", { token: lawyer.token, json: body([]) })).json()).id;
    const doc = await PDFDocument.create();
    doc.addPage().drawText("Complaint", { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
    complaint = Buffer.from(await doc.save());
    const f = new FormData();
    f.append("kind", "complaint");
    f.append("title", "起诉状");
    f.append("file", new Blob([new Uint8Array(complaint)]), "c.pdf");
    const att = await tp.api("POST", `/api/filings/${filingId}/attachments`, { token: lawyer.token, body: f });
    expect(att.status).to.equal(201);
    const detail = await (await tp.api("GET", `/api/filings/${filingId}`, { token: lawyer.token })).json();
    complaintId = detail.attachments[0].evidenceId;
    const s = await tp.api("POST", `/api/filings/${filingId}/submit`, { token: lawyer.token });
    expect(s.status, await s.text()).to.equal(200);
  });
  after(async () => {
    await tp?.stop();
  });

  it("the court's clerk opens the complaint and the cited item, bytes as anchored", async () => {
    for (const [id, bytes] of [[complaintId, complaint], [citedId, citedBytes]] as const) {
      const res = await open(clerk, filingId, id);
      expect(res.status).to.equal(200);
      const got = Buffer.from(await res.arrayBuffer());
      expect(sha(got)).to.equal(sha(bytes));
      expect(res.headers.get("x-content-sha256")).to.equal(sha(bytes));
    }
  });

  it("the filer opens them too; the signed complaint of a version is listed as well", async () => {
    expect((await open(lawyer, filingId, citedId)).status).to.equal(200);
    const detail = await (await tp.api("GET", `/api/filings/${filingId}`, { token: clerk.token })).json();
    const signed = detail.versions[0].complaint.evidenceId;
    const res = await open(clerk, filingId, signed);
    expect(res.status).to.equal(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).to.equal("%PDF-");
  });

  it("an item the filing does not list is 404 even for its own submitter", async () => {
    for (const u of [clerk, lawyer]) {
      const res = await open(u, filingId, unlistedId);
      expect(res.status).to.equal(404);
      expect((await code(res)).message).to.equal("attachment not found");
    }
  });

  it("another court's clerk, an outsider, and the court before submission get 404", async () => {
    for (const u of [otherClerk, outsider]) {
      const res = await open(u, filingId, citedId);
      expect(res.status).to.equal(404);
      expect((await code(res)).message).to.equal("filing not found");
    }
    expect((await open(clerk, draftId, citedId)).status).to.equal(404);
  });
});
