// /api/log: the transparency log, public and read-only (like the CA's certificates and CRLs), so
// that anyone can follow it: the latest signed checkpoint, any checkpoint it signed, its verifier
// key, and inclusion and consistency proofs computed from its leaves.
import { Router } from "express";
import { z } from "zod";
import { normalizeHex32 } from "../core/hex";
import { ApiError, badRequest, notFound } from "../http/errors";
import { parseInput } from "../http/validate";
import type { LogReader } from "./reader";

const size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const inclusionQuery = z
  .object({ index: size.optional(), leafHash: z.string().optional(), treeSize: size.optional() })
  .strict()
  .refine((q) => (q.index === undefined) !== (q.leafHash === undefined), "give exactly one of index and leafHash");
const consistencyQuery = z.object({ from: size.min(1), to: size }).strict();

export function logRoutes(log: LogReader): Router {
  const r = Router();
  const text = (res: import("express").Response, body: string) => res.type("text/plain; charset=utf-8").set("Cache-Control", "no-cache").send(body);

  r.get("/checkpoint", async (_req, res) => text(res, (await log.head()).checkpoint));
  r.get("/key", async (_req, res) => text(res, (await log.verifierKey()) + "\n"));
  r.get("/checkpoints/:treeSize", async (req, res) => {
    const treeSize = parseInput(size, req.params.treeSize, "treeSize");
    const cp = await log.checkpointAt(treeSize);
    if (!cp) throw notFound(`a checkpoint of size ${treeSize}`);
    text(res, cp.note);
  });

  r.get("/proof/inclusion", async (req, res) => {
    const q = parseInput(inclusionQuery, req.query, "query");
    const treeSize = q.treeSize ?? (await log.currentSize());
    let index = q.index;
    if (q.leafHash !== undefined) {
      const hex = normalizeHex32(q.leafHash);
      if (!hex) throw badRequest("invalid_input", "query.leafHash: must be 64 hex digits (optionally 0x-prefixed)");
      const found = await log.indexOf(hex);
      if (found === null) throw notFound("a leaf with this hash");
      index = found;
    }
    const proof = await log.inclusionProof(index!, treeSize);
    if (!proof) throw new ApiError(400, "out_of_range", `leaf ${index} is not in a tree of size ${treeSize} (the log has ${await log.currentSize()})`);
    res.json(proof);
  });

  r.get("/proof/consistency", async (req, res) => {
    const q = parseInput(consistencyQuery, req.query, "query");
    const proof = await log.consistencyProof(q.from, q.to);
    if (!proof) throw new ApiError(400, "out_of_range", `no consistency proof from ${q.from} to ${q.to} (the log has ${await log.currentSize()})`);
    res.json(proof);
  });
  return r;
}
