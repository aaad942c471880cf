import path from "node:path";
import express, { Router } from "express";
import { securityHeaders } from "../http/hardening";

const PUBLIC_DIR = path.join(__dirname, "public");
const ECHARTS = require.resolve("echarts/dist/echarts.esm.min.mjs");
const PDFJS = path.dirname(require.resolve("pdfjs-dist/build/pdf.min.mjs"));

/** The pages people open in a browser; static files only, no login needed to verify. */
export function webRoutes(): Router {
  const r = Router();
  // The page may check a bundle against any JSON-RPC endpoint its user names.
  r.use(securityHeaders(["https:", "http:"]));
  // The signing page (/sign/#token=…) fetches only from the API, and frames the contract's PDF as a blob: URL.
  r.use("/sign", securityHeaders([], ["blob:"]));
  // The dashboard's charting library, from its npm package: no request leaves the platform.
  r.get("/vendor/echarts.esm.min.mjs", (_req, res) => {
    res.type("text/javascript").set("Cache-Control", "no-cache").sendFile(ECHARTS);
  });
  // pdf.js draws a contract's pages where fields are placed and signed, from its npm package too.
  for (const file of ["pdf.min.mjs", "pdf.worker.min.mjs"]) {
    r.get(`/vendor/pdfjs/${file}`, (_req, res) => {
      res.type("text/javascript").set("Cache-Control", "no-cache").sendFile(path.join(PDFJS, file));
    });
  }
  // Revalidated on every load (ETag), so a page and its scripts never mix versions after an upgrade.
  r.use(express.static(PUBLIC_DIR, { index: "index.html", cacheControl: true, maxAge: 0, setHeaders: (res) => res.setHeader("Cache-Control", "no-cache") }));
  return r;
}
