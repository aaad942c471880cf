// How long things take, in days: from filing to acceptance, and from filing (or opening, for a case
// opened without an online filing) to closing. Quantiles are nearest-rank (the ⌈p·n⌉-th smallest),
// computed in SQL with window functions on both databases, so no rows leave the database.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import { caseConditions, filingConditions, type Range, type Scope } from "./scope";

export interface Quantiles {
  n: number;
  medianDays: number | null;
  p90Days: number | null;
}

/** Median and 90th percentile of the values `select` yields (a statement with one column v). */
export async function quantiles(sql: RawReader, q: Query, select: string): Promise<Quantiles> {
  const [row] = await q.rows<{ n: unknown; median: unknown; p90: unknown }>(
    sql,
    `WITH d AS (${select}),
     r AS (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n FROM d)
     SELECT MAX(n) AS n, MAX(CASE WHEN rn = (n + 1) / 2 THEN v END) AS median, MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90 FROM r`,
  );
  const n = num(row?.n) ?? 0;
  const round = (x: unknown) => (num(x) === null ? null : Math.round((num(x) as number) * 100) / 100);
  return { n, medianDays: n ? round(row.median) : null, p90Days: n ? round(row.p90) : null };
}

/** Filings accepted in the range: first submission to the decision. */
export function filingToAcceptance(sql: RawReader, d: Dialect, s: Scope, r: Range): Promise<Quantiles> {
  const q = new Query(d);
  return quantiles(
    sql,
    q,
    `SELECT ${d.days('f."firstSubmittedAt"', 'f."decidedAt"')} AS v FROM "Filing" f LEFT JOIN "CourtCase" c ON c."id" = f."caseId"
     WHERE f."status" = 'accepted' AND f."firstSubmittedAt" IS NOT NULL AND f."decidedAt" IS NOT NULL AND ${filingConditions(q, s)} AND ${q.within('f."decidedAt"', r)}`,
  );
}

/** Cases closed in the range: from the filing's first submission (or the case's opening) to closing. */
export function filingToClosing(sql: RawReader, d: Dialect, s: Scope, r: Range): Promise<Quantiles> {
  const q = new Query(d);
  return quantiles(
    sql,
    q,
    `SELECT ${d.days('COALESCE(f."firstSubmittedAt", c."openedAt")', 'c."closedAt"')} AS v FROM "CourtCase" c LEFT JOIN "Filing" f ON f."id" = c."filingId"
     WHERE c."closedAt" IS NOT NULL AND ${caseConditions(q, s)} AND ${q.within('c."closedAt"', r)}`,
  );
}
