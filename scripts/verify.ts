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
import { verifyPkiSections, type PkiSections, type SignerReport } from "../server/pki/bundle-checks";
import { certificateInfo } from "../server/pki/certificates";

function readDerOrPem(file: string): Buffer {
  const raw = fs.readFileSync(file);
  const text = raw.toString("latin1");
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  return m ? Buffer.from(m[1].replace(/\s+/g, ""), "base64") : raw;
}

const USAGE = `usage: npm run verify -- <file> <bundle.json> [--rpc URL] [--ca root.pem] [--crl crl.der] [--json]
  --rpc URL    also check the anchor on chain through this EVM JSON-RPC endpoint
  --ca FILE    trust this root certificate (PEM) instead of the one the bundle carries
  --crl FILE   check the signer against this CRL (DER or PEM) instead of the bundle's`;

interface Args {
  file: string;
  bundle: string;
  rpc?: string;
  ca?: string;
  crl?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let rpc: string | undefined;
  let ca: string | undefined;
  let crl: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rpc") rpc = argv[++i];
    else if (argv[i] === "--ca") ca = argv[++i];
    else if (argv[i] === "--crl") crl = argv[++i];
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
  return { file: positional[0], bundle: positional[1], rpc, ca, crl, json };
}

async function sha256OfFile(file: string): Promise<string> {
  const digest = new DualDigest(false);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) digest.update(chunk);
  return digest.sha256Hex();
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  for (const f of [args.file, args.bundle, args.ca, args.crl].filter((x): x is string => !!x)) {
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
  let signer: SignerReport | null = null;
  if (checks.every((c) => c.ok)) {
    const pki = verifyPkiSections(bundle as ProofBundle & PkiSections, {
      trustedRootPems: args.ca ? [fs.readFileSync(args.ca, "utf8")] : undefined,
      crlDer: args.crl ? readDerOrPem(args.crl) : undefined,
    });
    checks.push(...pki.checks);
    signer = pki.signer;
  }
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
  const root = (bundle as PkiSections).certificates?.root;
  const trusted = args.ca ? fs.readFileSync(args.ca, "utf8") : root;
  const rootFingerprint = trusted ? certificateInfo(trusted).fingerprintSha256 : null;
  if (args.json) {
    const { certPem: _pem, ...signerOut } = signer ?? { certPem: "" };
    console.log(JSON.stringify({ ok: !failed, failure: failed ? failureSummary(failed.name) : null, checks, signer: signer ? signerOut : null, rootFingerprint }, null, 2));
  } else {
    for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(18)} ${c.detail}`);
    if (rootFingerprint) {
      console.log(`\ntrusted root: SHA-256 ${rootFingerprint}${args.ca ? " (--ca)" : " (carried in the bundle: compare it with the platform's published root)"}`);
    }
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
