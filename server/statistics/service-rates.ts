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

/** Buckets of the days to the first receipt: 1, 3 and 7 are "within so many days". */
const LATER = 8;
const UNOPENED = 9;

/** Whether the scope puts conditions on the case. */
const scoped = (s: Scope) => Boolean(s.courtId || s.causeOfAction || s.judgeId);

export async function serviceRates(db: Db, d: Dialect, s: Scope, r: Range): Promise<ServiceRates> {
  const q = new Query(d);
  // One pass over the served documents of the range, each with its own deliveries (found through the
  // index on documentId and openedAt, which also holds the earliest receipt); the case is joined only
  // when the scope needs its columns (every served document has a case). The days to the first
  // receipt are computed once per document and the outer query only counts buckets, so no per-row
  // expression is evaluated twice.
  const buckets = await q.rows<{ electronic: unknown; bucket: unknown; n: unknown }>(
    db,
    `SELECT CASE WHEN deliveries > 0 THEN 1 ELSE 0 END AS electronic,
       CASE WHEN days IS NULL THEN ${UNOPENED} WHEN days <= 1 THEN 1 WHEN days <= 3 THEN 3 WHEN days <= 7 THEN 7 ELSE ${LATER} END AS bucket,
       COUNT(*) AS n
     FROM (
       SELECT COUNT(dd."documentId") AS deliveries, ${d.days('sd."servedAt"', 'MIN(dd."openedAt")')} AS days
       FROM "ServedDocument" sd ${scoped(s) ? 'JOIN "CourtCase" c ON c."id" = sd."caseId"' : ""} LEFT JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id"
       WHERE ${caseConditions(q, s)} AND ${q.within('sd."servedAt"', r)}
       GROUP BY sd."id", sd."servedAt"
     ) served
     GROUP BY 1, 2`,
  );
  let services = 0;
  let electronic = 0;
  const within: Record<number, number> = { 1: 0, 3: 0, 7: 0 };
  let unopened = 0;
  for (const b of buckets) {
    const n = num(b.n) ?? 0;
    services += n;
    if (num(b.electronic) !== 1) continue;
    electronic += n;
    const bucket = num(b.bucket);
    if (bucket === UNOPENED) unopened += n;
    for (const days of [1, 3, 7]) if (bucket !== null && bucket <= days) within[days] += n;
  }
  const c = new Query(d);
  const [cov] = await c.rows<{ cases: unknown; covered: unknown }>(
    db,
    `WITH cs AS (SELECT c."id" FROM "CourtCase" c WHERE ${caseConditions(c, s)} AND ${c.within('c."openedAt"', r)}),
     covered AS (SELECT DISTINCT sd."caseId" FROM "ServedDocument" sd JOIN cs ON cs."id" = sd."caseId" WHERE EXISTS (SELECT 1 FROM "DocumentDelivery" dd WHERE dd."documentId" = sd."id"))
     SELECT (SELECT COUNT(*) FROM cs) AS cases, (SELECT COUNT(*) FROM covered) AS covered`,
  );
  return {
    rate: share(electronic, services),
    coverage: share(num(cov?.covered) ?? 0, num(cov?.cases) ?? 0),
    receiptsWithin: { days1: share(within[1], electronic), days3: share(within[3], electronic), days7: share(within[7], electronic) },
    unopened,
  };
}
