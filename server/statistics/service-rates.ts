// Electronic service (电子送达): of the documents served in the range, those that reached someone
// electronically (at least one delivery to a person's inbox); the cases opened in the range with at
// least one such service; and how soon the first receipt came (within 1, 3 and 7 days of serving).
// A document served on a party nobody on the platform acts for has no delivery: it was not served
// electronically, and lowers the rate.
import type { Db } from "../db/client";
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

export async function serviceRates(db: Db, d: Dialect, s: Scope, r: Range): Promise<ServiceRates> {
  const q = new Query(d);
  // One pass over the served documents of the range, each with its own deliveries (found through the
  // index on documentId and openedAt, which also holds the earliest receipt: a merge join on
  // PostgreSQL, an index search per document on SQLite); the case is joined only when the scope needs
  // its columns (every served document has a case). The first receipt, and the time to it, are
  // found once per document; the outer query sums them into one row of counts, with no second grouping.
  const rates = q.rows<Record<string, unknown>>(
    db,
    `SELECT COUNT(*) AS services,
       SUM(CASE WHEN deliveries > 0 THEN 1 ELSE 0 END) AS electronic,
       SUM(CASE WHEN deliveries > 0 AND elapsed IS NULL THEN 1 ELSE 0 END) AS unopened,
       ${WITHIN.map((n) => `SUM(CASE WHEN elapsed <= ${d.daysOf(n)} THEN 1 ELSE 0 END) AS days${n}`).join(",\n       ")}
     FROM (
       SELECT COUNT(dd."documentId") AS deliveries, ${d.elapsed('sd."servedAt"', 'MIN(dd."openedAt")')} AS elapsed
       FROM "ServedDocument" sd ${scoped(s) ? 'JOIN "CourtCase" c ON c."id" = sd."caseId"' : ""} LEFT JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id"
       WHERE ${caseConditions(q, s)} AND ${q.within('sd."servedAt"', r)}
       GROUP BY sd."id", sd."servedAt"
     ) served`,
  );
  // Coverage: each case of the range asks whether one of its documents has a delivery, through the
  // index on caseId and id and then the delivery index, and stops at the first it finds (most cases'
  // first document), instead of joining every served document to its deliveries.
  const c = new Query(d);
  const coverage = c.rows<{ cases: unknown; covered: unknown }>(
    db,
    `SELECT COUNT(*) AS cases,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM "ServedDocument" sd JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id" WHERE sd."caseId" = c."id") THEN 1 ELSE 0 END) AS covered
     FROM "CourtCase" c WHERE ${caseConditions(c, s)} AND ${c.within('c."openedAt"', r)}`,
  );
  // on PostgreSQL the two statements run side by side, on two connections of the pool
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
