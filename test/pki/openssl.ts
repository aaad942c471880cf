// Test helper: run the real openssl 3 CLI on files in a private temporary directory.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together (openssl prints "verify OK" and some errors on stderr). */
  output: string;
}

export class OpensslDir {
  readonly dir: string;

  constructor(prefix = "pki-test-") {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  write(name: string, data: string | Buffer): string {
    const p = this.path(name);
    fs.writeFileSync(p, data);
    return p;
  }

  read(name: string): Buffer {
    return fs.readFileSync(this.path(name));
  }

  /** Runs `openssl ...args` with this directory as the working directory. */
  run(...args: string[]): OpensslResult {
    const r = spawnSync("openssl", args, { cwd: this.dir, encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
  }

  /** Runs openssl and throws with its output unless it exits 0. */
  ok(...args: string[]): OpensslResult {
    const r = this.run(...args);
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.status}):\n${r.output}`);
    return r;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function opensslVersion(): string {
  return spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout.trim();
}
