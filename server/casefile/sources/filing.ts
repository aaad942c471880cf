// The filing the case was accepted from (网上立案): each submitted version's record and signed
// complaint, and the other attachments submitted with a version. Every party of the case sees them: the
// complaint is what the defendant answers.
import type { CaseFileEntry } from "../entry";
import { fileFields, itemFacts, userNames, type Source } from "./items";

export const filingEntries: Source = async ({ db, filingId }) => {
  if (!filingId) return [];
  const [versions, attachments] = await Promise.all([
    db.filingVersion.findMany({ where: { filingId }, orderBy: { version: "asc" } }),
    db.filingAttachment.findMany({ where: { filingId } }),
  ]);
  // An attachment belongs to the file if some version was submitted while it was attached; the
  // complaint PDF not when each of those versions holds it signed (the signed copy is that document
  // with the filer's signature: listing both would show one complaint twice).
  const withIt = (a: (typeof attachments)[number]) => versions.filter((v) => v.submittedAt >= a.addedAt && (a.removedAt === null || a.removedAt > v.submittedAt));
  const submitted = attachments.filter((a) => {
    const vs = withIt(a);
    return vs.length > 0 && !(a.kind === "complaint" && vs.every((v) => v.complaintEvidenceId));
  });
  const ids = [
    ...versions.flatMap((v) => [v.recordEvidenceId, ...(v.complaintEvidenceId ? [v.complaintEvidenceId] : [])]),
    ...submitted.map((a) => a.evidenceId),
  ];
  const items = await itemFacts(db, ids);
  const names = await userNames(db, [...versions.map((v) => v.submittedById), ...submitted.map((a) => a.addedById)]);
  const out: CaseFileEntry[] = [];
  for (const v of versions) {
    const submitter = names.get(v.submittedById) ?? v.submittedById;
    out.push({
      key: `filing-version:${v.id}`,
      kind: "filing-version",
      title: `立案申请 第 ${v.version} 版 Filing, version ${v.version}`,
      at: v.submittedAt,
      submitter,
      ...fileFields(items.get(v.recordEvidenceId), v.recordEvidenceId),
      visibility: { rule: "case" },
      notes: ["提交时的立案记录 The filing's record as submitted"],
    });
    if (v.complaintEvidenceId) {
      out.push({
        key: `filing-version:${v.id}:complaint`,
        kind: "filing-version",
        title: `起诉状 第 ${v.version} 版 Complaint, version ${v.version}`,
        at: v.submittedAt,
        submitter,
        ...fileFields(items.get(v.complaintEvidenceId), v.complaintEvidenceId),
        visibility: { rule: "case" },
        notes: ["起诉人签名 Signed by the filer (PAdES)"],
      });
    }
  }
  for (const a of submitted) {
    out.push({
      key: `filing-attachment:${a.id}`,
      kind: "filing-attachment",
      title: a.title,
      at: a.addedAt,
      submitter: names.get(a.addedById) ?? a.addedById,
      ...fileFields(items.get(a.evidenceId), a.evidenceId),
      visibility: { rule: "case" },
      notes: [`附件类型 Attachment: ${a.kind}`],
    });
  }
  return out;
};
