// Electronic service (电子送达): of the documents served in the range, those that reached someone
// electronically (at least one delivery to a person's inbox); the cases opened in the range with at
// least one such service; and how soon the first receipt came (within 1, 3 and 7 days of serving).
// A document served on a party nobody on the platform acts for has no delivery: it was not served
// electronically, and lowers the rate.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import { caseConditions, share, type Range, type Scope, type Share } from "./scope";

export interface ServiceRates {
  rate: Share;
  coverage: Share;
  receiptsWithin: { days1: Share; days3: Share; days7: Share };
  /** electronically served documents whose receipt has not come yet */
  unopened: number;
}

/** The "received within so many days" thresholds. */
const WITHIN = [1, 3, 7] as const;

/** Whether the scope puts conditions on the case. */
const scoped = (s: Scope) => Boolean(s.courtId || s.causeOfAction || s.judgeId);

export async function serviceRates(sql: RawReader, d: Dialect, s: Scope, r: Range): Promise<ServiceRates> {
  // The range in two halves, one statement each, summed: the largest figure of the dashboard, so that
  // it runs on two connections (reader threads on SQLite, the pool on PostgreSQL) beside the others.
  const mid = new Date(r.start.getTime() + Math.floor((r.end.getTime() - r.start.getTime()) / 2));
  const halves = [{ start: r.start, end: mid }, { start: mid, end: r.end }].filter((h) => h.end > h.start);
  const rates = Promise.all(halves.map((h) => ratesWithin(sql, d, s, h))).then((rows) => [sumRows(rows)]);
  // Coverage: each case of the range asks whether one of its documents has a delivery, through the
  // index on caseId and id and then the delivery index, and stops at the first it finds (most cases'
  // first document), instead of joining every served document to its deliveries.
  const c = new Query(d);
  const coverage = c.rows<{ cases: unknown; covered: unknown }>(
    sql,
    `SELECT COUNT(*) AS cases,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM "ServedDocument" sd JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id" WHERE sd."caseId" = c."id") THEN 1 ELSE 0 END) AS covered
     FROM "CourtCase" c WHERE ${caseConditions(c, s)} AND ${c.within('c."openedAt"', r)}`,
  );
  // the three statements run side by side, on reader threads (SQLite) or connections of the pool (PostgreSQL)
  const [[row], [cov]] = await Promise.all([rates, coverage]);
  const n = (k: string) => num(row?.[k]) ?? 0;
  const services = n("services");
  const electronic = n("electronic");
  const within: Record<number, number> = Object.fromEntries(WITHIN.map((days) => [days, n(`days${days}`)]));
  const unopened = n("unopened");
  return {
    rate: share(electronic, services),
    coverage: share(num(cov?.covered) ?? 0, num(cov?.cases) ?? 0),
    receiptsWithin: { days1: share(within[1], electronic), days3: share(within[3], electronic), days7: share(within[7], electronic) },
    unopened,
  };
}

/** The counts of the documents served within `h`, one row. */
function ratesWithin(sql: RawReader, d: Dialect, s: Scope, h: Range): Promise<Record<string, unknown>[]> {
  const q = new Query(d);
  // One pass over the served documents of the range, each with its own deliveries (found through the
  // index on documentId and openedAt, which also holds the earliest receipt: a merge join on
  // PostgreSQL, an index search per document on SQLite); the case is joined only when the scope needs
  // its columns (every served document has a case). The first receipt, and the time to it, are
  // found once per document; the outer query sums them into one row of counts, with no second grouping.
  return q.rows<Record<string, unknown>>(
    sql,
    `SELECT COUNT(*) AS services,
       SUM(CASE WHEN deliveries > 0 THEN 1 ELSE 0 END) AS electronic,
       SUM(CASE WHEN deliveries > 0 AND elapsed IS NULL THEN 1 ELSE 0 END) AS unopened,
       ${WITHIN.map((n) => `SUM(CASE WHEN elapsed <= ${d.daysOf(n)} THEN 1 ELSE 0 END) AS days${n}`).join(",\n       ")}
     FROM (
       SELECT COUNT(dd."documentId") AS deliveries, ${d.elapsed('sd."servedAt"', 'MIN(dd."openedAt")')} AS elapsed
       FROM "ServedDocument" sd ${scoped(s) ? 'JOIN "CourtCase" c ON c."id" = sd."caseId"' : ""} LEFT JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id"
       WHERE ${caseConditions(q, s)} AND ${q.within('sd."servedAt"', h)}
       GROUP BY sd."id", sd."servedAt"
     ) served`,
  );
}

/** Rows of counts added up column by column. */
function sumRows(rows: Record<string, unknown>[][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [row] of rows) for (const [k, v] of Object.entries(row ?? {})) out[k] = (out[k] ?? 0) + (num(v) ?? 0);
  return out;
}
