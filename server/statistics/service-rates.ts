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

/** Whether the scope puts conditions on the case. */
const scoped = (s: Scope) => Boolean(s.courtId || s.causeOfAction || s.judgeId);

export async function serviceRates(db: Db, d: Dialect, s: Scope, r: Range): Promise<ServiceRates> {
  const q = new Query(d);
  const [row] = await q.rows<Record<string, unknown>>(
    db,
    // One pass: each served document in the range with its own deliveries (looked up by documentId),
    // instead of grouping every delivery of the table first; the case is joined only when the scope
    // needs its columns (every served document has a case).
    `WITH served AS (
       SELECT sd."servedAt", COUNT(dd."documentId") AS deliveries, MIN(dd."openedAt") AS opened
       FROM "ServedDocument" sd ${scoped(s) ? 'JOIN "CourtCase" c ON c."id" = sd."caseId"' : ""} LEFT JOIN "DocumentDelivery" dd ON dd."documentId" = sd."id"
       WHERE ${caseConditions(q, s)} AND ${q.within('sd."servedAt"', r)}
       GROUP BY sd."id", sd."servedAt"
     ),
     timed AS (SELECT deliveries, CASE WHEN opened IS NULL THEN NULL ELSE ${d.days('"servedAt"', "opened")} END AS days FROM served)
     SELECT COUNT(*) AS services,
       SUM(CASE WHEN deliveries > 0 THEN 1 ELSE 0 END) AS electronic,
       SUM(CASE WHEN deliveries > 0 AND days IS NOT NULL AND days <= 1 THEN 1 ELSE 0 END) AS d1,
       SUM(CASE WHEN deliveries > 0 AND days IS NOT NULL AND days <= 3 THEN 1 ELSE 0 END) AS d3,
       SUM(CASE WHEN deliveries > 0 AND days IS NOT NULL AND days <= 7 THEN 1 ELSE 0 END) AS d7,
       SUM(CASE WHEN deliveries > 0 AND days IS NULL THEN 1 ELSE 0 END) AS unopened
     FROM timed`,
  );
  const c = new Query(d);
  const [cov] = await c.rows<{ cases: unknown; covered: unknown }>(
    db,
    `WITH cs AS (SELECT c."id" FROM "CourtCase" c WHERE ${caseConditions(c, s)} AND ${c.within('c."openedAt"', r)}),
     covered AS (SELECT DISTINCT sd."caseId" FROM "ServedDocument" sd JOIN cs ON cs."id" = sd."caseId" WHERE EXISTS (SELECT 1 FROM "DocumentDelivery" dd WHERE dd."documentId" = sd."id"))
     SELECT (SELECT COUNT(*) FROM cs) AS cases, (SELECT COUNT(*) FROM covered) AS covered`,
  );
  const n = (k: string) => num(row?.[k]) ?? 0;
  const electronic = n("electronic");
  return {
    rate: share(electronic, n("services")),
    coverage: share(num(cov?.covered) ?? 0, num(cov?.cases) ?? 0),
    receiptsWithin: { days1: share(n("d1"), electronic), days3: share(n("d3"), electronic), days7: share(n("d7"), electronic) },
    unopened: n("unopened"),
  };
}
