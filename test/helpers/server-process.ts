// The server as a separate process (`npm start`'s command), for crash and restart tests.
// It runs compiled, as `npm start` runs it: the sources are compiled once per test process
// (scripts/build-server.js, a few seconds) into a folder of this process's own under dist/, removed
// at exit, instead of ts-node compiling every module again at each of the many starts (which took
// 15 s or more of each start on a loaded machine).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./cli";

let compiledMain: string | undefined;

/** dist/.test-<pid>/server/main.js, built from the current sources on first use. */
export function compiledServerMain(): string {
  if (compiledMain) return compiledMain;
  const base = path.join(ROOT, "dist", `.test-${process.pid}`);
  process.once("exit", () => fs.rmSync(base, { recursive: true, force: true }));
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build-server.js"), path.join(base, "server")], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  compiledMain = path.join(base, "server", "main.js");
  return compiledMain;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>, port: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, [compiledServerMain()], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code, signal) => r(code ?? (signal ? -1 : null))));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited during start:\n${out}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    exited,
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export { freePort } from "./hardhat-node";
