import path from "node:path";
import express, { Router, type RequestHandler } from "express";

const PUBLIC_DIR = path.join(__dirname, "public");

/**
 * The verification page checks a proof bundle against a JSON-RPC endpoint its user chooses (this
 * server's /rpc by default), so its fetches may go to any http(s) origin: the site-wide
 * Content-Security-Policy's connect-src is widened for these pages only; every other directive
 * stays as set. (Scripts remain 'self'; the endpoint must itself allow CORS.)
 */
const allowChosenRpcEndpoints: RequestHandler = (_req, res, next) => {
  const csp = res.getHeader("Content-Security-Policy");
  if (typeof csp === "string") {
    const widened = /(^|;)\s*connect-src\s/.test(csp)
      ? csp.replace(/(^|;)(\s*)connect-src\s+([^;]*)/, (_m, sep: string, ws: string, list: string) => `${sep}${ws}connect-src ${list.trim()} https: http:`)
      : `${csp};connect-src 'self' https: http:`;
    res.setHeader("Content-Security-Policy", widened);
  }
  next();
};

/** The pages people open in a browser; static files only, no login needed to verify. */
export function webRoutes(): Router {
  const r = Router();
  r.use(allowChosenRpcEndpoints);
  r.use(express.static(PUBLIC_DIR, { index: "index.html", maxAge: "5m" }));
  return r;
}
