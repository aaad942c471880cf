// Evidence in the cases opened in the range: finalised items per case, the share anchored, and the
// share of opinions (质证意见) that dispute an item on any of authenticity, legality or relevance.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import { caseConditions, share, type Range, type Scope, type Share } from "./scope";

export interface EvidenceFigures {
  cases: number;
  items: number;
  itemsPerCase: number | null;
  anchored: Share;
  disputed: Share;
}

export async function evidenceFigures(sql: RawReader, d: Dialect, s: Scope, r: Range): Promise<EvidenceFigures> {
  const q = new Query(d);
  const [row] = await q.rows<Record<string, unknown>>(
    sql,
    `WITH cs AS (SELECT c."id" FROM "CourtCase" c WHERE ${caseConditions(q, s)} AND ${q.within('c."openedAt"', r)}),
     items AS (SELECT ce."id", b."status" FROM "CaseEvidence" ce JOIN cs ON cs."id" = ce."caseId" JOIN "EvidenceItem" e ON e."id" = ce."evidenceId"
       JOIN "Leaf" l ON l."seq" = e."leafSeq" LEFT JOIN "Batch" b ON b."id" = l."batchId" WHERE ce."status" = 'finalised'),
     ops AS (SELECT o."authenticity", o."legality", o."relevance" FROM "CaseOpinion" o JOIN items ON items."id" = o."caseEvidenceId")
     SELECT (SELECT COUNT(*) FROM cs) AS cases,
       (SELECT COUNT(*) FROM items) AS items,
       (SELECT COUNT(*) FROM items WHERE "status" = 'anchored') AS anchored,
       (SELECT COUNT(*) FROM ops) AS opinions,
       (SELECT COUNT(*) FROM ops WHERE 'dispute' IN ("authenticity", "legality", "relevance")) AS disputed`,
  );
  const n = (k: string) => num(row?.[k]) ?? 0;
  return {
    cases: n("cases"),
    items: n("items"),
    itemsPerCase: n("cases") ? Math.round((n("items") / n("cases")) * 100) / 100 : null,
    anchored: share(n("anchored"), n("items")),
    disputed: share(n("disputed"), n("opinions")),
  };
}
