#!/usr/bin/env node
// Build steps that `npm ci` runs (postinstall): the Prisma clients for both databases, the contracts,
// and the server compiled to JavaScript (dist/server, which `npm start` rebuilds and runs).
// One schema source (prisma/schema.prisma, SQLite); the PostgreSQL variant differs only in its provider
// and output, so it is derived here instead of being kept by hand.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const run = (cmd, args, env = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });

const source = fs.readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
const derivedDir = path.join(root, "prisma/.generated");
fs.mkdirSync(derivedDir, { recursive: true });
const pgSchema = source
  .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  .replace(/output\s*=\s*"([^"]*)\/sqlite"/, (_m, dir) => `output = "../${dir}/postgresql"`);
if (pgSchema === source) throw new Error("schema.prisma: could not derive the PostgreSQL schema");
fs.writeFileSync(path.join(derivedDir, "postgresql.prisma"), pgSchema);

// Prisma 7's CLI wants its native schema engine to exist before `generate`, which never runs it;
// the engine cannot be downloaded offline, so point it at a stand-in that only exists.
const engineStandIn = path.join(root, "scripts/schema-engine-unavailable.sh");
const env = { PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || engineStandIn };
run(bin("prisma"), ["generate", "--schema", "prisma/schema.prisma"], env);
run(bin("prisma"), ["generate", "--schema", "prisma/.generated/postgresql.prisma"], env);
run(bin("hardhat"), ["compile", "--quiet"]);
run(process.execPath, [path.join(root, "scripts/build-server.js")]);
