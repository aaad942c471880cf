// Child process of the ingest benchmark: one ContentStore.put of a file, as the intake route does
// it for a large upload (sizeHint set, so SHA-256 and SM3 run on worker threads beside the write). Prints one JSON line:
// wall time of the put, the digests, and the process's peak RSS (KiB, worker thread included).
// It runs the compiled server (dist/server, built by the benchmark's start), as `npm start` does.
// Usage: node scripts/bench/ingest-runner.js <dataDir> <file>
"use strict";
const fs = require("node:fs");
const { ContentStore } = require("../../dist/server/storage/content-store");

async function main() {
  const [dataDir, file] = process.argv.slice(2);
  if (!dataDir || !file) throw new Error("usage: ingest-runner.js <dataDir> <file>");
  const size = fs.statSync(file).size;
  const store = new ContentStore(dataDir);
  const rssBeforeKiB = Math.round(process.memoryUsage().rss / 1024);
  const t0 = process.hrtime.bigint();
  const stored = await store.put(fs.createReadStream(file, { highWaterMark: 1 << 20 }), {
    maxBytes: Number.MAX_SAFE_INTEGER,
    sizeHint: size,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = {
    seconds,
    sha256: stored.sha256,
    sm3: stored.sm3,
    size: stored.size,
    storedAt: store.pathOf(stored.sha256),
    rssBeforeKiB,
    maxRssKiB: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
