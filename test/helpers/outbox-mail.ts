// The mail the platform wrote to DATA_DIR/outbox (its embedded default without SMTP_URL), parsed
// with mailparser as a mail client would: for tests that follow a link or a code sent by mail.
import fs from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";

export interface ReceivedMail {
  file: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

export async function outboxMail(dataDir: string): Promise<ReceivedMail[]> {
  const dir = path.join(dataDir, "outbox");
  if (!fs.existsSync(dir)) return [];
  const out: ReceivedMail[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort()) {
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, file)));
    const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
    out.push({ file, to, subject: parsed.subject ?? "", text: parsed.text ?? "", messageId: parsed.messageId ?? "" });
  }
  return out;
}

/** Waits for mail to `to` whose subject matches; returns every such mail once at least `count` have arrived. */
export async function waitForMail(dataDir: string, to: string, subject: RegExp, { count = 1, timeoutMs = 15_000 } = {}): Promise<ReceivedMail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await outboxMail(dataDir)).filter((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));
    if (found.length >= count) return found;
    if (Date.now() > until) throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms (found ${found.length})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first link in a mail's text that contains `marker` (e.g. "/sign/#token="). */
export function linkIn(mail: ReceivedMail, marker: string): string {
  const m = mail.text.split(/\s+/).find((w) => /^https?:\/\//.test(w) && w.includes(marker));
  if (!m) throw new Error(`no link with ${marker} in:\n${mail.text}`);
  return m;
}

/** The 6-digit code of a signing-code mail. */
export function codeIn(mail: ReceivedMail): string {
  const m = /\b(\d{6})\b/.exec(mail.subject);
  if (!m) throw new Error(`no code in: ${mail.subject}`);
  return m[1];
}
