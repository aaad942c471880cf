// The outbox: a feature queues a message inside the transaction of the event that causes it, so
// the event and its message commit together or not at all; the mail worker sends it later.
// A crash after the commit loses nothing (the row is queued); a message is never queued twice for
// one dedupe key (reminders, warnings), however many instances try.
import { randomBytes, randomUUID } from "node:crypto";
import type { Tx } from "../db/client";
import type { MailTemplate, TemplateParams } from "./templates";

export interface MailInput<T extends MailTemplate = MailTemplate> {
  template: T;
  params: TemplateParams[T];
  /** the recipient's address, already validated (the account's e-mail) */
  to: string;
  recipientId?: string | null;
  /** what it is about, for the people it concerns: "contract:<id>", "case:<id>", "user:<id>" */
  topic?: string | null;
  /** at most one message per key, ever */
  dedupeKey?: string;
}

/** The domain of the Message-ID headers: the platform's own host name. */
let messageIdDomain = "localhost";
export function setMessageIdDomain(publicUrl: string): void {
  try {
    messageIdDomain = new URL(publicUrl).hostname || "localhost";
  } catch {
    messageIdDomain = "localhost";
  }
}

/**
 * Queues messages in the caller's transaction; returns the ids of those queued (a dedupe key
 * already used queues nothing). Times are the machine's: the worker sends by them.
 */
export async function enqueueMail(tx: Tx, mails: MailInput[]): Promise<string[]> {
  const now = new Date();
  const ids: string[] = [];
  for (const m of mails) {
    if (m.dedupeKey && (await tx.mailMessage.findUnique({ where: { dedupeKey: m.dedupeKey }, select: { id: true } }))) continue;
    const id = randomUUID();
    await tx.mailMessage.create({
      data: {
        id,
        messageId: `<${id}.${randomBytes(4).toString("hex")}@${messageIdDomain}>`,
        dedupeKey: m.dedupeKey ?? null,
        template: m.template,
        params: JSON.stringify(m.params),
        toAddress: m.to,
        recipientId: m.recipientId ?? null,
        topic: m.topic ?? null,
        status: "queued",
        nextAttemptAt: now,
        createdAt: now,
      },
    });
    ids.push(id);
  }
  return ids;
}
