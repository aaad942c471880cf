// A `hardhat node` process on a free port, for tests against an external chain over JSON-RPC.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const ROOT = path.join(__dirname, "../..");
const HARDHAT_CLI = path.join(ROOT, "node_modules/hardhat/internal/cli/bootstrap.js");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The environment without any CHAIN_* variable the developer may have set. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("CHAIN_")) delete env[k];
  return { ...env, ...extra };
}

/** Starts `hardhat node`; resolves with its URL and the private key of its account #0. */
export function startNode(port: number): Promise<{ child: ChildProcess; url: string; key: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT,
      env: cleanEnv({}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      child.kill("SIGKILL");
      reject(new Error(`hardhat node: ${why}\n${output}`));
    };
    const timer = setTimeout(() => fail("did not start within 60 s"), 60_000);
    // Keep draining its output (it logs every request) so that it never blocks on a full pipe.
    child.stdout!.on("data", (d: Buffer) => {
      if (settled) return;
      output += d;
      const started = output.includes("Started HTTP and WebSocket JSON-RPC server");
      const key = /Account #0:.*\r?\nPrivate Key: (0x[0-9a-fA-F]{64})/.exec(output)?.[1];
      if (started && key) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${port}`, key });
      }
    });
    child.stderr!.on("data", (d: Buffer) => {
      if (!settled) output += d;
    });
    child.on("error", (e) => fail(e.message));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`exited (${code ?? signal}) before it was ready`);
    });
  });
}

export async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Runs scripts/deploy-registry.ts against `rpc`; resolves with its JSON line. */
export function deployRegistry(rpc: string, key: string): Promise<{ registry: string; deployBlock: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/deploy-registry.ts"], {
      cwd: ROOT,
      env: cleanEnv({ CHAIN_RPC_URL: rpc, CHAIN_PRIVATE_KEY: key }),
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", () => undefined);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`deploy failed (${code}): ${out}`))));
  });
}
