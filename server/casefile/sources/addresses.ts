// Each party's confirmation of its addresses for service (送达地址确认书), signed and anchored. Every
// confirmation is kept in the file (the latest counts); a party sees its own.
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, userNames, type Source } from "./items";

export const addressEntries: Source = async ({ db, caseId, parties }) => {
  const rows = await db.serviceAddressConfirmation.findMany({ where: { caseId } });
  const items = await itemFacts(db, rows.map((r) => r.evidenceId));
  const names = await userNames(db, rows.map((r) => r.confirmedById));
  return rows.map(
    (r): CaseFileEntry => ({
      key: `address-confirmation:${r.id}`,
      kind: "address-confirmation",
      title: `送达地址确认书 Address confirmation — ${parties.get(r.partyId)?.name ?? r.partyId}`,
      at: r.confirmedAt,
      submitter: names.get(r.confirmedById) ?? r.confirmedById,
      ...fileFields(items.get(r.evidenceId), r.evidenceId),
      visibility: { rule: "own-record", partyId: r.partyId },
      notes: [r.consent ? "同意电子送达 Consents to electronic service" : "不同意电子送达 No consent to electronic service"],
    }),
  );
};
