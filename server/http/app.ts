// The HTTP layer: parsers, hardening, the one error handler. Thin by design, and below the
// features: it knows none of them. What is mounted where is composed beside platform.ts
// (server/routes.ts) and handed in as mounts.
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import type { Logger } from "pino";
import { perIpLimit, perTokenLimit, requestLogging, securityHeaders, strictCors, type RateLimitStoreFactory } from "./hardening";
import { errorHandler, unknownRoute } from "./errors";

/** A path and what serves it, in the order given. */
export type Mount = [path: string, ...handlers: (RequestHandler | ErrorRequestHandler)[]];

export interface AppDeps {
  log: Logger;
  maxJsonBytes: number;
  corsOrigins: string[];
  limits: { perIpPerMin: number; perTokenPerMin: number; loginPerMin: number; store?: RateLimitStoreFactory };
  /** Mounted before the JSON parser: routes that read their raw body themselves (/api/tsa). */
  rawBodyMounts: Mount[];
  /** The API and /rpc, after the JSON parser; unknown /api paths then answer 404 no_such_route. */
  apiMounts: Mount[];
  /** The pages, last. */
  pages: RequestHandler;
}

export function buildApp(d: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestLogging(d.log));
  app.use(securityHeaders());
  app.use(strictCors(d.corsOrigins));
  app.use(perIpLimit(d.limits.perIpPerMin, d.limits.store?.("ip")));
  app.use("/api/auth/login", perIpLimit(d.limits.loginPerMin, d.limits.store?.("login")));
  app.use("/api", perTokenLimit(d.limits.perTokenPerMin, d.limits.store?.("token")));
  // Before the JSON parser: a JSON body parsed first would leave such a route waiting for a stream already consumed.
  for (const [path, ...handlers] of d.rawBodyMounts) app.use(path, ...handlers);
  app.use(express.json({ limit: d.maxJsonBytes, type: ["application/json", "application/*+json"] }));
  for (const [path, ...handlers] of d.apiMounts) app.use(path, ...handlers);
  app.use("/api", unknownRoute);
  app.use(d.pages);
  app.use(unknownRoute);
  app.use(errorHandler(d.log));
  return app;
}

