// Reminders and expiry warnings, found by a periodic sweep. A reminder goes to a signer whose turn
// it is every reminderIntervalHours (the sender's choice when sending) after they were told; a
// warning goes once to each such signer, and once to the sender, when the invitation or the
// contract is within warningHours of expiring. Each is claimed by a conditional update and queued
// under a dedupe key in one transaction, so several instances sweeping at once send each one once.
import type { Db } from "../db/client";
import { withAuditRetry } from "../audit/service";
import { enqueueMail } from "../notifications/outbox";
import { authorisedSeal } from "../seals/queries";
import { forOrganization } from "./notices";

export class ContractReminders {
  constructor(
    private readonly db: Db,
    /** pageSize: invitations read at a time (tests make it small to show that every page is reached) */
    private readonly opts: { now: () => Date; warningHours: number; pageSize?: number },
  ) {}

  async sweep(): Promise<{ reminders: number; warnings: number }> {
    const now = this.opts.now();
    const warnBefore = new Date(now.getTime() + this.opts.warningHours * 3_600_000);
    let reminders = 0;
    let warnings = 0;
    const senders = new Map<string, { name: string; email: string; disabled: boolean } | null>();
    const person = async (id: string) => {
      if (!senders.has(id)) {
        const u = await this.db.user.findUnique({ where: { id } });
        senders.set(id, u ? { name: u.name, email: u.email, disabled: !!u.disabledAt || u.status !== "active" } : null);
      }
      return senders.get(id)!;
    };
    for await (const inv of this.candidates(now, warnBefore)) {
      const c = inv.signer.contract;
      if (c.expiresAt && c.expiresAt <= now) continue; // expiry is applied when the contract is next read
      // the person signer, or the member of an organisation signer this invitation went to
      const recipientId = inv.userId ?? inv.signer.userId;
      if (!recipientId) continue;
      const signer = await person(recipientId);
      const sender = await person(c.senderId);
      if (!signer || signer.disabled) continue;
      const org = forOrganization(inv.signer);
      // a member whose grant of the seal was revoked is no longer asked to sign for the organisation
      if (org && !(await authorisedSeal(this.db, inv.signer.sealOrganizationId!, inv.signer.sealKind!, recipientId))) continue;
      const name = org ? signer.name : inv.signer.name;
      const topic = `contract:${c.id}`;
      const interval = c.reminderIntervalHours ? c.reminderIntervalHours * 3_600_000 : null;
      const since = (inv.lastRemindedAt ?? inv.notifiedAt!).getTime();
      if (interval && now.getTime() - since >= interval) {
        const n = inv.remindersSent + 1;
        const claimed = await withAuditRetry(() =>
          this.db.$transaction(async (tx) => {
            const u = await tx.contractInvitation.updateMany({ where: { id: inv.id, remindersSent: inv.remindersSent }, data: { remindersSent: n, lastRemindedAt: now } });
            if (u.count !== 1) return false;
            await enqueueMail(
              tx,
              [
                {
                  template: "contract-reminder",
                  params: { name, title: c.title, sender: sender?.name ?? "", invitationId: inv.id, expiresAt: inv.expiresAt.toISOString(), n, forOrganization: org },
                  to: signer.email,
                  recipientId,
                  topic,
                  dedupeKey: `reminder:${inv.id}:${n}`,
                },
              ]);
            return true;
          }),
        );
        if (claimed) reminders++;
      }
      if (!inv.expiryWarnedAt && inv.expiresAt <= warnBefore) {
        const claimed = await withAuditRetry(() =>
          this.db.$transaction(async (tx) => {
            const u = await tx.contractInvitation.updateMany({ where: { id: inv.id, expiryWarnedAt: null }, data: { expiryWarnedAt: now } });
            if (u.count !== 1) return false;
            const contractEnds = c.expiresAt !== null && c.expiresAt <= inv.expiresAt;
            await enqueueMail(
              tx,
              [
                {
                  template: "contract-expiry-warning",
                  params: { name, title: c.title, expiresAt: inv.expiresAt.toISOString(), invitationId: inv.id },
                  to: signer.email,
                  recipientId,
                  topic,
                  dedupeKey: `expiry-warning:${inv.id}`,
                },
                // The sender hears once per contract, when the contract itself is about to expire.
                ...(contractEnds && sender && !sender.disabled
                  ? [
                      {
                        template: "contract-expiry-warning" as const,
                        params: { name: sender.name, title: c.title, expiresAt: c.expiresAt!.toISOString(), invitationId: null },
                        to: sender.email,
                        recipientId: c.senderId,
                        topic,
                        dedupeKey: `expiry-warning:contract:${c.id}`,
                      },
                    ]
                  : []),
              ]);
            return true;
          }),
        );
        if (claimed) warnings++;
      }
    }
    return { reminders, warnings };
  }

  /**
   * Open invitations that may be due: a reminder (the contract has an interval) or a warning (not
   * yet warned, expiring within the warning time). Read page by page in id order, so that every one
   * is reached however many there are (a bulk send opens a thousand at once).
   */
  private async *candidates(now: Date, warnBefore: Date) {
    const PAGE = this.opts.pageSize ?? 500;
    let after: string | undefined;
    for (;;) {
      const page = await this.db.contractInvitation.findMany({
        where: {
          usedAt: null,
          revokedAt: null,
          notifiedAt: { not: null },
          expiresAt: { gt: now },
          signer: { status: "pending", contract: { status: "in_progress" } },
          OR: [{ signer: { contract: { reminderIntervalHours: { not: null } } } }, { expiryWarnedAt: null, expiresAt: { lte: warnBefore } }],
          ...(after ? { id: { gt: after } } : {}),
        },
        include: { signer: { include: { contract: true } } },
        orderBy: { id: "asc" },
        take: PAGE,
      });
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1].id;
    }
  }
}
