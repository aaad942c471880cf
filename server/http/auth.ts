import type { Request, RequestHandler } from "express";
import type { AccountService } from "../accounts/service";
import type { Principal, Role } from "../accounts/roles";
import { ApiError, forbidden } from "./errors";

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

const UNAUTHORIZED = (message: string) =>
  new ApiError(401, "unauthorized", message, { "WWW-Authenticate": 'Bearer realm="api"' });

/** Requires a valid bearer token; sets req.principal. */
export function requireAuth(accounts: AccountService): RequestHandler {
  return async (req, _res, next) => {
    // Routers for one path prefix may each be mounted behind this (/api/cases and /api/cases/:id/file):
    // a request they pass along has been authenticated once already.
    if (req.principal) return next();
    const header = req.get("authorization");
    if (!header) return next(UNAUTHORIZED("a bearer token is required"));
    // The scheme is case-insensitive (RFC 7235 §2.1); the token is not.
    const m = /^Bearer +([A-Za-z0-9_\-]{1,200})$/i.exec(header);
    if (!m) return next(UNAUTHORIZED("the Authorization header must be 'Bearer <token>'"));
    const principal = await accounts.authenticate(m[1]);
    if (!principal) return next(UNAUTHORIZED("the token is unknown, expired or revoked"));
    req.principal = principal;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal || !roles.includes(req.principal.role)) {
      return next(forbidden(`this needs the role ${roles.join(" or ")}`));
    }
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error("route mounted without requireAuth");
  return req.principal;
}
