// The mail a hearing's events cause, queued in the event's own transaction: to everyone acting for
// a party when the court schedules, offers, reschedules or cancels, to everyone in the case when a
// slot is chosen, to the case's judges when a party answers.
import type { Tx } from "../db/client";
import { enqueueMail, type MailInput } from "../notifications/outbox";
import type { TemplateParams } from "../notifications/templates";
import { KIND_LABELS, type HearingKind } from "./input";

type Event = TemplateParams["hearing-update"]["event"];

export interface NoticeHearing {
  caseId: string;
  caseNumber: string;
  court: string;
  kind: string;
  startsAt: Date | null;
  room: string | null;
  onlineUrl: string | null;
}

export function placeOf(h: { room: string | null; onlineUrl: string | null }): string {
  return [h.room, h.onlineUrl ? `在线 online: ${h.onlineUrl}` : null].filter(Boolean).join("; ");
}

export async function partyMemberIds(tx: Tx, caseId: string): Promise<string[]> {
  return (await tx.casePartyMember.findMany({ where: { caseId }, select: { userId: true } })).map((m) => m.userId);
}

export async function judgeIds(tx: Tx, caseId: string): Promise<string[]> {
  return (await tx.caseJudge.findMany({ where: { caseId }, select: { userId: true } })).map((j) => j.userId);
}

export async function tellHearing(
  tx: Tx,
  recipientIds: string[],
  h: NoticeHearing,
  event: Event,
  extra: { party?: string; reason?: string | null; exceptId?: string } = {},
): Promise<void> {
  const ids = [...new Set(recipientIds)].filter((id) => id !== extra.exceptId);
  if (!ids.length) return;
  const users = await tx.user.findMany({ where: { id: { in: ids }, disabledAt: null, status: "active" } });
  const label = KIND_LABELS[h.kind as HearingKind];
  const mails: MailInput[] = users.map((u) => ({
    template: "hearing-update",
    params: {
      name: u.name,
      caseId: h.caseId,
      caseNumber: h.caseNumber,
      court: h.court,
      event,
      kind: label ? `${label.zh} (${label.en})` : h.kind,
      startsAt: h.startsAt?.toISOString() ?? null,
      place: placeOf(h),
      party: extra.party,
      reason: extra.reason ?? null,
    },
    to: u.email,
    recipientId: u.id,
    topic: `case:${h.caseId}`,
  }));
  await enqueueMail(tx, mails);
}
