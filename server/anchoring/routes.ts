// /api/anchoring: the pipeline's state, for the platform administrator.
import { Router } from "express";
import { z } from "zod";
import { requireRole } from "../http/auth";
import { parseInput } from "../http/validate";

const query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();

export function anchoringRoutes(status: (limit: number) => Promise<unknown>): Router {
  const r = Router();
  r.get("/status", requireRole("admin"), async (req, res) => {
    res.json(await status(parseInput(query, req.query, "query").limit));
  });
  return r;
}
