// Cases through time and by kind: filed (online filings submitted, and cases a judge opened without
// one), accepted (cases opened), closed, per period; and the cases opened in the range by cause of
// action, court, judge and party.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import type { Period } from "./periods";
import { caseConditions, filingConditions, type Range, type Scope } from "./scope";

export interface CountSeries {
  filed: Record<string, number>;
  accepted: Record<string, number>;
  closed: Record<string, number>;
}

type Row = { p: string; n: unknown };

const toRecord = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.p, num(r.n) ?? 0]));

function add(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export async function caseCounts(sql: RawReader, d: Dialect, s: Scope, r: Range, period: Period): Promise<CountSeries> {
  const opened = new Query(d);
  const acceptedRows = opened.rows<Row>(sql, `SELECT ${d.label('c."openedAt"', period)} AS p, COUNT(*) AS n FROM "CourtCase" c WHERE ${caseConditions(opened, s)} AND ${opened.within('c."openedAt"', r)} GROUP BY 1`);
  const offline = new Query(d);
  const openedDirectlyRows = offline.rows<Row>(
    sql,
    `SELECT ${d.label('c."openedAt"', period)} AS p, COUNT(*) AS n FROM "CourtCase" c WHERE c."filingId" IS NULL AND ${caseConditions(offline, s)} AND ${offline.within('c."openedAt"', r)} GROUP BY 1`,
  );
  const online = new Query(d);
  const submittedRows = online.rows<Row>(
    sql,
    `SELECT ${d.label('f."firstSubmittedAt"', period)} AS p, COUNT(*) AS n FROM "Filing" f LEFT JOIN "CourtCase" c ON c."id" = f."caseId"
     WHERE f."firstSubmittedAt" IS NOT NULL AND ${filingConditions(online, s)} AND ${online.within('f."firstSubmittedAt"', r)} GROUP BY 1`,
  );
  const ended = new Query(d);
  const closedRows = ended.rows<Row>(
    sql,
    `SELECT ${d.label('c."closedAt"', period)} AS p, COUNT(*) AS n FROM "CourtCase" c WHERE c."closedAt" IS NOT NULL AND ${caseConditions(ended, s)} AND ${ended.within('c."closedAt"', r)} GROUP BY 1`,
  );
  // asked together, the statements run side by side (on PostgreSQL's pool, on SQLite's reader threads)
  const [accepted, openedDirectly, submitted, closed] = await Promise.all([acceptedRows, openedDirectlyRows, submittedRows, closedRows]);
  return { filed: add(toRecord(submitted), toRecord(openedDirectly)), accepted: toRecord(accepted), closed: toRecord(closed) };
}

export interface Breakdowns {
  byCauseOfAction: { causeOfAction: string; cases: number }[];
  byCourt: { courtId: string | null; court: string; cases: number }[];
  byJudge: { judgeId: string; name: string; cases: number }[];
  /** parties of the cases opened: their side, and whether an organisation on the platform */
  byParty: { kind: string; organisation: boolean; parties: number; cases: number }[];
}

export async function caseBreakdowns(sql: RawReader, d: Dialect, s: Scope, r: Range): Promise<Breakdowns> {
  const inRange = (q: Query) => `${caseConditions(q, s)} AND ${q.within('c."openedAt"', r)}`;
  const q1 = new Query(d);
  const causesRows = q1.rows<{ k: string; n: unknown }>(sql, `SELECT c."causeOfAction" AS k, COUNT(*) AS n FROM "CourtCase" c WHERE ${inRange(q1)} GROUP BY c."causeOfAction" ORDER BY 2 DESC, 1`);
  const q2 = new Query(d);
  const courtsRows = q2.rows<{ id: string | null; k: string; n: unknown }>(sql, `SELECT c."courtId" AS id, c."court" AS k, COUNT(*) AS n FROM "CourtCase" c WHERE ${inRange(q2)} GROUP BY c."courtId", c."court" ORDER BY 3 DESC, 2`);
  const q3 = new Query(d);
  const judgesRows = q3.rows<{ id: string; k: string; n: unknown }>(
    sql,
    `SELECT j."userId" AS id, u."name" AS k, COUNT(*) AS n FROM "CourtCase" c JOIN "CaseJudge" j ON j."caseId" = c."id" JOIN "User" u ON u."id" = j."userId"
     WHERE ${inRange(q3)} GROUP BY j."userId", u."name" ORDER BY 3 DESC, 2`,
  );
  const q4 = new Query(d);
  const partiesRows = q4.rows<{ kind: string; org: unknown; n: unknown; cases: unknown }>(
    sql,
    `SELECT p."kind" AS kind, CASE WHEN p."organizationId" IS NULL THEN 0 ELSE 1 END AS org, COUNT(*) AS n, COUNT(DISTINCT c."id") AS cases
     FROM "CourtCase" c JOIN "CaseParty" p ON p."caseId" = c."id" WHERE ${inRange(q4)} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const [causes, courts, judges, parties] = await Promise.all([causesRows, courtsRows, judgesRows, partiesRows]);
  return {
    byCauseOfAction: causes.map((x) => ({ causeOfAction: x.k, cases: num(x.n) ?? 0 })),
    byCourt: courts.map((x) => ({ courtId: x.id, court: x.k, cases: num(x.n) ?? 0 })),
    byJudge: judges.map((x) => ({ judgeId: x.id, name: x.k, cases: num(x.n) ?? 0 })),
    byParty: parties.map((x) => ({ kind: x.kind, organisation: num(x.org) === 1, parties: num(x.n) ?? 0, cases: num(x.cases) ?? 0 })),
  };
}
