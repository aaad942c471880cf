// A case file holding signed PDFs, exported through the API: the complaint the lawyer signed when
// filing (PAdES, the platform's certificate for the lawyer, a visible stamp) and a contract signed by
// two people submitted as evidence. Their pages are copied into the export with the stamps drawn and
// the signatures left out, so pdfsig sees one signature in the export, the case file's own seal
// (valid, trusted by the platform root); qpdf --check passes; each copied page still shows its stamp
// (pdftotext reads the stamp's lines, poppler renders its red frame inside the stamp's box and
// nowhere else on the page); the attached originals are the signed bytes, whose signatures pdfsig
// still finds valid. Without the flattening pdfsig lists the copied signatures as broken ones.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { signPdf } from "../../server/pdf/pades";
import { readPpm } from "../helpers/png";

const VALID = "Signature is Valid.";
const TRUSTED = "Certificate is Trusted.";
const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");
type User = { id: string; email: string; token: string };
/** Where the filing service draws the filer's stamp on the complaint's first page (x, y, w, h). */
const COMPLAINT_STAMP = { x: 40, y: 40, w: 220, h: 54 };
const CONTRACT_STAMPS = [
  { x: 60, y: 120, w: 200, h: 56 },
  { x: 320, y: 120, w: 200, h: 56 },
];

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

/** A one-page PDF in black only (so any red on its rendered page is a stamp's), with a marker to find its page. */
async function blackPdf(marker: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595.28, 841.89]);
  page.drawText(marker, { x: 60, y: 780, size: 18, font, color: rgb(0, 0, 0) });
  page.drawText("The parties sign below.", { x: 60, y: 740, size: 11, font, color: rgb(0, 0, 0) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

describe("a case file holding signed PDFs, exported (pdfsig sees only the seal)", function () {
  this.timeout(240_000);
  let tp: TestPlatform;
  let tmp: ReturnType<typeof tempDir>;
  let nssDb: string;
  let lawyer: User, colleague: User, clerk: User, judge: User;
  let caseId: string;
  let complaintMarker: string, contractMarker: string;
  let signedContract: Buffer;
  let exported: string;
  let entries: any[];

  const post = (by: User, p: string, body: unknown = {}) => tp.api("POST", p, { token: by.token, json: body });
  const names = async (u: User) => (await json(await tp.api("GET", "/api/auth/me", { token: u.token }), 200)).name as string;
  const pages = (file: string) => Number(/Pages:\s+(\d+)/.exec(run("pdfinfo", [file]).stdout)![1]);
  const pageText = (file: string, page: number) => run("pdftotext", ["-enc", "UTF-8", "-f", String(page), "-l", String(page), file, "-"]).stdout;
  const pageWith = (file: string, marker: string) => {
    const found: number[] = [];
    for (let p = 1; p <= pages(file); p++) if (pageText(file, p).includes(marker)) found.push(p);
    expect(found, `pages showing "${marker}"`).to.have.length(1);
    return found[0];
  };
  /** Red pixels of a page rendered at 72 dpi (a pixel a point), counted inside the boxes and outside them. */
  const redPixels = (file: string, page: number, boxes: { x: number; y: number; w: number; h: number }[]) => {
    const prefix = path.join(tmp.dir, `page-${page}`);
    const r = run("pdftoppm", ["-r", "72", "-f", String(page), "-l", String(page), "-singlefile", file, prefix]);
    expect(r.status, r.output).to.equal(0);
    const img = readPpm(fs.readFileSync(`${prefix}.ppm`));
    const inside = boxes.map(() => 0);
    let outside = 0;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const [red, g, b] = img.at(x, y);
        if (!(red > 150 && g < 110 && b < 110)) continue;
        const px = x + 0.5;
        const py = img.height - y - 0.5; // PDF y runs up
        const i = boxes.findIndex((bx) => px >= bx.x - 1 && px <= bx.x + bx.w + 1 && py >= bx.y - 1 && py <= bx.y + bx.h + 1);
        if (i >= 0) inside[i]++;
        else outside++;
      }
    }
    return { inside, outside };
  };

  before(async () => {
    const missing = ["pdfsig", "qpdf", "pdftotext", "pdftoppm", "pdfinfo", "pdfdetach", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform();
    tmp = tempDir("casefile-signed-");
    nssDb = nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem());
    const org = async (name: string, kind: string) => (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } }), 201)).id as string;
    const court = await org("福州市鼓楼区人民法院", "court");
    const firm = await org("某某律师事务所", "law_firm");
    [lawyer, colleague, clerk, judge] = await Promise.all([
      tp.createUser("lawyer", { organizationId: firm }),
      tp.createUser("lawyer", { organizationId: firm }),
      tp.createUser("clerk", { organizationId: court }),
      tp.createUser("judge", { organizationId: court }),
    ]);

    // The filing: the complaint is signed with the lawyer's certificate when submitted.
    complaintMarker = `Complaint ${randomBytes(4).toString("hex")}`;
    const filing = await json(
      await post(lawyer, "/api/filings", {
        courtId: court,
        title: "甲科技有限公司诉乙贸易有限公司买卖合同纠纷",
        parties: [
          { kind: "plaintiff", name: "甲科技有限公司", address: "福州市鼓楼区" },
          { kind: "defendant", name: "乙贸易有限公司", address: "厦门市思明区" },
        ],
        claims: ["判令被告支付货款人民币120000元"],
        facts: "原被告签订买卖合同，被告未付款。",
        amount: "120000.00",
        causeOfAction: "买卖合同纠纷",
        citations: [],
        filerPartyIndex: 0,
      }),
      201,
    );
    const form = new FormData();
    form.append("kind", "complaint");
    form.append("title", "民事起诉状");
    form.append("file", new Blob([new Uint8Array(await blackPdf(complaintMarker))]), "complaint.pdf");
    await json(await tp.api("POST", `/api/filings/${filing.id}/attachments`, { token: lawyer.token, body: form }), 201);
    await json(await post(lawyer, `/api/filings/${filing.id}/submit`), 200);
    const accepted = await json(await post(clerk, `/api/filings/${filing.id}/accept`, { causeOfAction: "买卖合同纠纷", judgeId: judge.id, number: `(2026)闽0102民初${process.pid % 10000}号` }), 200);
    caseId = accepted.caseId;

    // A contract signed by the lawyer and a colleague with the platform's certificates, submitted as evidence.
    contractMarker = `Supply contract ${randomBytes(4).toString("hex")}`;
    const identity = tp.platform.identity;
    const timestamp = (sig: Buffer) => identity.timestamp(createHash("sha256").update(sig).digest());
    signedContract = await blackPdf(contractMarker);
    for (const [i, u] of [lawyer, colleague].entries()) {
      const signer = await identity.signerForUser(u.id);
      expect(signer, `a certificate for signer ${i + 1}`).to.not.equal(null);
      const s = CONTRACT_STAMPS[i];
      signedContract = await signPdf(signedContract, signer!, {
        fieldName: `party-${i + 1}`,
        stamp: { page: 0, rect: [s.x, s.y, s.w, s.h], lines: [`${await names(u)} ${i === 0 ? "甲方签章" : "乙方签章"}`] },
        timestamp,
      });
    }
    const sub = new FormData();
    sub.append("title", "已签署的供货合同 Signed supply contract");
    sub.append("purpose", "证明双方约定");
    sub.append("file", new Blob([new Uint8Array(signedContract)]), "signed-contract.pdf");
    const submission = await json(await tp.api("POST", `/api/cases/${caseId}/submissions`, { token: lawyer.token, body: sub }), 201);
    await json(await tp.api("POST", `/api/cases/${caseId}/submissions/${submission.id}/finalise`, { token: lawyer.token }), 200);

    await json(await tp.api("POST", `/api/cases/${caseId}/file/exports`, { token: judge.token }), 201);
    const res = await tp.api("GET", `/api/cases/${caseId}/file/exports/1`, { token: judge.token });
    expect(res.status).to.equal(200);
    exported = path.join(tmp.dir, "casefile-v1.pdf");
    fs.writeFileSync(exported, Buffer.from(await res.arrayBuffer()));
    entries = (await json(await tp.api("GET", `/api/cases/${caseId}/file`, { token: judge.token }), 200)).entries;
  });
  after(async () => {
    await tp?.stop();
    tmp?.rm();
  });

  it("pdfsig lists exactly one signature, the case file's seal: valid, trusted, covering the whole file; qpdf --check passes", async () => {
    const { output, signatures } = await pdfsig(exported, nssDb);
    expect(signatures, output).to.have.length(1);
    expect(signatures[0].fieldName, output).to.equal("platform-seal");
    expect(signatures[0].validation, output).to.equal(VALID);
    expect(signatures[0].certificateValidation, output).to.equal(TRUSTED);
    expect(signatures[0].totalDocumentSigned, output).to.equal(true);
    const q = run("qpdf", ["--check", exported]);
    expect(q.status, q.output).to.equal(0);
    expect(q.output).to.contain("No syntax or stream encoding errors found");
  });

  it("the copied complaint page still shows the filer's stamp: its lines as text, its red frame inside its box only", async () => {
    const page = pageWith(exported, complaintMarker);
    const text = pageText(exported, page);
    expect(text).to.contain(await names(lawyer));
    expect(text).to.contain("某某律师事务所");
    expect(text).to.match(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const { inside, outside } = redPixels(exported, page, [COMPLAINT_STAMP]);
    expect(outside, "red pixels outside the stamp").to.equal(0);
    expect(inside[0], "red pixels of the stamp's frame").to.be.greaterThan(300);
  });

  it("the copied contract page shows both signers' stamps", async () => {
    const page = pageWith(exported, contractMarker);
    const text = pageText(exported, page);
    expect(text).to.contain(`${await names(lawyer)} 甲方签章`);
    expect(text).to.contain(`${await names(colleague)} 乙方签章`);
    const { inside, outside } = redPixels(exported, page, CONTRACT_STAMPS);
    expect(outside, "red pixels outside the stamps").to.equal(0);
    for (const [i, n] of inside.entries()) expect(n, `red pixels of stamp ${i + 1}`).to.be.greaterThan(300);
  });

  it("the attached originals are the signed bytes, and their own signatures still verify", async () => {
    const out = path.join(tmp.dir, "attachments");
    fs.mkdirSync(out);
    const r = run("pdfdetach", ["-saveall", "-o", out, exported]);
    expect(r.status, r.output).to.equal(0);
    const attached = new Map(fs.readdirSync(out).map((n) => [sha(fs.readFileSync(path.join(out, n))), path.join(out, n)]));
    const complaint = entries.find((e) => e.kind !== "evidence" && /起诉状/.test(e.title));
    expect(complaint, entries.map((e) => `${e.kind}: ${e.title}`).join("\n")).to.be.an("object");
    const contract = entries.find((e) => e.kind === "evidence");
    expect(contract.sha256).to.equal(sha(signedContract));
    for (const [e, count] of [[complaint, 1], [contract, 2]] as const) {
      const file = attached.get(e.sha256);
      expect(file, `${e.title} attached`).to.be.a("string");
      const { output, signatures } = await pdfsig(file!, nssDb);
      expect(signatures, output).to.have.length(count);
      for (const s of signatures) {
        expect(s.validation, output).to.equal(VALID);
        expect(s.certificateValidation, output).to.equal(TRUSTED);
      }
    }
  });
});
