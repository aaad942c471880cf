#!/usr/bin/env node
// Compiles the server (server/**/*.ts) to JavaScript under dist/server/, which `npm start` runs:
// without a TypeScript compiler loaded at run time the server starts faster and needs about 100 MB
// less memory. Transpiling only (type checking is `npm test`'s first step): a few seconds. Other
// files under server/ (the web pages, the SM3 worker) are copied as they are. dist/ is rebuilt
// whole each time, so nothing stale survives a source file's removal. An argument names another
// output folder inside the project (the tests build their own copy, which no `npm start` replaces
// under a running server): `node scripts/build-server.js dist/.test-1234/server`.
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const src = path.join(root, "server");
const out = path.resolve(root, process.argv[2] ?? path.join("dist", "server"));
// The compiled files find their packages in node_modules above them: the output stays in the project.
if (path.relative(root, out).startsWith("..")) throw new Error(`build-server: ${out} is not inside ${root}`);

const options = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: false,
  inlineSourceMap: true,
};

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

const started = Date.now();
const staging = path.join(path.dirname(out), `.server-${process.pid}`);
fs.rmSync(staging, { recursive: true, force: true });
let compiled = 0;
for (const file of files(src)) {
  const rel = path.relative(src, file);
  if (file.endsWith(".d.ts")) continue;
  if (file.endsWith(".ts")) {
    const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    if (diagnostics?.length) {
      throw new Error(`${rel}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`);
    }
    const target = path.join(staging, rel.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
    compiled++;
  } else {
    const target = path.join(staging, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  }
}
// Swapped in whole: a server starting meanwhile sees the old build or the new one, never half of each.
const old = path.join(path.dirname(out), `.old-${process.pid}`);
if (fs.existsSync(out)) fs.renameSync(out, old);
fs.renameSync(staging, out);
fs.rmSync(old, { recursive: true, force: true });
console.log(`server compiled to ${path.relative(root, out)} (${compiled} files, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
