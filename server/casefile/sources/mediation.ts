// The mediation agreement (调解协议) of the filing the case came from: the signed contract's final
// document and its completion certificate, once the parties have all signed.
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, type Source } from "./items";

export const mediationEntries: Source = async ({ db, filingId }) => {
  if (!filingId) return [];
  const m = await db.mediation.findUnique({ where: { filingId } });
  if (!m?.agreementContractId) return [];
  const contract = await db.contract.findUnique({ where: { id: m.agreementContractId } });
  if (!contract) return [];
  const docs = [
    { id: contract.finalEvidenceId, key: "mediation-agreement", title: `调解协议 Mediation agreement — ${contract.title}` },
    { id: contract.certificateEvidenceId, key: "mediation-certificate", title: `调解协议签署完成证书 Certificate of completion — ${contract.title}` },
  ].filter((d): d is { id: string; key: string; title: string } => !!d.id);
  const items = await itemFacts(db, docs.map((d) => d.id));
  return docs.map((d): CaseFileEntry => {
    const item = items.get(d.id);
    return {
      key: `${d.key}:${m.id}`,
      kind: "mediation-agreement",
      title: d.title,
      // when the last party signed: the agreement exists from then
      at: contract.endedAt ?? item?.acceptedAt ?? m.updatedAt,
      submitter: item?.submitter ?? contract.senderId,
      ...fileFields(item, d.id),
      visibility: { rule: "case" },
      notes: [`调解状态 Mediation: ${m.status}`],
    };
  });
};
