// pyHanko, a strict PAdES validator we did not write, when this machine has it. PYHANKO names its
// executable (CI installs it into a virtual environment from its source, see .ci/run); tests that
// compare our verdict with it skip when it is absent, and say so.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export function pyhankoPath(): string | null {
  const p = process.env.PYHANKO;
  if (!p || !fs.existsSync(p)) return null;
  return p;
}

export interface PyhankoSignature {
  /** the field name pyHanko prints for the signature */
  field: string;
  valid: boolean;
  /** the block pyHanko printed for this signature */
  text: string;
}

export interface PyhankoVerdict {
  status: number | null;
  output: string;
  signatures: PyhankoSignature[];
}

export interface PyhankoOptions {
  /** accept missing revocation data (never for a test about revocation) */
  softRevocation?: boolean;
  /** "pades" (B-LT, from the DSS only) or "pades-lta" */
  ltvProfile?: "pades" | "pades-lta";
}

/** `pyhanko sign validate --pretty-print` on a file, trusting the given root (PEM file). */
export function pyhankoValidate(exe: string, pdfFile: string, trustPemFile: string, opts: PyhankoOptions = {}): PyhankoVerdict {
  const args = ["sign", "validate", "--pretty-print", "--trust", trustPemFile];
  if (opts.softRevocation) args.push("--soft-revocation-check");
  if (opts.ltvProfile) args.push("--ltv-profile", opts.ltvProfile);
  args.push(pdfFile);
  const r = spawnSync(exe, args, { encoding: "utf8", cwd: path.dirname(pdfFile), timeout: 120_000 });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  return { status: r.status, output, signatures: parsePyhanko(output) };
}

/**
 * pyhankoValidate without blocking this process: for a file whose certificates name URLs of a
 * platform running in this process (pyHanko fetches its CRLs while the event loop serves them).
 */
export function pyhankoValidateAsync(exe: string, pdfFile: string, trustPemFile: string, opts: PyhankoOptions = {}): Promise<PyhankoVerdict> {
  const args = ["sign", "validate", "--pretty-print", "--trust", trustPemFile];
  if (opts.softRevocation) args.push("--soft-revocation-check");
  if (opts.ltvProfile) args.push("--ltv-profile", opts.ltvProfile);
  args.push(pdfFile);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd: path.dirname(pdfFile), timeout: 120_000 });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output, signatures: parsePyhanko(output) }));
  });
}

/** Each signature's block: pyHanko heads one per field ("Field 1: <name>") and ends it with
 * "The signature is judged VALID." or "INVALID.". */
export function parsePyhanko(output: string): PyhankoSignature[] {
  const out: PyhankoSignature[] = [];
  const re = /The signature is judged (VALID|INVALID)\./g;
  let start = 0;
  for (let m = re.exec(output); m; m = re.exec(output)) {
    const text = output.slice(start, m.index + m[0].length);
    const field = /Field \d+: (\S+)/.exec(text)?.[1] ?? "";
    out.push({ field, valid: m[1] === "VALID", text });
    start = m.index + m[0].length;
  }
  return out;
}
