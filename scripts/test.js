#!/usr/bin/env node
// The whole test suite: type check, then every test on the embedded SQLite database, and the
// database-backed tests again on PostgreSQL when TEST_POSTGRES_URL names a server (with the
// multi-instance test, which needs a database that several processes share)
// (e.g. postgresql://postgres@127.0.0.1:5432/postgres; each run creates and drops its own database).
// The two passes run side by side: most of a test's time is spent waiting on child processes, the
// chain and the database, so two mocha processes finish in little more than the longer one's time.
// Their output is printed pass by pass (each pass's lines are kept until it ends, so the report reads
// as one run each; a failed pass last). TEST_SEQUENTIAL=1 runs them one after the other, streaming as they go.
// Extra arguments are passed to mocha (e.g. `npm test -- --grep ingest`).
const { spawn, spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const extra = process.argv.slice(2);

const passes = [{ label: "tests on SQLite", args: ["test/**/*.test.ts", ...extra], env: { TEST_DB: "sqlite" } }];
if (process.env.TEST_POSTGRES_URL) {
  passes.push({
    label: "database tests on PostgreSQL",
    args: ["test/api/**/*.test.ts", "test/db/**/*.test.ts", "test/way-in/**/*.test.ts", "test/court/**/*.test.ts", "test/notifications/**/*.test.ts", "test/webhooks/**/*.test.ts", "test/chain/multi-instance.test.ts", "test/chain/log-multi-instance.test.ts", ...extra],
    env: { TEST_DB: "postgresql" },
  });
}

function runSync(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}

/** One pass in the background, its output kept; resolves with its exit status, output and duration. */
function runBuffered(pass) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin("mocha"), pass.args, { cwd: root, env: { ...process.env, ...pass.env, FORCE_COLOR: "0" } });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("close", (code, signal) => resolve({ pass, status: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks), seconds: (Date.now() - started) / 1000 }));
  });
}

async function main() {
  if (!extra.length && runSync("type check", bin("tsc"), ["--noEmit", "-p", "."]) !== 0) {
    console.error("\ntype check: failed");
    process.exit(1);
  }
  if (!process.env.TEST_POSTGRES_URL) console.log("\n(TEST_POSTGRES_URL is not set: the PostgreSQL pass was skipped)");

  if (process.env.TEST_SEQUENTIAL === "1" || passes.length === 1) {
    for (const p of passes) {
      if (runSync(p.label, bin("mocha"), p.args, p.env) !== 0) {
        console.error(`\n${p.label}: failed`);
        process.exit(1);
      }
    }
    return;
  }

  console.log(`\n=== ${passes.map((p) => p.label).join(" and ")}, side by side (output follows as each ends)`);
  const results = await Promise.all(passes.map(runBuffered));
  // A failed pass is printed last, so that its failures (mocha lists them at the end of its report)
  // are the last lines of the run, where a CI log's tail shows them.
  results.sort((a, b) => Number(a.status !== 0) - Number(b.status !== 0));
  for (const r of results) {
    console.log(`\n=== ${r.pass.label} (${r.seconds.toFixed(0)} s)`);
    process.stdout.write(r.output);
  }
  const failed = results.filter((r) => r.status !== 0);
  for (const r of failed) console.error(`\n${r.pass.label}: failed`);
  process.exit(failed.length ? 1 : 0);
}

main();
