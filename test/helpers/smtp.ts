// A real SMTP server on 127.0.0.1 (smtp-server, no TLS, no authentication) that keeps every
// message it accepts, parsed with mailparser. It can be stopped and started again on the same
// port, to play a mail server that goes away, and told to refuse some recipients with a 550.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export interface ReceivedMail {
  /** the SMTP envelope, as the client gave it */
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  headers: Map<string, unknown>;
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  messages: ReceivedMail[];
  /** recipients answered "550 no such mailbox" at RCPT TO */
  rejected: Set<string>;
  /** connections accepted so far (a stopped server accepts none) */
  connections: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
}

const addressText = (a: unknown): string => {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.map((x: { text?: string }) => x.text ?? "").join(", ");
};

export async function startSmtpServer(): Promise<TestSmtpServer> {
  let server: SMTPServer | null = null;
  let port = 0;
  const t: TestSmtpServer = {
    port: 0,
    url: "",
    messages: [],
    rejected: new Set(),
    connections: 0,
    async start() {
      if (server) return;
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        // Nothing lingers after stop(): a stopped server is gone, not half there.
        closeTimeout: 50,
        onConnect(_session, cb) {
          t.connections++;
          cb();
        },
        onRcptTo(address, _session, cb) {
          if (!t.rejected.has(address.address.toLowerCase())) return cb();
          cb(Object.assign(new Error("no such mailbox"), { responseCode: 550 }));
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", async () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            try {
              const m = await simpleParser(raw);
              t.messages.push({
                envelope: {
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
                from: addressText(m.from),
                to: addressText(m.to),
                subject: m.subject ?? "",
                text: m.text ?? "",
                messageId: m.messageId ?? "",
                headers: m.headers as Map<string, unknown>,
                raw,
              });
              cb(null, "Message accepted");
            } catch (e) {
              cb(e as Error);
            }
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => {
          s.off("error", reject);
          resolve();
        });
      });
      // Connection-level errors (a client hanging up) are not failures of the server.
      s.on("error", () => undefined);
      port = (s.server.address() as { port: number }).port;
      t.port = port;
      t.url = `smtp://127.0.0.1:${port}`;
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(t.messages)) {
        if (Date.now() > until) throw new Error(`timed out waiting for mail; received ${t.messages.length}: ${t.messages.map((m) => `${m.envelope.to} ${m.subject}`).join("; ")}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return t.messages;
    },
  };
  await t.start();
  return t;
}
