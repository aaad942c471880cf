// Court statistics against a data set this test writes with known answers: counts per month in China
// time (a case opened at 01:00 on 1 April in Beijing is April's, though it is still March in UTC),
// breakdowns, nearest-rank medians and 90th percentiles, the electronic service rate and coverage,
// receipts within 1/3/7 days, evidence anchored and disputed, contract figures; the access table;
// bad input; and the risk-warning rule on a series that must be flagged, one that must not, and a
// court with too little history. Runs on SQLite and on PostgreSQL.
import { expect } from "chai";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS } from "../helpers/browser";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { judgeSeries } from "../../server/statistics/warnings";
import { labelOf, labelsBetween, spanOf } from "../../server/statistics/periods";
import { poissonUpperTail } from "../../server/statistics/poisson";
import { toCsv } from "../../server/statistics/csv";

type User = { id: string; email: string; token: string };
const at = (iso: string) => new Date(iso);
const sha = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");
const DAY = 86400_000;

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

describe("court statistics", function () {
  this.timeout(120_000);

  describe("periods and the warning rule (pure)", () => {
    it("labels instants in China time and spans periods", () => {
      expect(labelOf(at("2025-03-31T17:00:00Z"), "month")).to.equal("2025-04");
      expect(labelOf(at("2025-03-31T15:59:59Z"), "month")).to.equal("2025-03");
      expect(labelOf(at("2025-12-31T16:00:00Z"), "year")).to.equal("2026");
      expect(labelOf(at("2025-06-30T16:00:00Z"), "quarter")).to.equal("2025-Q3");
      expect(spanOf("2025-Q2", "quarter").start.toISOString()).to.equal("2025-03-31T16:00:00.000Z");
      expect(labelsBetween("2024-11", "2025-02", "month")).to.deep.equal(["2024-11", "2024-12", "2025-01", "2025-02"]);
    });

    it("the Poisson tail matches hand-computed values", () => {
      // P(X >= 3 | 5) = 1 - e^-5 (1 + 5 + 12.5)
      expect(poissonUpperTail(3, 5)).to.be.closeTo(1 - Math.exp(-5) * 18.5, 1e-12);
      expect(poissonUpperTail(1, 2)).to.be.closeTo(1 - Math.exp(-2), 1e-12);
      expect(poissonUpperTail(0, 4)).to.equal(1);
    });

    it("CSV: RFC 4180 quoting, CRLF, a byte order mark, formulas defused", () => {
      expect(toCsv([["a", "b,c", 'say "hi"', null, 1.5, true], ["=1+1", "-2", "@x", "行\n二", -3, false]])).to.equal(
        '\uFEFFa,"b,c","say ""hi""",,1.5,true\r\n\'=1+1,\'-2,\'@x,"行\n二",-3,false\r\n',
      );
    });

    it("flags a rise beyond the history, not a flat history's extra case nor a small count", () => {
      const rule = { historyPeriods: 12, alpha: 0.01, minCount: 5 };
      expect(judgeSeries(Array(12).fill(2), 12, rule).flagged).to.equal(true);
      expect(judgeSeries(Array(12).fill(10), 13, rule).flagged).to.equal(false);
      // mean + 2 standard deviations would flag this one (the deviation is 0); the Poisson test does not
      expect(judgeSeries(Array(12).fill(3), 4, rule).flagged).to.equal(false);
      // new, but only 4 cases: under minCount
      expect(judgeSeries(Array(12).fill(0), 4, rule).flagged).to.equal(false);
    });
  });

  describe("through the API", () => {
    let tp: TestPlatform;
    let courtA: string, courtB: string, courtC: string, courtD: string, firm: string;
    let j1: User, j2: User, j3: User, clerkA: User, lawyer: User, loneJudge: User;
    const db = () => tp.platform.database.db;
    const get = (u: User | { token: string }, query: string) => tp.api("GET", `/api/statistics/${query}`, { token: u.token });
    let seq = 0;
    const number = () => `(2025)闽0102民初${process.pid % 1000}${++seq}号`;

    async function evidenceItem(u: User): Promise<string> {
      const r = await json(await tp.upload(u.token, `statistics item ${randomBytes(8).toString("hex")}`, { title: "item" }), 201);
      return r.id;
    }

    async function newCase(c: { courtId: string; court: string; cause: string; openedAt: string; closedAt?: string; judges: string[]; filingId?: string; parties: { kind: string; name: string; organizationId?: string }[] }) {
      const id = randomUUID();
      await db().courtCase.create({
        data: { id, number: number(), courtId: c.courtId, court: c.court, causeOfAction: c.cause, status: c.closedAt ? "closed" : "open", openedById: c.judges[0], openedAt: at(c.openedAt), closedAt: c.closedAt ? at(c.closedAt) : null, closedById: c.closedAt ? c.judges[0] : null, filingId: c.filingId ?? null },
      });
      // as an accepted filing is: each names the other
      if (c.filingId) await db().filing.update({ where: { id: c.filingId }, data: { caseId: id } });
      for (const userId of c.judges) await db().caseJudge.create({ data: { id: randomUUID(), caseId: id, userId, addedById: c.judges[0], addedAt: at(c.openedAt) } });
      const parties: string[] = [];
      for (const [position, p] of c.parties.entries()) {
        const pid = randomUUID();
        await db().caseParty.create({ data: { id: pid, caseId: id, position, name: p.name, kind: p.kind, organizationId: p.organizationId ?? null } });
        parties.push(pid);
      }
      return { id, parties };
    }

    async function filing(f: { courtId: string; status: string; firstSubmittedAt?: string; decidedAt?: string }) {
      const id = randomUUID();
      await db().filing.create({
        data: { id, courtId: f.courtId, filerId: lawyer.id, status: f.status, draft: "{}", version: f.firstSubmittedAt ? 1 : 0, createdAt: at("2025-01-01T00:00:00Z"), updatedAt: at("2025-01-01T00:00:00Z"), firstSubmittedAt: f.firstSubmittedAt ? at(f.firstSubmittedAt) : null, lastSubmittedAt: f.firstSubmittedAt ? at(f.firstSubmittedAt) : null, decidedAt: f.decidedAt ? at(f.decidedAt) : null },
      });
      return id;
    }

    async function serve(caseId: string, partyId: string, servedAt: string, opened: (string | null)[]) {
      const id = randomUUID();
      await db().servedDocument.create({ data: { id, caseId, partyId, evidenceId: await evidenceItem(j1), title: "送达文书", servedById: j1.id, servedAt: at(servedAt) } });
      for (const o of opened) {
        const recipient = await tp.createUser("lawyer");
        await db().documentDelivery.create({ data: { id: randomUUID(), documentId: id, recipientId: recipient.id, openedAt: o ? at(o) : null } });
      }
    }

    async function evidence(caseId: string, partyId: string, status: string) {
      const id = randomUUID();
      const evidenceId = await evidenceItem(lawyer);
      await db().caseEvidence.create({ data: { id, caseId, partyId, evidenceId, purpose: "证明", status, submittedById: lawyer.id, submittedAt: at("2025-03-11T00:00:00Z") } });
      return { id, evidenceId };
    }

    async function opinion(caseEvidenceId: string, partyId: string, a: string, l: string, r: string) {
      await db().caseOpinion.create({ data: { id: randomUUID(), caseEvidenceId, partyId, authenticity: a, legality: l, relevance: r, authorId: lawyer.id, createdAt: at("2025-03-20T00:00:00Z"), updatedAt: at("2025-03-20T00:00:00Z") } });
    }

    async function contract(status: string, sentAt: string | null, endedAt: string | null) {
      await db().contract.create({ data: { id: randomUUID(), title: "合同", status, origin: "upload", senderId: lawyer.id, originalSha256: "0x00", currentSha256: "0x00", revision: 0, createdAt: at("2025-01-01T00:00:00Z"), sentAt: sentAt ? at(sentAt) : null, endedAt: endedAt ? at(endedAt) : null } });
    }

    before(async () => {
      // Batches never close here: items stay queued unless the test puts them in an anchored batch.
      tp = await startTestPlatform({ BATCH_MAX_AGE_MS: "86400000", BATCH_MAX_ITEMS: "1000000" });
      const org = async (name: string, kind: string) => (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } }), 201)).id as string;
      [courtA, courtB, courtC, courtD, firm] = [await org("甲区人民法院", "court"), await org("乙区人民法院", "court"), await org("丙区人民法院", "court"), await org("丁区人民法院", "court"), await org("某律师事务所", "law_firm")];
      [j1, j2, j3, clerkA, lawyer, loneJudge] = [
        await tp.createUser("judge", { organizationId: courtA }),
        await tp.createUser("judge", { organizationId: courtA }),
        await tp.createUser("judge", { organizationId: courtB }),
        await tp.createUser("clerk", { organizationId: courtA }),
        await tp.createUser("lawyer", { organizationId: firm }),
        await tp.createUser("judge"),
      ];

      // Court A, March to May 2025.
      const f1 = await filing({ courtId: courtA, status: "accepted", firstSubmittedAt: "2025-03-05T00:00:00Z", decidedAt: "2025-03-10T02:00:00Z" });
      const c1 = await newCase({ courtId: courtA, court: "甲区人民法院", cause: "买卖合同纠纷", openedAt: "2025-03-10T02:00:00Z", closedAt: "2025-05-20T02:00:00Z", judges: [j1.id], filingId: f1, parties: [{ kind: "plaintiff", name: "甲公司", organizationId: firm }, { kind: "defendant", name: "乙公司" }] });
      // opened at 01:00 on 1 April in Beijing, closed at 00:30 on 1 May: April's and May's
      const c2 = await newCase({ courtId: courtA, court: "甲区人民法院", cause: "买卖合同纠纷", openedAt: "2025-03-31T17:00:00Z", closedAt: "2025-04-30T16:30:00Z", judges: [j1.id, j2.id], parties: [{ kind: "plaintiff", name: "丙" }, { kind: "defendant", name: "丁公司" }] });
      const f3 = await filing({ courtId: courtA, status: "accepted", firstSubmittedAt: "2025-04-12T00:00:00Z", decidedAt: "2025-04-15T00:00:00Z" });
      const c3 = await newCase({ courtId: courtA, court: "甲区人民法院", cause: "劳动争议", openedAt: "2025-04-15T00:00:00Z", judges: [j2.id], filingId: f3, parties: [{ kind: "plaintiff", name: "戊" }, { kind: "defendant", name: "己公司" }] });
      await filing({ courtId: courtA, status: "submitted", firstSubmittedAt: "2025-04-25T00:00:00Z" });
      await filing({ courtId: courtA, status: "draft" });
      // Court B: outside court A's figures.
      const c4 = await newCase({ courtId: courtB, court: "乙区人民法院", cause: "劳动争议", openedAt: "2025-04-20T00:00:00Z", judges: [j3.id], parties: [{ kind: "plaintiff", name: "庚" }, { kind: "defendant", name: "辛公司" }] });

      await serve(c1.id, c1.parties[0], "2025-03-12T00:00:00Z", ["2025-03-12T12:00:00Z", null]);
      await serve(c2.id, c2.parties[1], "2025-03-15T00:00:00Z", []);
      await serve(c3.id, c3.parties[0], "2025-04-16T00:00:00Z", ["2025-04-21T00:00:00Z"]);
      await serve(c1.id, c1.parties[1], "2025-04-02T00:00:00Z", [null]);
      await serve(c4.id, c4.parties[0], "2025-04-21T00:00:00Z", []);

      const e1 = await evidence(c1.id, c1.parties[0], "finalised");
      const e2 = await evidence(c1.id, c1.parties[0], "finalised");
      await evidence(c1.id, c1.parties[0], "draft");
      const e4 = await evidence(c3.id, c3.parties[0], "finalised");
      const batch = await db().batch.create({ data: { root: "0x" + randomBytes(32).toString("hex"), treeSize: 1, status: "anchored", anchoredAt: at("2025-03-11T01:00:00Z") } });
      const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: e1.evidenceId } });
      await db().leaf.update({ where: { seq: item.leafSeq }, data: { batchId: batch.id, leafIndex: 0 } });
      await opinion(e1.id, c1.parties[1], "accept", "accept", "accept");
      await opinion(e2.id, c1.parties[1], "accept", "dispute", "accept");
      await opinion(e4.id, c3.parties[1], "accept", "accept", "dispute");

      await contract("completed", "2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z");
      await contract("completed", "2025-04-01T00:00:00Z", "2025-04-11T00:00:00Z");
      await contract("declined", "2025-04-01T00:00:00Z", "2025-04-05T00:00:00Z");
      await contract("expired", "2025-04-20T00:00:00Z", "2025-05-10T00:00:00Z");
      await contract("in_progress", "2025-05-01T00:00:00Z", null);

      // Court C: twelve months of history (2024), then January 2025. Labour disputes, 2 a month, all
      // against one factory, jump to 12; loans, 10 a month against different lenders' borrowers, go to 13.
      const rows: { cause: string; month: string; defendant: string }[] = [];
      for (const month of labelsBetween("2024-01", "2024-12", "month")) {
        for (let i = 0; i < 2; i++) rows.push({ cause: "劳动争议", month, defendant: "丙工厂" });
        for (let i = 0; i < 10; i++) rows.push({ cause: "借款合同纠纷", month, defendant: `借款人${month}-${i}` });
      }
      for (let i = 0; i < 12; i++) rows.push({ cause: "劳动争议", month: "2025-01", defendant: "丙工厂" });
      for (let i = 0; i < 13; i++) rows.push({ cause: "借款合同纠纷", month: "2025-01", defendant: `借款人2025-01-${i}` });
      // Court D: records only from December 2024.
      const dRows = [{ month: "2024-12" }, ...Array.from({ length: 9 }, () => ({ month: "2025-01" }))];
      const cases: any[] = [];
      const parties: any[] = [];
      const judges: any[] = [];
      for (const [courtId, court, list] of [[courtC, "丙区人民法院", rows], [courtD, "丁区人民法院", dRows.map((r) => ({ ...r, cause: "劳动争议", defendant: "某厂" }))]] as const) {
        for (const r of list) {
          const id = randomUUID();
          const openedAt = new Date(spanOf(r.month, "month").start.getTime() + 14 * DAY);
          cases.push({ id, number: number(), courtId, court, causeOfAction: r.cause, status: "open", openedById: j3.id, openedAt });
          parties.push({ id: randomUUID(), caseId: id, position: 0, name: "原告", kind: "plaintiff" }, { id: randomUUID(), caseId: id, position: 1, name: r.defendant, kind: "defendant" });
          judges.push({ id: randomUUID(), caseId: id, userId: j3.id, addedById: j3.id, addedAt: openedAt });
        }
      }
      await db().courtCase.createMany({ data: cases });
      await db().caseParty.createMany({ data: parties });
      await db().caseJudge.createMany({ data: judges });
    });
    after(async () => {
      await tp?.stop();
    });

    const RANGE = "period=month&from=2025-03&to=2025-05";

    it("court A's counts per month, in China time", async () => {
      const m = await json(await get(j1, `measures?${RANGE}`), 200);
      expect(m.scope).to.include({ courtId: courtA, judgeId: null, period: "month", from: "2025-03", to: "2025-05" });
      expect(m.periods).to.deep.equal(["2025-03", "2025-04", "2025-05"]);
      const counts = (s: { period: string; count: number }[]) => s.map((x) => x.count);
      expect(counts(m.cases.filed)).to.deep.equal([1, 3, 0]);
      expect(counts(m.cases.accepted)).to.deep.equal([1, 2, 0]);
      expect(counts(m.cases.closed)).to.deep.equal([0, 0, 2]);
    });

    it("breakdowns by cause of action, court, judge and party", async () => {
      const m = await json(await get(clerkA, `measures?${RANGE}`), 200);
      expect(m.byCauseOfAction).to.deep.equal([{ causeOfAction: "买卖合同纠纷", cases: 2 }, { causeOfAction: "劳动争议", cases: 1 }]);
      expect(m.byCourt).to.deep.equal([{ courtId: courtA, court: "甲区人民法院", cases: 3 }]);
      expect(m.byJudge.map((j: any) => [j.judgeId, j.cases]).sort()).to.deep.equal([[j1.id, 2], [j2.id, 2]].sort());
      expect(m.byParty).to.deep.equal([
        { kind: "defendant", organisation: false, parties: 3, cases: 3 },
        { kind: "plaintiff", organisation: false, parties: 2, cases: 2 },
        { kind: "plaintiff", organisation: true, parties: 1, cases: 1 },
      ]);
    });

    it("durations: nearest-rank median and 90th percentile in days", async () => {
      const m = await json(await get(j1, `measures?${RANGE}`), 200);
      // 3 days and 5 days 2 hours
      expect(m.durations.filingToAcceptance).to.deep.equal({ n: 2, medianDays: 3, p90Days: 5.08 });
      // 30 days less half an hour (opened, no filing) and 76 days 2 hours (from the filing)
      expect(m.durations.filingToClosing).to.deep.equal({ n: 2, medianDays: 29.98, p90Days: 76.08 });
    });

    it("electronic service: rate, coverage and receipts within 1, 3 and 7 days", async () => {
      const m = await json(await get(j1, `measures?${RANGE}`), 200);
      expect(m.service.rate).to.deep.equal({ count: 3, of: 4, share: 0.75 });
      expect(m.service.coverage).to.deep.equal({ count: 2, of: 3, share: 2 / 3 });
      expect(m.service.receiptsWithin.days1).to.deep.equal({ count: 1, of: 3, share: 1 / 3 });
      expect(m.service.receiptsWithin.days3).to.deep.equal({ count: 1, of: 3, share: 1 / 3 });
      expect(m.service.receiptsWithin.days7).to.deep.equal({ count: 2, of: 3, share: 2 / 3 });
      expect(m.service.unopened).to.equal(1);
    });

    it("evidence: finalised items per case, the share anchored, the opinions disputing", async () => {
      const m = await json(await get(j1, `measures?${RANGE}`), 200);
      expect(m.evidence).to.deep.equal({ cases: 3, items: 3, itemsPerCase: 1, anchored: { count: 1, of: 3, share: 1 / 3 }, disputed: { count: 2, of: 3, share: 2 / 3 } });
      expect(m).not.to.have.property("contracts");
    });

    it("the administrator: every court, one court, and contract figures", async () => {
      const all = await json(await get({ token: tp.adminToken }, `measures?${RANGE}`), 200);
      expect(all.cases.accepted.map((x: any) => x.count)).to.deep.equal([1, 3, 0]);
      expect(all.service.rate).to.deep.equal({ count: 3, of: 5, share: 0.6 });
      expect(all.contracts.completed.map((x: any) => x.count)).to.deep.equal([1, 1, 0]);
      expect(all.contracts.timeToComplete).to.deep.equal({ n: 2, medianDays: 2, p90Days: 10 });
      expect(all.contracts).to.include({ ended: 4 });
      expect(all.contracts.declined).to.deep.equal({ count: 1, of: 4, share: 0.25 });
      expect(all.contracts.expired).to.deep.equal({ count: 1, of: 4, share: 0.25 });
      const b = await json(await get({ token: tp.adminToken }, `measures?${RANGE}&courtId=${courtB}`), 200);
      expect(b.cases.accepted.map((x: any) => x.count)).to.deep.equal([0, 1, 0]);
      const cause = await json(await get({ token: tp.adminToken }, `measures?${RANGE}&causeOfAction=${encodeURIComponent("劳动争议")}`), 200);
      expect(cause.cases.accepted.map((x: any) => x.count)).to.deep.equal([0, 2, 0]);
      // filings count by cause once accepted: F3 only
      expect(cause.cases.filed.map((x: any) => x.count)).to.deep.equal([0, 2, 0]);
      const quarter = await json(await get({ token: tp.adminToken }, "measures?period=quarter&from=2025-Q1&to=2025-Q2&courtId=" + courtA), 200);
      expect(quarter.cases.accepted).to.deep.equal([{ period: "2025-Q1", count: 1 }, { period: "2025-Q2", count: 2 }]);
    });

    it("a period's edges: its first instant in China time is in it, the millisecond before is not", async () => {
      const courtE = (await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "戊区人民法院", kind: "court" } }), 201)).id as string;
      const edge = (openedAt: string) => newCase({ courtId: courtE, court: "戊区人民法院", cause: "买卖合同纠纷", openedAt, judges: [j3.id], parties: [{ kind: "plaintiff", name: "甲" }] });
      // June and July 2025 in China time: 2025-05-31T16:00:00.000Z up to 2025-07-31T16:00:00.000Z
      for (const t of ["2025-05-31T15:59:59.999Z", "2025-05-31T16:00:00.000Z", "2025-07-31T15:59:59.999Z", "2025-07-31T16:00:00.000Z"]) await edge(t);
      const m = await json(await get({ token: tp.adminToken }, `measures?period=month&from=2025-06&to=2025-07&courtId=${courtE}`), 200);
      expect(m.cases.accepted).to.deep.equal([{ period: "2025-06", count: 1 }, { period: "2025-07", count: 1 }]);
      const wider = await json(await get({ token: tp.adminToken }, `measures?period=month&from=2025-05&to=2025-08&courtId=${courtE}`), 200);
      expect(wider.cases.accepted.map((x: any) => x.count)).to.deep.equal([1, 1, 1, 1]);
    });

    it("a judge narrows to their own cases; a judge of no court sees only theirs", async () => {
      const mine = await json(await get(j1, `measures?${RANGE}&mine=true`), 200);
      expect(mine.scope).to.include({ courtId: courtA, judgeId: j1.id });
      expect(mine.cases.accepted.map((x: any) => x.count)).to.deep.equal([1, 1, 0]);
      const lone = await json(await get(loneJudge, `measures?${RANGE}`), 200);
      expect(lone.scope).to.include({ courtId: null, judgeId: loneJudge.id });
      expect(lone.cases.accepted.map((x: any) => x.count)).to.deep.equal([0, 0, 0]);
    });

    it("the access table: others 403, another court 403, a clerk cannot narrow to own cases, no token 401", async () => {
      const refused = async (res: Response, status: number, code: string) => expect((await json(res, status)).error.code).to.equal(code);
      await refused(await get(lawyer, `measures?${RANGE}`), 403, "forbidden");
      await refused(await get(lawyer, "warnings?latest=2025-01"), 403, "forbidden");
      await refused(await get(j1, `measures?${RANGE}&courtId=${courtB}`), 403, "forbidden");
      await refused(await get(clerkA, `measures?${RANGE}&mine=true`), 403, "forbidden");
      await refused(await get(loneJudge, `measures?${RANGE}&courtId=${courtA}`), 403, "forbidden");
      await refused(await get({ token: tp.adminToken }, `measures?${RANGE}&courtId=${firm}`), 404, "not_found");
      expect((await tp.api("GET", "/api/statistics/measures")).status).to.equal(401);
      // the court's own id is accepted
      await json(await get(j1, `measures?${RANGE}&courtId=${courtA}`), 200);
    });

    it("every chart's data as CSV, the same figures as the JSON", async () => {
      const csv = async (u: { token: string }, q: string) => {
        const res = await get(u, `measures.csv?${RANGE}&${q}`);
        expect(res.status, q).to.equal(200);
        expect(res.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
        expect(res.headers.get("content-disposition")).to.match(/^attachment; filename="statistics-[a-z]+-2025-03-2025-05\.csv"$/);
        const text = Buffer.from(await res.arrayBuffer()).toString("utf8");
        expect(text.charCodeAt(0)).to.equal(0xfeff);
        expect(text.endsWith("\r\n")).to.equal(true);
        return text.slice(1).trimEnd().split("\r\n").map((l) => l.split(","));
      };
      expect(await csv(j1, "table=cases")).to.deep.equal([["period", "filed", "accepted", "closed"], ["2025-03", "1", "1", "0"], ["2025-04", "3", "2", "0"], ["2025-05", "0", "0", "2"]]);
      expect(await csv(j1, "table=causes")).to.deep.equal([["causeOfAction", "cases"], ["买卖合同纠纷", "2"], ["劳动争议", "1"]]);
      expect((await csv(j1, "table=service"))[1]).to.deep.equal(["electronicServiceRate", "3", "4", "0.75"]);
      expect((await csv(j1, "table=durations"))[1]).to.deep.equal(["filingToAcceptance", "2", "3", "5.08"]);
      expect(await csv({ token: tp.adminToken }, "table=contracts")).to.deep.equal([["period", "completed"], ["2025-03", "1"], ["2025-04", "1"], ["2025-05", "0"]]);
      expect((await json(await get(j1, `measures.csv?${RANGE}&table=contracts`), 403)).error.code).to.equal("forbidden");
      expect((await json(await get(j1, `measures.csv?${RANGE}&table=nope`), 400)).error.code).to.equal("invalid_input");
      expect((await json(await get(lawyer, `measures.csv?${RANGE}&table=cases`), 403)).error.code).to.equal("forbidden");
    });

    it("an analysis report: figures, vector charts, warnings and the judge's text, sealed, anchored, readable by the court", async () => {
      const missing = ["pdfsig", "qpdf", "pdftotext", "pdfimages", "certutil"].filter((t) => !haveTool(t));
      if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
      const text = "劳动争议案件近期增多，建议关注用工规范。\nLabour disputes are rising: we recommend attention to employment practices.";
      const body = { period: "month", from: "2025-03", to: "2025-05", title: "2025年3月至5月审判数据分析报告", text };
      const made = await json(await tp.api("POST", "/api/statistics/reports", { token: j1.token, json: body }), 201);
      expect(made).to.include({ courtId: courtA, judgeId: null, from: "2025-03", to: "2025-05", createdById: j1.id });
      const res = await tp.api("GET", made.pdf, { token: clerkA.token });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("application/pdf");
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(sha(pdf)).to.equal(made.sha256);
      const tmp = tempDir("statistics-report-");
      try {
        const file = tmp.file("report.pdf", pdf);
        // kept beside the screenshots, for a person to look at
        fs.mkdirSync(SHOTS, { recursive: true });
        fs.copyFileSync(file, path.join(SHOTS, "statistics-report.pdf"));
        const report = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
        expect(report.output).to.contain("Signature is Valid.").and.to.contain("Certificate is Trusted.");
        expect(run("qpdf", ["--check", file]).status).to.equal(0);
        // the charts are vector paths: no raster image in the file
        expect(run("pdfimages", ["-list", file]).stdout.trim().split("\n")).to.have.length(2);
        const read = run("pdftotext", ["-layout", file, "-"]).stdout;
        const m = await json(await get(j1, `measures?${RANGE}`), 200);
        m.periods.forEach((p: string, i: number) => expect(read).to.match(new RegExp(`${p}\\s+${m.cases.filed[i].count}\\s+${m.cases.accepted[i].count}\\s+${m.cases.closed[i].count}\\b`)));
        expect(read).to.contain("75.0% (3/4)").and.to.contain("66.7% (2/3)");
        expect(read).to.contain("买卖合同纠纷").and.to.contain("劳动争议");
        expect(read).to.contain("数据不足");
        expect(read).to.contain("劳动争议案件近期增多，建议关注用工规范。");
        expect(read).to.contain(made.recordSha256);
      } finally {
        tmp.rm();
      }
      // the record of figures is anchored like any evidence: the public verification finds it
      const record = await db().evidenceItem.findUniqueOrThrow({ where: { id: made.recordEvidenceId } });
      expect(record.sha256).to.equal(made.recordSha256);
      const audit = await tp.platform.audit.list({ afterSeq: 0, limit: 1000, subject: made.id });
      expect(audit.map((e: { action: string }) => e.action)).to.deep.equal(["statistics.report_created"]);
      // who reads it: the court's clerk lists it; another court's judge neither lists nor opens it
      expect((await json(await get(clerkA, "reports"), 200)).items.map((r: any) => r.id)).to.include(made.id);
      expect((await json(await get(j3, "reports"), 200)).items.map((r: any) => r.id)).not.to.include(made.id);
      expect((await tp.api("GET", made.pdf, { token: j3.token })).status).to.equal(404);
      expect((await tp.api("GET", made.pdf, { token: lawyer.token })).status).to.equal(404);
      // who writes one: judges and the administrator; a clerk 403, a lawyer 403; bad bodies 400
      expect((await json(await tp.api("POST", "/api/statistics/reports", { token: clerkA.token, json: body }), 403)).error.code).to.equal("forbidden");
      expect((await json(await tp.api("POST", "/api/statistics/reports", { token: lawyer.token, json: body }), 403)).error.code).to.equal("forbidden");
      expect((await json(await tp.api("POST", "/api/statistics/reports", { token: j1.token, json: { ...body, courtId: courtB } }), 403)).error.code).to.equal("forbidden");
      for (const bad of [{ ...body, text: "" }, { ...body, from: "2025-3" }, { ...body, extra: 1 }, { ...body, title: "x".repeat(201) }]) {
        expect((await json(await tp.api("POST", "/api/statistics/reports", { token: j1.token, json: bad }), 400)).error.code).to.equal("invalid_input");
      }
    });

    it("bad input is a 400 naming the field", async () => {
      for (const q of ["period=week", "period=month&from=2025-13", "period=month&from=2025-05&to=2025-03", "period=quarter&from=2025-03", "period=month&from=1900-01&to=2025-01", "period=month&foo=1", `courtId=nope`, "mine=yes"]) {
        const body = await json(await get(j1, `measures?${q}`), 400);
        expect(body.error.code, q).to.equal("invalid_input");
      }
      for (const q of ["latest=2025", "alpha=0.9", "minCount=0"]) expect((await json(await get(j1, `warnings?${q}`), 400)).error.code, q).to.equal("invalid_input");
    });

    it("risk warnings: the labour disputes and their repeat defendant are flagged, the loans are not", async () => {
      const w = await json(await get({ token: tp.adminToken }, `warnings?period=month&latest=2025-01&courtId=${courtC}`), 200);
      expect(w).to.include({ sufficient: true, reason: null, latest: "2025-01", historyFrom: "2024-01" });
      expect(w.rule).to.deep.equal({ historyPeriods: 12, alpha: 0.01, minCount: 5, test: "poisson-upper-tail" });
      const flagged = w.warnings.map((x: any) => `${x.dimension}:${x.label}`);
      expect(flagged).to.have.members(["causeOfAction:劳动争议", "defendant:丙工厂", "court:丙区人民法院"]);
      const labour = w.warnings.find((x: any) => x.dimension === "causeOfAction");
      expect(labour).to.include({ latest: 12, mean: 2 });
      expect(labour.history).to.deep.equal(Array(12).fill(2));
      expect(labour.pValue).to.be.closeTo(poissonUpperTail(12, 2), 1e-15);
      // the court's own total: 12 a month, then 25
      expect(w.warnings.find((x: any) => x.dimension === "court")).to.include({ latest: 25, mean: 12 });
      // a stricter threshold keeps only the strongest
      const strict = await json(await get({ token: tp.adminToken }, `warnings?period=month&latest=2025-01&courtId=${courtC}&alpha=0.0001`), 200);
      expect(strict.warnings.map((x: any) => x.dimension).sort()).to.deep.equal(["causeOfAction", "defendant"]);
    });

    it("risk warnings: nothing is judged on too little history, and the reason says so", async () => {
      const w = await json(await get({ token: tp.adminToken }, `warnings?period=month&latest=2025-01&courtId=${courtD}`), 200);
      expect(w).to.include({ sufficient: false, judged: 0 });
      expect(w.warnings).to.deep.equal([]);
      expect(w.reason).to.match(/records begin 2024-12-1/);
    });
  });
});
