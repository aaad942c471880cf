// The HTTP server around the app. Requests that Node's HTTP parser refuses before they reach the
// app (a malformed request line or header, a bare CR or LF in a header value, an invalid or
// conflicting Content-Length, oversized headers) get the API's error body too, where Node's own
// answer would have none.
import http from "node:http";
import type { Duplex } from "node:stream";

const PARSER_REFUSALS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: "Request Header Fields Too Large", code: "headers_too_large", message: "the request headers are too large" },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, reason: "Payload Too Large", code: "body_too_large", message: "the chunk extensions are too large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the request took too long to arrive" },
};
const MALFORMED = { status: 400, reason: "Bad Request", code: "malformed_request", message: "the request is not valid HTTP/1.1" };

export function createHttpServer(app: http.RequestListener): http.Server {
  const server = http.createServer(app);
  server.on("clientError", answerClientError);
  return server;
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
