// A webhook receiver for the tests: a real HTTP server on loopback recording every request (path,
// headers, raw body), answering with the statuses queued for a path (200 otherwise); it can be
// stopped and started again on the same port (a receiver that is down). Given a key and certificate
// it serves HTTPS.
import http from "node:http";
import https from "node:https";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  private readonly statuses = new Map<string, number[]>();
  private server: http.Server | null = null;
  port = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  async start(port = this.port): Promise<void> {
    const handler: http.RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        const status = this.statuses.get(path)?.shift() ?? 200;
        res.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : {}).end("ok");
      });
    };
    this.server = this.tls ? https.createServer(this.tls, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** The next requests to `path` are answered with these statuses, in order. */
  answer(path: string, ...statuses: number[]): void {
    this.statuses.set(path, [...(this.statuses.get(path) ?? []), ...statuses]);
  }

  url(path: string, host = "127.0.0.1"): string {
    return `${this.tls ? "https" : "http"}://${host}:${this.port}${path}`;
  }

  at(path: string): (Received & { json: any })[] {
    return this.received.filter((r) => r.path === path).map((r) => ({ ...r, json: JSON.parse(r.body) }));
  }
}

/** Waits until `check` returns a truthy value (polling), or fails after timeoutMs. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000, what = "condition"): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, false | null | undefined | 0 | "">;
    if (Date.now() > until) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
