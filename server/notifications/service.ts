// What was mailed to whom, read from the outbox: a user's own messages, the messages about a
// contract or case, the whole outbox for an administrator. The parameters stay in the table: a
// listing shows where a message went and how, not what it said.
import type { Db } from "../db/client";
import { appendAudit, withAuditRetry } from "../audit/service";

export const MAIL_STATUSES = ["queued", "sending", "sent", "failed"] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

const SUMMARY = {
  id: true,
  template: true,
  toAddress: true,
  recipientId: true,
  topic: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  reply: true,
  createdAt: true,
  sentAt: true,
} as const;

type SummaryRow = Awaited<ReturnType<Db["mailMessage"]["findMany"]>>[number];

export interface MailSummary {
  id: string;
  template: string;
  to: string;
  recipientId: string | null;
  topic: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  reply: string | null;
  createdAt: string;
  sentAt: string | null;
}

function present(r: Pick<SummaryRow, keyof typeof SUMMARY>): MailSummary {
  return {
    id: r.id,
    template: r.template,
    to: r.toAddress,
    recipientId: r.recipientId,
    topic: r.topic,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === "queued" ? r.nextAttemptAt.toISOString() : null,
    lastError: r.lastError,
    reply: r.reply,
    createdAt: r.createdAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
  };
}

export class NotificationsService {
  constructor(private readonly db: Db) {}

  async forRecipient(userId: string, opts: { limit: number }): Promise<MailSummary[]> {
    const rows = await this.db.mailMessage.findMany({ where: { recipientId: userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: opts.limit, select: SUMMARY });
    return rows.map(present);
  }

  async forTopic(topic: string, opts: { limit: number } = { limit: 500 }): Promise<MailSummary[]> {
    const rows = await this.db.mailMessage.findMany({ where: { topic }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: opts.limit, select: SUMMARY });
    return rows.map(present);
  }

  /** The newest messages first (older than `before` when given), and how many there are per status. */
  async outbox(opts: { status?: MailStatus; limit: number; before?: Date }): Promise<{ messages: MailSummary[]; counts: Record<MailStatus, number> }> {
    const rows = await this.db.mailMessage.findMany({
      where: { ...(opts.status ? { status: opts.status } : {}), ...(opts.before ? { createdAt: { lt: opts.before } } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: opts.limit,
      select: SUMMARY,
    });
    const groups = await this.db.mailMessage.groupBy({ by: ["status"], _count: { _all: true } });
    const counts = Object.fromEntries(MAIL_STATUSES.map((s) => [s, 0])) as Record<MailStatus, number>;
    for (const g of groups) if ((MAIL_STATUSES as readonly string[]).includes(g.status)) counts[g.status as MailStatus] = g._count._all;
    return { messages: rows.map(present), counts };
  }

  /** A failed message queued again with a fresh count of attempts; null if there is no such message, "not_failed" if it is not failed. */
  async retry(id: string, actorId: string | null = null): Promise<MailSummary | null | "not_failed"> {
    return withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const { count } = await tx.mailMessage.updateMany({
          where: { id, status: "failed" },
          data: { status: "queued", attempts: 0, nextAttemptAt: new Date(), lockedUntil: null },
        });
        const row = await tx.mailMessage.findUnique({ where: { id }, select: SUMMARY });
        if (!row) return null;
        if (count !== 1) return "not_failed" as const;
        await appendAudit(tx, [{ actorId, action: "mail.retried", subject: id, details: { template: row.template, lastError: row.lastError } }]);
        return present(row);
      }),
    );
  }
}
