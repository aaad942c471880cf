// Cross-cutting HTTP protections: security headers, a strict CORS policy, request ids in
// structured logs, and rate limits per IP and per token.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import helmet from "helmet";
import { rateLimit, type Options as RateLimitOptions, type Store } from "express-rate-limit";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Request id: the caller's X-Request-Id when well-formed, else a new one; echoed and logged. */
export function requestLogging(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log,
    genReqId: (req, res) => {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split("?")[0].replace(/\/sgn_[A-Za-z0-9_-]+/, "/sgn_[redacted]") }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/**
 * Security headers. `extraConnectSrc` widens only where pages may fetch from: the verification page
 * checks a bundle against a JSON-RPC endpoint its user chooses (the endpoint must allow CORS).
 * `frameSrc` lets a page frame those sources: the signing page shows the contract in the browser's
 * own PDF viewer, from a blob: URL of the PDF it fetched.
 */
export function securityHeaders(extraConnectSrc: string[] = [], frameSrc: string[] = []): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "blob:"],
        connectSrc: ["'self'", ...extraConnectSrc],
        objectSrc: ["'none'"],
        ...(frameSrc.length ? { frameSrc } : {}),
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  });
}

/**
 * CORS: only the origins listed in CORS_ORIGINS get CORS headers; preflights from any other origin
 * are refused. Same-origin pages need none of it.
 */
export function strictCors(allowed: readonly string[]): RequestHandler {
  const set = new Set(allowed);
  return (req, res, next) => {
    const origin = req.get("origin");
    if (!origin) return next();
    res.vary("Origin");
    if (!set.has(origin)) {
      if (req.method === "OPTIONS") {
        res.status(403).json({ error: { code: "cors_origin_refused", message: `origin ${origin} is not allowed` } });
        return;
      }
      return next();
    }
    res.set({
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Expose-Headers": "X-Request-Id, Retry-After, Location",
    });
    if (req.method === "OPTIONS") {
      res.set({
        "Access-Control-Allow-Methods": "GET, POST, DELETE",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Request-Id",
        "Access-Control-Max-Age": "600",
      });
      res.status(204).end();
      return;
    }
    next();
  };
}

/** Where a limiter keeps its counters; none means this process's memory (one instance only). */
export type RateLimitStoreFactory = (limiterName: string) => Store;

function limiter(limit: number, key: RateLimitOptions["keyGenerator"], what: string, store?: Store): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    keyGenerator: key,
    ...(store ? { store } : {}),
    // The database being down is answered by the routes (503); the limiter does not turn it into a 500.
    passOnStoreError: true,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    handler: (_req, res, _next, options) => {
      res.set("Retry-After", String(Math.ceil(options.windowMs / 1000)));
      res.status(429).json({ error: { code: "rate_limited", message: `too many requests ${what}; retry later` } });
    },
  });
}

const ipKey = (req: { ip?: string; socket: { remoteAddress?: string } }) => req.ip ?? req.socket.remoteAddress ?? "unknown";

export const perIpLimit = (limit: number, store?: Store) => limiter(limit, (req) => ipKey(req), "from this address", store);
/** Keyed by the bearer token when one is sent (machines share IPs), else by IP. */
export const perTokenLimit = (limit: number, store?: Store) =>
  limiter(
    limit,
    (req) => {
      const auth = req.get("authorization");
      const token = auth && /^bearer +(\S{1,200})/i.exec(auth)?.[1];
      return token ? `token:${token}` : `ip:${ipKey(req)}`;
    },
    "for this token",
    store,
  );
