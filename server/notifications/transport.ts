// How a message leaves the platform: over SMTP when SMTP_URL is set, else as an .eml file under
// DATA_DIR/outbox (a test or a first install without a mail server still sees every message).
// Either way nodemailer builds the message, so headers are encoded by the library, never by hand.
import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import { writeFileDurably } from "../storage/durable";

export interface OutgoingMail {
  /** the row's Message-ID, fixed when it was queued */
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** Resolves once the server accepted the message (or the file is on disk); reply is what it said. */
  send(mail: OutgoingMail): Promise<{ reply: string }>;
  /** Where messages go, without credentials. */
  describe(): string;
  close(): void;
}

/** A recipient refused before anything is sent: retrying cannot help. */
export class InvalidAddressError extends Error {
  readonly permanent = true;
  readonly code = "EADDRESS";
}

// Deliberately narrower than RFC 5322: no display name, comments, quoting or spaces, exactly one
// "@". An account's address that fails this is refused rather than guessed at; a dotless domain
// (admin@localhost) is left for the server to judge.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkAddress(address: string): string {
  if (/[\r\n]/.test(address)) throw new InvalidAddressError("the address contains a line break");
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const ok = at > 0 && address.length <= 254 && local.length <= 64 && LOCAL.test(local) && domain.split(".").every((l) => LABEL.test(l));
  if (!ok) throw new InvalidAddressError(`not a deliverable address: ${JSON.stringify(address)}`);
  return address;
}

/** The .eml file of a message: its Message-ID with anything but [A-Za-z0-9._-] replaced. */
export function emlFileName(messageId: string): string {
  const safe = messageId.replace(/^<|>$/g, "").replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 200);
  return `${safe || "message"}.eml`;
}

function defaultFrom(publicUrl: string): SendMailOptions["from"] {
  let host = "localhost";
  try {
    host = new URL(publicUrl).hostname || host;
  } catch {
    /* the config already checked it; keep the fallback */
  }
  // An IP address is a domain only as an address literal (RFC 5321 §4.1.3).
  if (/^[\d.]+$/.test(host)) host = `[${host}]`;
  else if (host.startsWith("[")) host = `[IPv6:${host.slice(1, -1)}]`;
  return { name: "电子证据存证平台 Evidence platform", address: `no-reply@${host}` };
}

function message(from: SendMailOptions["from"], mail: OutgoingMail): SendMailOptions {
  return {
    from,
    // An object, not a string: nodemailer would parse a string as a list of addresses.
    to: { name: "", address: checkAddress(mail.to) },
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    date: new Date(),
    textEncoding: "quoted-printable",
  };
}

export function createMailTransport(opts: { smtpUrl?: string; from?: string; dataDir: string; publicUrl: string }): MailTransport {
  if (opts.from !== undefined && /[\r\n]/.test(opts.from)) throw new Error("MAIL_FROM must be one line");
  const from = opts.from ?? defaultFrom(opts.publicUrl);
  return opts.smtpUrl ? smtpTransport(opts.smtpUrl, from) : fileTransport(path.join(opts.dataDir, "outbox"), from);
}

function smtpTransport(url: string, from: SendMailOptions["from"]): MailTransport {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "smtps:" ? "465" : "587");
  // Bounded waits: a server that accepts the connection and then says nothing fails the attempt
  // (to be retried) instead of holding the worker past its lease.
  const transport = nodemailer.createTransport({ url, pool: false, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    async send(mail) {
      const info = await transport.sendMail(message(from, mail));
      return { reply: String(info.response ?? "") };
    },
    describe: () => `smtp ${parsed.hostname}:${port}`,
    close: () => transport.close(),
  };
}

function fileTransport(dir: string, from: SendMailOptions["from"]): MailTransport {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    async send(mail) {
      const info = await transport.sendMail(message(from, mail));
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = emlFileName(mail.messageId);
      // Named by the Message-ID: a re-send after a crash replaces the file instead of adding one.
      writeFileDurably(path.join(dir, file), info.message as Buffer);
      return { reply: `written to outbox/${file}` };
    },
    describe: () => `files in ${dir}`,
    close: () => transport.close(),
  };
}
