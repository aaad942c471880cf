// Baseline of the verify benchmark: a bare Express 5 app whose POST /verify reads the JSON body and
// answers with the evidence items of that SHA-256, found by one indexed read (evidenceItem.sha256)
// of the platform's own database through the same Prisma client and driver. Listens on
// 127.0.0.1:$PORT; the database is DATA_DIR's SQLite file, or DATABASE_URL.
import express from "express";
import { openDatabase } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";

async function main(): Promise<void> {
  const { db } = await openDatabase(resolveDbTarget(process.env.DATABASE_URL, process.env.DATA_DIR!));
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json());
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });
  app.post("/verify", async (req, res) => {
    const sha256 = String((req.body as { sha256?: unknown }).sha256);
    const matches = await db.evidenceItem.findMany({ where: { sha256 }, select: { id: true, leafSeq: true } });
    res.json({ sha256, anchored: matches.length > 0, matches });
  });
  const server = app.listen(Number(process.env.PORT), "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void db.$disconnect().finally(() => process.exit(0));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
