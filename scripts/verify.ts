// Offline verifier: `npm run verify -- <file> <bundle.json> [--rpc URL]`.
// Recomputes the file's digest, the record's leaf and the Merkle root from the bundle alone; with
// --rpc, also checks the anchoring transaction and the registry's anchoredAt(root) on that chain.
// Needs neither the platform's server nor its database. Exit 0 only if every check passes.
import { createReadStream } from "node:fs";
import fs from "node:fs";
import { JsonRpcProvider } from "ethers";
import { DualDigest } from "../server/core/digest";
import { failureSummary, verifyBundleOffline, type Check, type ProofBundle } from "../server/core/proof-bundle";
import { verifyAnchorOnChain } from "../server/chain/anchor-check";

const USAGE = "usage: npm run verify -- <file> <bundle.json> [--rpc URL] [--json]";

interface Args {
  file: string;
  bundle: string;
  rpc?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let rpc: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rpc") rpc = argv[++i];
    else if (argv[i].startsWith("--rpc=")) rpc = argv[i].slice(6);
    else if (argv[i] === "--json") json = true;
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else positional.push(argv[i]);
  }
  if (positional.length !== 2 || (rpc !== undefined && !/^https?:\/\//.test(rpc))) {
    console.error(USAGE);
    process.exit(2);
  }
  return { file: positional[0], bundle: positional[1], rpc, json };
}

async function sha256OfFile(file: string): Promise<string> {
  const digest = new DualDigest(false);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) digest.update(chunk);
  return digest.sha256Hex();
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  for (const f of [args.file, args.bundle]) {
    if (!fs.existsSync(f)) {
      console.error(`no such file: ${f}`);
      return 2;
    }
  }
  let bundle: ProofBundle;
  try {
    bundle = JSON.parse(fs.readFileSync(args.bundle, "utf8"));
  } catch {
    console.error(`${args.bundle} is not JSON`);
    return 2;
  }
  const checks: Check[] = verifyBundleOffline(bundle, await sha256OfFile(args.file));
  if (args.rpc && checks.every((c) => c.ok)) {
    const provider = new JsonRpcProvider(args.rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      checks.push(...(await verifyAnchorOnChain(provider, bundle)));
    } catch (e) {
      console.error(`cannot read the chain at ${args.rpc}: ${(e as Error).message.split("\n")[0]}`);
      return 3;
    } finally {
      provider.destroy();
    }
  }
  const failed = checks.find((c) => !c.ok);
  if (args.json) {
    console.log(JSON.stringify({ ok: !failed, failure: failed ? failureSummary(failed.name) : null, checks }, null, 2));
  } else {
    for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(14)} ${c.detail}`);
    if (failed) console.log(`\nNOT VERIFIED: ${failureSummary(failed.name)} (step ${failed.name})`);
    else if (!args.rpc) console.log("\nVERIFIED offline (file, record, Merkle path). Add --rpc URL to check the chain.");
    else console.log(`\nVERIFIED: anchored on chain ${bundle.anchor.chainId} at ${new Date(bundle.anchor.blockTimestamp * 1000).toISOString()}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(2);
  },
);
