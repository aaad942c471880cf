// The mail a case's events cause, queued in the event's own transaction: a document served (to
// each recipient, a link to their inbox and never the document), someone now acting for a party,
// the case's status changed (to everyone acting for a party).
import type { Tx } from "../db/client";
import { enqueueMail, type MailInput } from "../notifications/outbox";

interface CaseRef {
  id: string;
  number: string;
  court: string;
}

async function active(tx: Tx, ids: string[]) {
  if (!ids.length) return [];
  return tx.user.findMany({ where: { id: { in: [...new Set(ids)] }, disabledAt: null, status: "active" } });
}

export class CaseNotices {
  async served(tx: Tx, c: CaseRef, doc: { title: string; servedAt: Date; partyId: string }, recipientIds: string[]): Promise<void> {
    const party = await tx.caseParty.findUniqueOrThrow({ where: { id: doc.partyId } });
    const mails: MailInput[] = (await active(tx, recipientIds)).map((u) => ({
      template: "document-served",
      params: { name: u.name, title: doc.title, caseNumber: c.number, court: c.court, party: party.name, servedAt: doc.servedAt.toISOString() },
      to: u.email,
      recipientId: u.id,
      topic: `case:${c.id}`,
    }));
    await enqueueMail(tx, mails);
  }

  /** Existing accounts now acting for a party (invited ones got their invitation instead). */
  async representing(tx: Tx, c: CaseRef, party: string, userIds: string[]): Promise<void> {
    const mails: MailInput[] = (await active(tx, userIds)).map((u) => ({
      template: "case-representation",
      params: { name: u.name, caseId: c.id, caseNumber: c.number, court: c.court, party },
      to: u.email,
      recipientId: u.id,
      topic: `case:${c.id}`,
    }));
    await enqueueMail(tx, mails);
  }

  async statusChanged(tx: Tx, c: CaseRef, status: string): Promise<void> {
    const members = await tx.casePartyMember.findMany({ where: { caseId: c.id }, select: { userId: true } });
    const mails: MailInput[] = (await active(tx, members.map((m) => m.userId))).map((u) => ({
      template: "case-status",
      params: { name: u.name, caseId: c.id, caseNumber: c.number, court: c.court, status },
      to: u.email,
      recipientId: u.id,
      topic: `case:${c.id}`,
    }));
    await enqueueMail(tx, mails);
  }
}
