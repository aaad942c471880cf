// Court documents served on a party (ServedDocument), with each recipient's delivery receipt: when
// they opened it, and the receipt's own anchored leaf.
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, leafAnchoring, userNames, type Source } from "./items";

export const serviceEntries: Source = async ({ db, caseId, parties }) => {
  const docs = await db.servedDocument.findMany({ where: { caseId }, include: { deliveries: { orderBy: { id: "asc" } } } });
  const items = await itemFacts(db, docs.map((d) => d.evidenceId));
  const names = await userNames(db, docs.flatMap((d) => [d.servedById, ...d.deliveries.map((x) => x.recipientId)]));
  const receipts = await leafAnchoring(db, docs.flatMap((d) => d.deliveries.flatMap((x) => (x.receiptLeafSeq === null ? [] : [x.receiptLeafSeq]))));
  return docs.map(
    (d): CaseFileEntry => ({
      key: `service:${d.id}`,
      kind: "service",
      title: d.title,
      at: d.servedAt,
      submitter: names.get(d.servedById) ?? d.servedById,
      ...fileFields(items.get(d.evidenceId), d.evidenceId),
      visibility: { rule: "served-on", partyId: d.partyId },
      notes: [`受送达人 Served on: ${parties.get(d.partyId)?.name ?? d.partyId}`],
      receipts: d.deliveries.map((x) => ({
        recipient: names.get(x.recipientId) ?? x.recipientId,
        openedAt: x.openedAt?.toISOString() ?? null,
        anchoring: x.receiptLeafSeq === null ? null : (receipts.get(x.receiptLeafSeq) ?? null),
      })),
    }),
  );
};
