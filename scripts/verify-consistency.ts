// `npm run verify -- --consistency <old> <new> [--proof proof.json | --server URL] [--log-key KEY] [--rpc URL] [--json]`
// For monitors: is the newer checkpoint of the log an extension of the older one? Each of <old> and
// <new> is a signed checkpoint (the text of GET /api/log/checkpoint), or a version 2 proof bundle (its
// anchored checkpoint is taken). The consistency proof comes from --proof (the JSON of GET
// /api/log/proof/consistency) or is fetched from --server. The key is --log-key (a verifier key or a
// file holding one), else the one the bundles name. With --rpc, each bundle's anchored checkpoint is
// also read from its registry on chain. Exit 0 consistent, 1 not, 2 bad usage, 3 unreachable.
import fs from "node:fs";
import { Contract, JsonRpcProvider } from "ethers";
import { logIdOf, parseCheckpoint, parseVerifierKey } from "../server/core/checkpoint";
import { checkpointsConsistent } from "../server/core/log-bundle";
import { toHex } from "../server/core/hex";
import { REGISTRY_VERIFIER_ABI } from "../server/chain/anchor-check";

export const CONSISTENCY_USAGE = `       npm run verify -- --consistency <old> <new> [--proof proof.json | --server URL] [--log-key KEY] [--rpc URL] [--json]
  --consistency  <old>, <new>: signed checkpoints (text) or version 2 proof bundles (their anchored checkpoints)
  --proof FILE   the consistency proof (JSON of GET /api/log/proof/consistency); or --server URL to fetch it
  --log-key KEY  the log's verifier key (or a file holding it), instead of the one the bundles name`;

interface Side {
  file: string;
  note: string;
  verifierKey?: string;
  anchor?: { chainId: number; registry: string };
}

class UsageError extends Error {}

function readSide(file: string): Side {
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const text = fs.readFileSync(file, "utf8");
  if (text.trimStart().startsWith("{")) {
    let b: { version?: number; log?: { anchoredCheckpoint?: string; verifierKey?: string }; anchor?: { chainId: number; registry: string } };
    try {
      b = JSON.parse(text);
    } catch {
      throw new UsageError(`${file} is neither a checkpoint nor JSON`);
    }
    if (b.version !== 2 || typeof b.log?.anchoredCheckpoint !== "string") throw new UsageError(`${file}: a proof bundle of version 2 (with a log section) is needed`);
    return { file, note: b.log.anchoredCheckpoint, verifierKey: b.log.verifierKey, anchor: b.anchor };
  }
  return { file, note: text };
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
  return argv[i + 1];
}

export async function verifyConsistencyMain(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
  const at = argv.indexOf("--consistency");
  const [oldFile, newFile] = argv.slice(at + 1, at + 3);
  if (!oldFile || !newFile || oldFile.startsWith("--") || newFile.startsWith("--")) throw new UsageError("--consistency needs two files: <old> <new>");
  const json = argv.includes("--json");
  const older = readSide(oldFile);
  const newer = readSide(newFile);
  const keyOpt = option(argv, "--log-key");
  const key = keyOpt !== undefined ? (fs.existsSync(keyOpt) ? fs.readFileSync(keyOpt, "utf8").trim() : keyOpt) : (older.verifierKey ?? newer.verifierKey);
  if (!key) throw new UsageError("the checkpoints name no key: give --log-key");
  if (keyOpt === undefined && older.verifierKey && newer.verifierKey && older.verifierKey !== newer.verifierKey) {
    throw new UsageError("the two bundles name different log keys: give --log-key");
  }
  let a, b;
  try {
    a = parseCheckpoint(older.note);
    b = parseCheckpoint(newer.note);
  } catch (e) {
    console.log(`FAIL  checkpoint-format  ${(e as Error).message}`);
    return 1;
  }

  let proof: string[] = [];
  const proofFile = option(argv, "--proof");
  const server = option(argv, "--server");
  if (a.treeSize > 0 && a.treeSize < b.treeSize) {
    let body: { first?: number; second?: number; proof?: unknown };
    if (proofFile) {
      if (!fs.existsSync(proofFile)) throw new UsageError(`no such file: ${proofFile}`);
      body = JSON.parse(fs.readFileSync(proofFile, "utf8"));
    } else if (server) {
      try {
        const res = await fetch(`${server.replace(/\/+$/, "")}/api/log/proof/consistency?from=${a.treeSize}&to=${b.treeSize}`);
        body = await res.json();
        if (!res.ok) {
          console.log(`FAIL  log-consistency    the server refused a proof from ${a.treeSize} to ${b.treeSize}: ${JSON.stringify(body)}`);
          return 1;
        }
      } catch (e) {
        console.error(`cannot reach ${server}: ${(e as Error).message}`);
        return 3;
      }
    } else throw new UsageError("give the consistency proof: --proof proof.json, or --server URL to fetch it");
    if (body.first !== a.treeSize || body.second !== b.treeSize || !Array.isArray(body.proof)) {
      console.log(`FAIL  log-consistency    the proof is from ${body.first} to ${body.second}, the checkpoints are of sizes ${a.treeSize} and ${b.treeSize}`);
      return 1;
    }
    proof = body.proof as string[];
  }

  const checks: { name: string; ok: boolean; detail: string }[] = [];
  const r = checkpointsConsistent(older.note, newer.note, proof, key);
  checks.push({ name: "log-consistency", ...r });

  const rpc = option(argv, "--rpc");
  if (rpc && r.ok) {
    const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      for (const [side, cp] of [[older, a], [newer, b]] as const) {
        if (!side.anchor) continue;
        const logId = logIdOf(parseVerifierKey(key));
        const onChain = ((await new Contract(side.anchor.registry, REGISTRY_VERIFIER_ABI, provider).checkpointRoot(logId, cp.treeSize)) as string).toLowerCase();
        const ok = onChain === toHex(cp.root);
        checks.push({ name: "checkpoint-on-chain", ok, detail: ok ? `${side.file}: checkpointRoot(${cp.treeSize}) on chain is the checkpoint's root` : `${side.file}: checkpointRoot(${cp.treeSize}) = ${onChain}, the checkpoint's root is ${toHex(cp.root)}` });
      }
    } catch (e) {
      console.error(`cannot read the chain at ${rpc}: ${(e as Error).message.split("\n")[0]}`);
      return 3;
    } finally {
      provider.destroy();
    }
  }
  const ok = checks.every((c) => c.ok);
  if (json) console.log(JSON.stringify({ ok, older: { treeSize: a.treeSize, root: toHex(a.root) }, newer: { treeSize: b.treeSize, root: toHex(b.root) }, checks }, null, 2));
  else {
    for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(18)} ${c.detail}`);
    console.log(ok ? `\nCONSISTENT: ${b.origin} at ${b.treeSize} extends ${a.treeSize}` : "\nNOT CONSISTENT");
  }
  return ok ? 0 : 1;
}
