// The HTTP server around the app. Requests that Node refuses before they reach the app (a
// malformed request line or header, a bare CR or LF in a header value, an invalid or conflicting
// Content-Length, oversized headers, no Host, an unsupported Expect) get the API's error body too,
// where Node's own answer would have none.
import http from "node:http";
import type { Duplex } from "node:stream";

const PARSER_REFUSALS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: "Request Header Fields Too Large", code: "headers_too_large", message: "the request headers are too large" },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: "Payload Too Large", code: "body_too_large", message: "the chunk extensions are too large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the request took too long to arrive" },
};
const MALFORMED = { status: 400, reason: "Bad Request", code: "malformed_request", message: "the request is not valid HTTP/1.1" };

export interface HttpServerOptions {
  /**
   * A connection with a request in flight that sends nothing for this long is answered 408 and
   * closed: a client announcing a body and never sending it would otherwise hold it forever.
   * Slow uploads that keep sending are not cut. 0 turns it off.
   */
  idleTimeoutMs?: number;
}

export function createHttpServer(app: http.RequestListener, opts: HttpServerOptions = {}): http.Server {
  // Node's own checks for these two answer without a body; they are made here instead.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    // RFC 9112 section 3.2: an HTTP/1.1 request without a Host header is a 400.
    if (req.httpVersion === "1.1" && req.headers.host === undefined) {
      return answer(res, 400, "missing_host", "an HTTP/1.1 request needs a Host header");
    }
    app(req, res);
  });
  server.on("clientError", answerClientError);
  // Whole requests may take long (large uploads): only silence is limited.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  if (opts.idleTimeoutMs) {
    server.setTimeout(opts.idleTimeoutMs, (socket) => {
      const res = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
      if (!res || res.headersSent) {
        socket.destroy();
      } else if (!res.req.complete) {
        answer(res, 408, "request_timeout", `nothing arrived for ${Math.round(opts.idleTimeoutMs! / 1000)} s; the request was abandoned`);
        res.on("finish", () => socket.destroy());
      }
      // Otherwise the whole request arrived and the server is still at work on it (a large file's
      // last fsync): its answer is awaited, not cut off.
    });
  }
  // An Expect other than 100-continue (RFC 9110 section 10.1.1).
  server.on("checkExpectation", (_req: http.IncomingMessage, res: http.ServerResponse) =>
    answer(res, 417, "expectation_failed", "only 'Expect: 100-continue' is supported"),
  );
  return server;
}

/** An error answered before the app, closing the connection as Node does. */
function answer(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "X-Content-Type-Options": "nosniff",
    Connection: "close",
  });
  res.end(body);
}

/** Node's default clientError behaviour, with a JSON error body. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node does: answer only if nothing of a response in flight on this socket was sent yet.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const r = PARSER_REFUSALS[err.code ?? ""] ?? MALFORMED;
  const body = JSON.stringify({ error: { code: r.code, message: r.message } });
  socket.end(
    `HTTP/1.1 ${r.status} ${r.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
