// The parties' evidence (CaseEvidence) with the opposing parties' opinions (质证意见) on each item.
// A draft is its party's own business; once finalised every party of the case sees it.
import type { CaseFileEntry, EntryOpinion } from "../entry";
import { fileFields, itemFacts, userNames, type Source } from "./items";

const POSITION = { accept: "认可 accept", dispute: "不认可 dispute" } as Record<string, string>;

export const evidenceEntries: Source = async ({ db, caseId, parties }) => {
  const rows = await db.caseEvidence.findMany({ where: { caseId }, include: { opinions: { orderBy: { createdAt: "asc" } } } });
  const items = await itemFacts(db, rows.map((r) => r.evidenceId));
  const authors = await userNames(db, rows.flatMap((r) => [r.submittedById, ...r.opinions.map((o) => o.authorId)]));
  return rows.map((r): CaseFileEntry => {
    const item = items.get(r.evidenceId);
    const party = parties.get(r.partyId)?.name ?? r.partyId;
    const finalised = r.status === "finalised";
    const opinions = r.opinions.map(
      (o): EntryOpinion => ({
        party: parties.get(o.partyId)?.name ?? o.partyId,
        author: authors.get(o.authorId) ?? o.authorId,
        authenticity: POSITION[o.authenticity] ?? o.authenticity,
        legality: POSITION[o.legality] ?? o.legality,
        relevance: POSITION[o.relevance] ?? o.relevance,
        comments: [o.authenticityComment, o.legalityComment, o.relevanceComment].filter((c): c is string => !!c),
        at: o.updatedAt.toISOString(),
      }),
    );
    return {
      key: `evidence:${r.id}`,
      kind: "evidence",
      title: item?.title ?? item?.fileName ?? "证据 Evidence",
      at: r.submittedAt,
      submitter: `${authors.get(r.submittedById) ?? r.submittedById}（${party}）`,
      ...fileFields(item, r.evidenceId),
      visibility: finalised ? { rule: "case" } : { rule: "own-submission", partyId: r.partyId },
      notes: [`证明目的 Purpose: ${r.purpose}`, finalised ? `已提交 Finalised ${r.finalisedAt?.toISOString() ?? ""}` : "草稿 Draft"],
      opinions,
    };
  });
};
