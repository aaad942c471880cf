#!/usr/bin/env node
// The whole test suite: type check, then every test on the embedded SQLite database, then the
// database-backed tests again on PostgreSQL when TEST_POSTGRES_URL names a server (with the
// multi-instance test, which needs a database that several processes share)
// (e.g. postgresql://postgres@127.0.0.1:5432/postgres; each run creates and drops its own database).
// Extra arguments are passed to mocha (e.g. `npm test -- --grep ingest`).
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const extra = process.argv.slice(2);

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${label}: failed`);
    process.exit(r.status ?? 1);
  }
}

if (!extra.length) run("type check", bin("tsc"), ["--noEmit", "-p", "."]);
run("tests on SQLite", bin("mocha"), ["test/**/*.test.ts", ...extra], { TEST_DB: "sqlite" });
if (process.env.TEST_POSTGRES_URL) {
  run("database tests on PostgreSQL", bin("mocha"), ["test/api/**/*.test.ts", "test/db/**/*.test.ts", "test/way-in/**/*.test.ts", "test/court/**/*.test.ts", "test/notifications/**/*.test.ts", "test/chain/multi-instance.test.ts", ...extra], {
    TEST_DB: "postgresql",
  });
} else {
  console.log("\n(TEST_POSTGRES_URL is not set: the PostgreSQL pass was skipped)");
}
