import path from "node:path";
import express, { Router } from "express";

const PUBLIC_DIR = path.join(__dirname, "public");

/** The pages people open in a browser; static files only, no login needed to verify. */
export function webRoutes(): Router {
  const r = Router();
  r.use(express.static(PUBLIC_DIR, { index: "index.html", maxAge: "5m" }));
  return r;
}
