// The evidence certificate of an item submitted into a case: GET /api/cases/:id/evidence/:sid/certificate.
// Case evidence is restricted (GET /api/evidence/:id/certificate answers only its submitter), so the
// judge, and the opposing party once the item is finalised, get its certificate through the case.
import { expect } from "chai";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { pdfSignatureReport } from "../../server/pdf/report";
import { verifyPdfSignatures } from "../../server/pdf/verify";

type User = { id: string; email: string; token: string };

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

describe("case evidence certificate (API)", function () {
  this.timeout(60_000);
  let tp: TestPlatform;
  let judge: User, lawyerA: User, lawyerB: User, outsider: User;
  let caseId: string;

  before(async () => {
    tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "100" });
    [judge, lawyerA, lawyerB, outsider] = await Promise.all([tp.createUser("judge"), tp.createUser("lawyer"), tp.createUser("lawyer"), tp.createUser("judge")]);
    const c = await json(
      await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: {
          number: `(2026)闽0102民初${process.pid}号`,
          court: "福州市鼓楼区人民法院",
          causeOfAction: "买卖合同纠纷",
          parties: [
            { name: "甲公司", kind: "plaintiff", members: [lawyerA.id] },
            { name: "乙公司", kind: "defendant", members: [lawyerB.id] },
          ],
        },
      }),
      201,
    );
    caseId = c.id;
  });
  after(async () => tp?.stop());

  const submit = async (content: string) => {
    const form = new FormData();
    form.append("title", "聊天记录 chat log");
    form.append("purpose", "证明交货时间");
    form.append("file", new Blob([content]), "chat.txt");
    return json(await tp.api("POST", `/api/cases/${caseId}/submissions`, { token: lawyerA.token, body: form }), 201);
  };
  const certificate = (u: User, sid: string) => tp.api("GET", `/api/cases/${caseId}/evidence/${sid}/certificate`, { token: u.token });

  it("the judge downloads a sealed certificate of an anchored draft; the submitter too; the other side once finalised", async () => {
    const sub = await submit("2026-03-01 10:00 甲：货已发出");
    // Not found through /api/evidence for anyone but its submitter.
    expect((await tp.api("GET", `/api/evidence/${sub.evidenceId}/certificate`, { token: judge.token })).status).to.equal(404);
    const first = await certificate(judge, sub.id);
    expect([200, 409]).to.include(first.status);
    if (first.status === 409) expect((await first.json()).error.code).to.equal("not_anchored");
    else await first.arrayBuffer();
    await tp.waitAnchored(lawyerA.token, sub.evidenceId);

    const res = await certificate(judge, sub.id);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    expect(res.headers.get("content-disposition")).to.contain(`evidence-certificate-${sub.id}.pdf`);
    const pdf = Buffer.from(await res.arrayBuffer());
    const reports = verifyPdfSignatures(pdf, [tp.platform.identity.rootPem()]);
    expect(reports).to.have.length(1);
    // PAdES B-LTA: the seal is followed by its DSS, a document timestamp and the timestamp's DSS,
    // all allowed changes, so the verdict is valid while the seal does not cover the whole file.
    expect(reports[0]).to.include({ integrityOk: true, chainOk: true, coversWholeDocument: false });
    const verdict = pdfSignatureReport(pdf, [tp.platform.identity.rootPem()], { crls: [] });
    expect(verdict.allValid, JSON.stringify(verdict.findings)).to.equal(true);
    expect(verdict.documentTimestamps.map((t) => t.valid)).to.deep.equal([true]);

    expect((await certificate(lawyerA, sub.id)).status).to.equal(200);
    // A draft does not exist for the other side, nor the case for an outsider.
    expect((await certificate(lawyerB, sub.id)).status).to.equal(404);
    expect((await certificate(outsider, sub.id)).status).to.equal(404);
    await json(await tp.api("POST", `/api/cases/${caseId}/submissions/${sub.id}/finalise`, { token: lawyerA.token }), 200);
    expect((await certificate(lawyerB, sub.id)).status).to.equal(200);
    expect((await certificate(outsider, sub.id)).status).to.equal(404);
    expect((await tp.api("GET", `/api/cases/${caseId}/evidence/${sub.id}/certificate`)).status).to.equal(401);
  });
});
