#!/usr/bin/env node
// `npm start`: compiles the server to dist/ (scripts/build-server.js, a few seconds, in its own
// process so that no TypeScript compiler stays in this one), then runs it in this very process, so
// that signals sent to `npm start` (SIGTERM, Ctrl-C) reach the server itself.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

execFileSync(process.execPath, [path.join(__dirname, "build-server.js")], { stdio: ["ignore", "inherit", "inherit"] });
require("../dist/server/main.js");
