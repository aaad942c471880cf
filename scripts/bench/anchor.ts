// Anchoring: many queued leaves (enqueued in bulk first, not timed) taken through the anchoring
// worker's cycles until every one is in an anchored batch, on the platform's SQLite database and
// the embedded chain, in this process. Every batch is appended to the one log. Baselines, measured
// in the same run: the same appends in memory only (each batch's leaves and its audit-head leaf
// added to the log's tree, with every new leaf's audit path), and the chain's own time for as many
// anchor transactions sent straight to the registry. The target: anchoring within 3x their sum.
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import pino from "pino";
import { loadConfig } from "../../server/config";
import { openDatabase } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { connectChain } from "../../server/chain/connect";
import { verifyAnchorOnChain } from "../../server/chain/anchor-check";
import { AnchorWorker } from "../../server/anchoring/worker";
import { AuditService } from "../../server/audit/service";
import { IdentityService } from "../../server/identity/service";
import { KeyVault } from "../../server/pki/key-vault";
import { createAnchorWorker, openTransparencyLog } from "../../server/platform";
import { bundleForLeaf } from "../../server/anchoring/proof";
import { leafOf, type EvidenceRecord } from "../../server/core/evidence-record";
import { EMPTY_RANGE, extendRange } from "../../server/core/compact-range";
import { fromHex, toHex } from "../../server/core/hex";
import { verifyBundleOffline } from "../../server/core/proof-bundle";
import {
  BenchFailure,
  fmt,
  fmtInt,
  fmtRatio,
  median,
  now,
  seconds,
  sleep,
  table,
  type BenchContext,
  type SummaryRow,
} from "./common";

const ENQUEUE_CHUNK = 2_000;
const BUNDLES_CHECKED = 8;

/**
 * Records shaped as EvidenceService.accept builds them for an uploaded file (the digest of the
 * submitter's signature included; the signature itself is not needed to anchor).
 */
function buildRecords(n: number): { record: string; leafHash: string }[] {
  const submitter = { id: randomUUID() };
  const digests = randomBytes(n * 96);
  const start = Date.now();
  const out: { record: string; leafHash: string }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const record: EvidenceRecord = {
      type: "evidence",
      id: randomUUID(),
      sha256: toHex(digests.subarray(i * 96, i * 96 + 32)),
      sm3: toHex(digests.subarray(i * 96 + 32, i * 96 + 64)),
      size: 1024 + (i % 100_000),
      submitter,
      acceptedAt: new Date(start + i).toISOString(),
      signatureSha256: toHex(digests.subarray(i * 96 + 64, i * 96 + 96)),
    };
    const leaf = leafOf(record);
    out[i] = { record: leaf.input.toString("utf8"), leafHash: leaf.hash };
  }
  return out;
}

export async function anchorBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const n = ctx.quick ? 10_000 : 100_000;
  const dataDir = fs.mkdtempSync(path.join(ctx.scratch, "anchor-"));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" });
  const maxItems = config.BATCH_MAX_ITEMS;

  let t = now();
  const database = await openDatabase(resolveDbTarget(undefined, dataDir));
  const db = database.db;
  let chain: Awaited<ReturnType<typeof connectChain>> | null = null;
  let worker: AnchorWorker | null = null;
  try {
    chain = await connectChain(config);
    const registry = chain.registry;
    // The worker exactly as the server builds it (TSA token per root, audit events).
    const audit = new AuditService(db);
    const vault = KeyVault.open(dataDir, config.MASTER_KEY);
    const identity = new IdentityService(db, vault, config.PUBLIC_URL, audit);
    await identity.init();
    const tlog = await openTransparencyLog(config, db, vault);
    ctx.log(`database, embedded chain and identity service opened in ${fmt(seconds(t))} s`);
    worker = createAnchorWorker(config, database, registry, identity, audit, pino({ level: "silent" }), tlog);
    // The loop below drives cycle() itself, and fails instead of spinning if cycles stop making progress.
    // ---- enqueue (not counted) ----
    t = now();
    const leaves = buildRecords(n);
    const prepareS = seconds(t);
    t = now();
    for (let i = 0; i < n; i += ENQUEUE_CHUNK) {
      await db.leaf.createMany({
        data: leaves.slice(i, i + ENQUEUE_CHUNK).map((l) => ({ kind: "evidence", record: l.record, leafHash: l.leafHash })),
      });
    }
    const enqueueS = seconds(t);
    const queued = await db.leaf.count({ where: { batchId: null } });
    if (queued !== n) throw new BenchFailure(`enqueued ${queued} leaves, expected ${n}`);
    ctx.log(`built and hashed ${fmtInt(n)} records in ${fmt(prepareS)} s; enqueued them in ${fmt(enqueueS)} s`);

    // ---- baseline: the same log appends, in memory ----
    // each batch: maxItems leaves, then one leaf for the audit log's head (any hash stands for it)
    const hashes = leaves.map((l) => fromHex(l.leafHash));
    const headStandIn = randomBytes(32);
    const baselineTimes: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const tb = now();
      let range = EMPTY_RANGE;
      for (let i = 0; i < n; i += maxItems) range = extendRange(range, [...hashes.slice(i, i + maxItems), headStandIn]).range;
      baselineTimes.push(seconds(tb));
    }
    const baseS = median(baselineTimes);
    ctx.log(`in-memory log appends (roots + audit paths): ${fmt(baseS, 3)} s (median of 3)`);

    // ---- anchoring: worker cycles until every leaf is in an anchored batch ----
    const unfinished = async () =>
      (await db.leaf.count({ where: { batchId: null } })) + (await db.batch.count({ where: { status: { not: "anchored" } } }));
    let cycles = 0;
    const t0 = now();
    const startedAt = Date.now();
    let left = Infinity;
    let progressAt = Date.now();
    for (;;) {
      await worker.cycle();
      cycles++;
      const nowLeft = await unfinished();
      if (nowLeft === 0) break;
      if (nowLeft < left) [left, progressAt] = [nowLeft, Date.now()];
      // Only a final partial batch may legitimately wait (for BATCH_MAX_AGE_MS).
      if (Date.now() - progressAt > config.BATCH_MAX_AGE_MS + 30_000) {
        throw new BenchFailure(`anchoring made no progress for ${Math.round((Date.now() - progressAt) / 1000)} s (${cycles} cycles, ${nowLeft} leaves/batches unfinished)`);
      }
      await sleep(10);
    }
    const anchorS = seconds(t0);
    ctx.log(`anchored in ${fmt(anchorS)} s (${cycles} worker cycle${cycles === 1 ? "" : "s"})`);

    // ---- what it cost on chain ----
    const batches = await db.batch.findMany({ orderBy: { id: "asc" } });
    const txs = [...new Set(batches.map((b) => b.txHash!))];
    let gas = 0n;
    for (const h of txs) {
      const receipt = await registry.provider.getTransactionReceipt(h);
      if (!receipt || receipt.status !== 1) throw new BenchFailure(`anchor transaction ${h} has no successful receipt`);
      gas += receipt.gasUsed;
    }
    // every queued leaf in an anchored batch, with one audit-head leaf per batch, and the last
    // batch's checkpoint covering the whole log
    const batched = await db.leaf.count({ where: { kind: "evidence", batchId: { not: null } } });
    const heads = await db.leaf.count({ where: { kind: "audit-head" } });
    const logSize = await db.logEntry.count();
    if (batched !== n) throw new BenchFailure(`the anchored batches hold ${batched} queued leaves, expected ${n}`);
    if (heads !== batches.length || logSize !== n + heads || batches[batches.length - 1].treeSize !== logSize) {
      throw new BenchFailure(`${batches.length} batches, ${heads} audit-head leaves, log of ${logSize}, last checkpoint ${batches[batches.length - 1].treeSize}`);
    }
    const gasPerItem = Number(gas) / n;
    // Where the time went, from the batches' own timestamps (ms resolution).
    const closedBy = Math.max(...batches.map((b) => b.createdAt.getTime())) - startedAt;
    const firstSent = Math.min(...batches.map((b) => b.sentAt!.getTime()));
    const lastAnchored = Math.max(...batches.map((b) => b.anchoredAt!.getTime()));

    // ---- correctness: each batch's root is the log's root at its size, computed here from the entries ----
    const entries = (await db.logEntry.findMany({ orderBy: { index: "asc" }, select: { leafHash: true } })).map((e) => fromHex(e.leafHash));
    let range = EMPTY_RANGE;
    for (const [i, b] of batches.entries()) {
      const ext = extendRange(range, entries.slice(range.size, b.treeSize));
      if (toHex(ext.root) !== b.root) throw new BenchFailure(`batch #${i}: root ${b.root} is not the log's root at ${b.treeSize}`);
      range = ext.range;
    }

    // ---- the chain's own time: as many anchor transactions, straight to the registry ----
    const chainLog = "0x" + randomBytes(32).toString("hex");
    const tc = now();
    for (let i = 0; i < txs.length; i++) {
      const { raw, hash } = await registry.signAnchor("0x" + randomBytes(32).toString("hex"), i + 1, chainLog);
      await registry.broadcast(raw);
      for (;;) {
        const r = await registry.receipt(hash);
        if (r) {
          if (r.status !== 1) throw new BenchFailure(`baseline anchor transaction ${hash} reverted`);
          break;
        }
        await sleep(5);
      }
    }
    const chainS = seconds(tc);
    ctx.log(`the chain alone: ${txs.length} anchor transactions sent and mined in ${fmt(chainS, 2)} s`);

    const rows = await db.leaf.findMany({ select: { seq: true, leafHash: true }, orderBy: { seq: "asc" } });
    const picks = new Set<number>([0, rows.length - 1]);
    while (picks.size < Math.min(BUNDLES_CHECKED, rows.length)) picks.add(Math.floor(Math.random() * rows.length));
    for (const i of picks) {
      const { seq, leafHash } = rows[i];
      const bundle = await bundleForLeaf(db, seq);
      if (!bundle) throw new BenchFailure(`leaf ${seq}: no proof bundle although its batch is anchored`);
      if (bundle.merkle.leafHash !== leafHash) throw new BenchFailure(`leaf ${seq}: bundle names leaf ${bundle.merkle.leafHash}, not ${leafHash}`);
      const checks = [...verifyBundleOffline(bundle), ...(await verifyAnchorOnChain(registry.provider, bundle))];
      const failed = checks.filter((c) => !c.ok);
      if (failed.length || checks.length < 5) {
        throw new BenchFailure(`leaf ${seq}: bundle check failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ") || "checks missing"}`);
      }
    }
    ctx.log(`${picks.size} random bundles verified (offline and on chain); batch roots are the log's roots at their sizes`);

    const floorS = baseS + chainS;
    const ratio = floorS / anchorS;
    console.log(`\nanchor: ${fmtInt(n)} queued leaves, BATCH_MAX_ITEMS ${maxItems}, SQLite + embedded chain; ratio = (in-memory appends + chain alone) / time`);
    console.log(
      table(
        ["case", "s", "items/s", "ratio", ""],
        [
          ["in-memory log appends + audit paths (baseline)", fmt(baseS, 3), fmtInt(n / baseS), "", ""],
          [`the chain alone: ${txs.length} anchor transactions (baseline)`, fmt(chainS, 3), "", "", ""],
          ["sum of the baselines", fmt(floorS, 3), fmtInt(n / floorS), fmtRatio(1), ""],
          [
            "worker cycles until all anchored",
            fmt(anchorS, 2),
            fmtInt(n / anchorS),
            fmtRatio(ratio),
            `${txs.length} tx, gas ${fmtInt(Number(gas))} (${fmt(gasPerItem, 1)}/item)`,
          ],
          ["enqueue: build + hash records (not counted)", fmt(prepareS, 2), fmtInt(n / prepareS), "", ""],
          ["enqueue: leaf.createMany (not counted)", fmt(enqueueS, 2), fmtInt(n / enqueueS), "", ""],
        ],
      ),
    );
    console.log(
      `  of the anchoring time: batches closed (trees, audit paths written) ${fmt(closedBy / 1000)} s after the start; ` +
        `sending + confirming ${txs.length} anchors took ${fmt((lastAnchored - firstSent) / 1000)} s`,
    );
    return [
      {
        bench: "anchor",
        case: `baseline: in-memory log appends, ${fmtInt(n)} leaves, + the chain alone, ${txs.length} tx`,
        result: `${fmt(baseS, 3)} s + ${fmt(chainS, 3)} s = ${fmt(floorS, 3)} s`,
        ratio: 1,
      },
      {
        bench: "anchor",
        case: `worker: close batches + anchor on chain, ${fmtInt(n)} leaves`,
        result: `${fmt(anchorS, 2)} s, ${fmtInt(n / anchorS)} items/s, ${txs.length} tx, ${fmtInt(Number(gas))} gas, ${fmt(gasPerItem, 1)} gas/item`,
        ratio,
        target: ">= 0.33x (within 3x of the baselines)",
        met: ratio >= 1 / 3,
      },
      {
        bench: "anchor",
        case: `enqueue ${fmtInt(n)} leaves with createMany (not counted)`,
        result: `${fmt(enqueueS, 2)} s, ${fmtInt(n / enqueueS)} items/s (+ ${fmt(prepareS, 2)} s building records)`,
        ratio: null,
      },
    ];
  } finally {
    await worker?.stop().catch(() => undefined);
    chain?.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
