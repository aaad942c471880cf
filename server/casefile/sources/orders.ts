// Court orders (裁定, 决定书, 确认书) signed by a judge, of the case or of the mediation of its filing.
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, userNames, type Source } from "./items";

export const orderEntries: Source = async ({ db, caseId, filingId }) => {
  const mediation = filingId ? await db.mediation.findUnique({ where: { filingId }, select: { id: true } }) : null;
  const rows = await db.courtOrder.findMany({
    where: { OR: [{ caseId }, ...(mediation ? [{ mediationId: mediation.id }] : [])] },
  });
  const items = await itemFacts(db, rows.map((o) => o.evidenceId));
  const judges = await userNames(db, rows.map((o) => o.issuedById));
  return rows.map(
    (o): CaseFileEntry => ({
      key: `order:${o.id}`,
      kind: "order",
      title: o.title,
      at: o.issuedAt,
      submitter: judges.get(o.issuedById) ?? o.issuedById,
      ...fileFields(items.get(o.evidenceId), o.evidenceId),
      visibility: { rule: "case" },
      notes: [`类型 Kind: ${o.kind}`],
    }),
  );
};
