// Hearing records (庭审笔录): a held hearing's record is an evidence item. (Summonses are served
// documents and come with the services.)
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, userNames, type Source } from "./items";

const KINDS: Record<string, string> = { trial: "开庭 Trial", pretrial: "庭前会议 Pre-trial", mediation: "调解 Mediation", pronouncement: "宣判 Pronouncement" };

export const hearingEntries: Source = async ({ db, caseId }) => {
  const rows = await db.hearing.findMany({ where: { caseId, recordEvidenceId: { not: null } } });
  const items = await itemFacts(db, rows.map((h) => h.recordEvidenceId!));
  const judges = await userNames(db, rows.map((h) => h.judgeId));
  return rows.map((h): CaseFileEntry => {
    const item = items.get(h.recordEvidenceId!);
    return {
      key: `hearing-record:${h.id}`,
      kind: "hearing-record",
      title: `庭审笔录 Hearing record — ${KINDS[h.kind] ?? h.kind}`,
      at: item?.acceptedAt ?? h.updatedAt,
      submitter: judges.get(h.judgeId) ?? h.judgeId,
      ...fileFields(item, h.recordEvidenceId!),
      visibility: { rule: "case" },
      notes: [
        `开庭时间 Held: ${h.startsAt?.toISOString() ?? "—"}`,
        `地点 Where: ${h.room ?? h.onlineUrl ?? "—"}`,
      ],
    };
  });
};
