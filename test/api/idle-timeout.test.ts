// A client that announces a body and then goes silent does not hold a connection forever: after
// IDLE_TIMEOUT_MS of silence it gets 408 with the error body and the connection is closed. A slow
// upload that keeps sending is not cut.
import { expect } from "chai";
import net from "node:net";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

const IDLE_MS = 800;

/** Opens a socket, writes `parts` with `gapMs` between them, and collects everything until close. */
function converse(tp: TestPlatform, parts: string[], gapMs: number): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(tp.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("error", reject);
    socket.on("close", () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.on("connect", async () => {
      for (const [i, p] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!socket.writable) return;
        socket.write(p);
      }
    });
  });
}

describe("idle requests (IDLE_TIMEOUT_MS)", function () {
  this.timeout(30_000);
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform({ IDLE_TIMEOUT_MS: String(IDLE_MS) });
  });
  after(async () => tp.stop());

  it("a body announced and never sent: 408 request_timeout with the error body, then the connection closes", async () => {
    const head = `POST /api/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"sha256":`;
    const { text, closedAfterMs } = await converse(tp, [head], 0);
    expect(text).to.match(/^HTTP\/1\.1 408 /);
    expect(text).to.contain('"code":"request_timeout"');
    expect(closedAfterMs).to.be.within(IDLE_MS - 50, 10_000);
    // The server goes on serving.
    expect((await tp.api("GET", "/api/health")).status).to.equal(200);
  });

  it("an upload that keeps sending slowly, each gap shorter than the limit, is accepted", async () => {
    const boundary = "b0undary";
    const body = [`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n`, "slow ", "but ", "steady", `\r\n--${boundary}--\r\n`];
    const length = body.reduce((n, p) => n + Buffer.byteLength(p), 0);
    const head =
      `POST /api/evidence HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tp.adminToken}\r\nConnection: close\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`;
    const { text, closedAfterMs } = await converse(tp, [head, ...body], IDLE_MS / 2);
    expect(closedAfterMs).to.be.greaterThan(IDLE_MS * 2);
    expect(text, text).to.match(/^HTTP\/1\.1 201 /);
  });
});
