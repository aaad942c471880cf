// The one error shape of the API: {error: {code, message}} with a 4xx status for bad input.
import { allowedMethods } from "./allowed-methods";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const forbidden = (message = "your role does not allow this") => new ApiError(403, "forbidden", message);

export const unknownRoute: RequestHandler = (req, _res, next) => {
  // The whole path: req.path is relative to where this handler is mounted.
  const path = req.originalUrl.split("?")[0];
  const allowed = allowedMethods((req.app as unknown as { router?: { stack?: never[] } }).router?.stack, path);
  if (allowed.size > 0 && !allowed.has(req.method)) {
    const allow = [...allowed].sort().join(", ");
    return next(new ApiError(405, "method_not_allowed", `${req.method} is not allowed here; allowed: ${allow}`, { Allow: allow }));
  }
  next(new ApiError(404, "no_such_route", `no route ${req.method} ${req.path}`));
};

/** Body-parser and other library errors carry a status and a type; map them to our codes. */
function fromLibraryError(err: { status?: number; type?: string; message?: string }): ApiError | null {
  if (err.type === "entity.too.large") return new ApiError(413, "body_too_large", "request body is too large");
  if (err.type === "entity.parse.failed") return new ApiError(400, "malformed_json", "request body is not valid JSON");
  if (err.type === "encoding.unsupported" || err.type === "charset.unsupported") {
    return new ApiError(415, "unsupported_encoding", err.message ?? "unsupported encoding");
  }
  if (typeof err.status === "number" && err.status >= 400 && err.status < 500) {
    return new ApiError(err.status, "bad_request", err.message ?? "bad request");
  }
  return null;
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01", // PostgreSQL: admin shutdown
  "57P02", // crash shutdown
  "57P03", // cannot connect now (starting up)
  "08000", // connection exceptions
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001", // Prisma: can't reach database server
  "P1002",
  "P1017", // server closed the connection
  "SQLITE_BUSY",
]);

/** True when the error (or a cause of it) says the database cannot be reached right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === "string" && /Connection terminated|connect ECONNREFUSED|database system is (shutting down|starting up)|Can't reach database server|server closed the connection/i.test(e.message)) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known =
      err instanceof ApiError
        ? err
        : isDatabaseUnavailable(err)
          ? new ApiError(503, "database_unavailable", "the database is unavailable; retry shortly", { "Retry-After": "5" })
          : fromLibraryError(err ?? {});
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (known) {
      res.set(known.headers).status(known.status).json({ error: { code: known.code, message: known.message } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, "request failed");
    res.status(500).json({ error: { code: "internal", message: "internal error" } });
  };
}
