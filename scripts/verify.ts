// Offline verifier: `npm run verify -- <file> <bundle.json> [--rpc URL]`.
// Recomputes the file's digest, the record's leaf and the Merkle root from the bundle alone; with
// --rpc, also checks the anchoring transaction and the registry's anchoredAt(root) on that chain.
// Needs neither the platform's server nor its database. Exit 0 only if every check passes.
//
// `npm run verify -- <file.pdf> [--ca root.pem] [--bundle bundle.json [--rpc URL]]`: a PDF alone
// is a PDF signature report (every signature: signer, chain, byte range, changes after it,
// timestamp); whether its digest is anchored can only be said offline from its proof bundle.
//
// A version 2 bundle (a leaf of the log) is also checked against the log: both checkpoints signed
// by the log's key (--log-key pins it), the leaf in the later one, the later one an extension of the
// anchored one, and with --rpc the anchored checkpoint on chain. `--consistency`: see verify-consistency.ts.
import { createReadStream } from "node:fs";
import fs from "node:fs";
import { JsonRpcProvider } from "ethers";
import { DualDigest } from "../server/core/digest";
import { failureSummary, verifyBundleOffline, type Check, type ProofBundle } from "../server/core/proof-bundle";
import { verifyAnchorOnChain } from "../server/chain/anchor-check";
import { verifyPkiSections, type PkiSections, type SignerReport } from "../server/pki/bundle-checks";
import { certificateInfo } from "../server/pki/certificate-parse";
import { pdfSignatureReport, rootsCarriedInSignatures, type PdfReport } from "../server/pdf/report";
import { CONSISTENCY_USAGE, verifyConsistencyMain } from "./verify-consistency";

function readDerOrPem(file: string): Buffer {
  const raw = fs.readFileSync(file);
  const text = raw.toString("latin1");
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  return m ? Buffer.from(m[1].replace(/\s+/g, ""), "base64") : raw;
}

const USAGE = `usage: npm run verify -- <file> <bundle.json> [--rpc URL] [--ca root.pem] [--crl crl.der] [--json]
       npm run verify -- <file.pdf> [--ca root.pem] [--bundle bundle.json [--rpc URL]] [--json]
  --rpc URL     also check the anchor on chain through this EVM JSON-RPC endpoint
  --ca FILE     trust this root certificate (PEM) instead of the one the bundle (or the PDF's signatures) carries
  --crl FILE    check the signer against this CRL (DER or PEM) instead of the bundle's; for a PDF, the
                revocation data used when the PDF's DSS has none (repeatable: the CRL and the ARL)
  --bundle FILE (PDF report) also check that the PDF's digest is anchored, from its proof bundle
  --log-key KEY trust this log verifier key (or a file holding it) instead of the one the bundle names
${CONSISTENCY_USAGE}`;

interface Args {
  file: string;
  bundle?: string;
  /** a single .pdf argument: the PDF signature report */
  pdf: boolean;
  rpc?: string;
  ca?: string;
  /** every --crl, in order (the bundle checks use the first) */
  crls: string[];
  json: boolean;
  logKey?: string;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let rpc: string | undefined;
  let ca: string | undefined;
  const crls: string[] = [];
  let bundle: string | undefined;
  let json = false;
  let logKey: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rpc") rpc = argv[++i];
    else if (argv[i] === "--bundle") bundle = argv[++i];
    else if (argv[i] === "--ca") ca = argv[++i];
    else if (argv[i] === "--crl") crls.push(argv[++i]);
    else if (argv[i] === "--log-key") {
      const v = argv[++i] ?? "";
      logKey = fs.existsSync(v) ? fs.readFileSync(v, "utf8").trim() : v;
    }
    else if (argv[i].startsWith("--rpc=")) rpc = argv[i].slice(6);
    else if (argv[i] === "--json") json = true;
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else positional.push(argv[i]);
  }
  const pdf = positional.length === 1 && /\.pdf$/i.test(positional[0]);
  const badRpc = rpc !== undefined && (!/^https?:\/\//.test(rpc) || (pdf && !bundle));
  if ((!pdf && (positional.length !== 2 || bundle !== undefined)) || badRpc) {
    console.error(USAGE);
    process.exit(2);
  }
  return { file: positional[0], bundle: pdf ? bundle : positional[1], pdf, rpc, ca, crls, json, logKey };
}

async function sha256OfFile(file: string): Promise<string> {
  const digest = new DualDigest(false);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) digest.update(chunk);
  return digest.sha256Hex();
}

/** The bundle's checks for a file of this digest (offline, then the chain with --rpc); a number is an exit code. */
async function bundleChecks(args: Args, bundle: ProofBundle, sha256: string): Promise<{ checks: Check[]; signer: SignerReport | null } | number> {
  const checks: Check[] = verifyBundleOffline(bundle, sha256, { logKey: args.logKey });
  let signer: SignerReport | null = null;
  if (checks.every((c) => c.ok)) {
    const pki = verifyPkiSections(bundle as ProofBundle & PkiSections, {
      trustedRootPems: args.ca ? [fs.readFileSync(args.ca, "utf8")] : undefined,
      crlDer: args.crls.length ? readDerOrPem(args.crls[0]) : undefined,
    });
    checks.push(...pki.checks);
    signer = pki.signer;
  }
  if (args.rpc && checks.every((c) => c.ok)) {
    const provider = new JsonRpcProvider(args.rpc, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      checks.push(...(await verifyAnchorOnChain(provider, bundle, { logKey: args.logKey })));
    } catch (e) {
      console.error(`cannot read the chain at ${args.rpc}: ${(e as Error).message.split("\n")[0]}`);
      return 3;
    } finally {
      provider.destroy();
    }
  }
  return { checks, signer };
}

function readBundle(file: string): ProofBundle | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    console.error(`${file} is not JSON`);
    return null;
  }
}

async function main(): Promise<number> {
  if (process.argv.includes("--consistency")) return verifyConsistencyMain(process.argv.slice(2));
  const args = parseArgs(process.argv.slice(2));
  for (const f of [args.file, args.bundle, args.ca, ...args.crls].filter((x): x is string => !!x)) {
    if (!fs.existsSync(f)) {
      console.error(`no such file: ${f}`);
      return 2;
    }
  }
  if (args.pdf) return verifyPdf(args);
  const bundle = readBundle(args.bundle!);
  if (!bundle) return 2;
  const result = await bundleChecks(args, bundle, await sha256OfFile(args.file));
  if (typeof result === "number") return result;
  const { checks, signer } = result;
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
    else if (!args.rpc) console.log(`\nVERIFIED offline (file, record, Merkle path${bundle.version === 2 ? ", log checkpoints" : ""}). Add --rpc URL to check the chain.`);
    else console.log(`\nVERIFIED: anchored on chain ${bundle.anchor.chainId} at ${new Date(bundle.anchor.blockTimestamp * 1000).toISOString()}`);
  }
  return failed ? 1 : 0;
}

/** The PDF signature report (and, with --bundle, the anchoring of the PDF's digest). */
async function verifyPdf(args: Args): Promise<number> {
  const pdf = fs.readFileSync(args.file);
  let roots: { pem: string; fingerprint: string }[];
  let report: PdfReport;
  try {
    roots = args.ca
      ? [{ pem: fs.readFileSync(args.ca, "utf8"), fingerprint: certificateInfo(fs.readFileSync(args.ca, "utf8")).fingerprintSha256 }]
      : rootsCarriedInSignatures(pdf).map((c) => ({ pem: c.pem, fingerprint: c.x509.fingerprint256.replace(/:/g, "").toLowerCase() }));
    // revocation data: the PDF's DSS first (read by the report), else the --crl files
    const crls = args.crls.map((f) => ({ der: readDerOrPem(f), source: "given" as const }));
    report = pdfSignatureReport(pdf, roots.map((r) => r.pem), { crls });
  } catch (e) {
    console.error(`${args.file}: cannot read the PDF: ${(e as Error).message}`);
    return 2;
  }
  let anchoring: { checks: Check[]; signer: SignerReport | null } | null = null;
  if (args.bundle) {
    const bundle = readBundle(args.bundle);
    if (!bundle) return 2;
    const result = await bundleChecks(args, bundle, report.sha256);
    if (typeof result === "number") return result;
    anchoring = result;
  }
  const anchoringOk = !anchoring || anchoring.checks.every((c) => c.ok);
  const ok = report.allValid && anchoringOk;
  const rootSource = args.ca ? "--ca" : "carried in the signatures: compare it with the platform's published root";
  if (args.json) {
    console.log(
      JSON.stringify(
        {
          ok,
          trustedRoots: roots.map((r) => ({ fingerprint: r.fingerprint, source: args.ca ? "ca" : "signatures" })),
          ...report,
          anchoring: anchoring ? { ok: anchoringOk, checks: anchoring.checks } : null,
        },
        null,
        2,
      ),
    );
    return ok ? 0 : 1;
  }
  const mark = (b: boolean) => (b ? "PASS" : "FAIL");
  console.log(`PDF ${args.file}: ${report.size} bytes, SHA-256 ${report.sha256}`);
  for (const r of roots) console.log(`trusted root: SHA-256 ${r.fingerprint} (${rootSource})`);
  if (!roots.length) console.log("trusted root: none (no --ca, and the signatures carry no root certificate)");
  report.signatures.forEach((sig, i) => {
    console.log(`\nSignature ${i + 1} of ${report.signatures.length}: field ${sig.field} (${sig.subFilter || "unknown format"})`);
    if (sig.signer) {
      console.log(`  signer         ${sig.signer.subject}`);
      if (sig.signer.issuer) console.log(`  issued by      ${sig.signer.issuer} (serial ${sig.signer.serialHex}, SHA-256 ${sig.signer.fingerprintSha256})`);
    } else console.log("  signer         unknown (no signer certificate in the signature)");
    console.log(`  ${mark(sig.intact)}  integrity  ${sig.intact ? "the signed bytes are unchanged and the signature verifies" : "the signed bytes were changed or the signature does not verify"}`);
    console.log(`  ${mark(sig.chain.trusted)}  chain      ${sig.chain.trusted ? "chains to the trusted root" : sig.chain.problem}`);
    const ts = sig.timestamp;
    console.log(`  ${mark(!!ts?.valid)}  timestamp  ${ts ? (ts.valid ? `${ts.time} (RFC 3161 signature timestamp)` : ts.problems.join("; ")) : "none (the signing time is only claimed)"}`);
    const br = sig.byteRange;
    console.log(`        byte range [${br.join(" ")}]${sig.revision ? `: a revision of ${sig.revision.size} bytes, SHA-256 ${sig.revision.sha256}` : ""}`);
    console.log(
      `        after it   ${sig.coversWholeDocument ? "nothing: this signature covers the whole document" : `${report.size - (sig.revision?.size ?? 0)} bytes were added (later signatures or other changes)`}`,
    );
    for (const v of sig.revocation) {
      const ok = v.status === "good" || !v.blocking;
      console.log(`  ${mark(ok)}  revocation ${v.role} ${v.subject}: ${v.status} [${v.code}] ${v.detail}`);
    }
    if (!sig.revocation.length) console.log("  FAIL  revocation not judged (no validated chain) [revocation_unknown]");
    for (const f of (sig.changes?.findings ?? []).map((c) => sig.findings.find((x) => x.code === c.code)!).filter(Boolean)) {
      console.log(`  ${mark(f.severity !== "error")}  changed    ${f.message} [${f.code}]`);
    }
    if (sig.claimedSigningTime) console.log(`        claimed    ${sig.claimedSigningTime}${sig.reason ? `; reason: ${sig.reason}` : ""}`);
    for (const p of sig.problems) console.log(`        problem    ${p}`);
  });
  if (!report.signatures.length) console.log("\nno signatures");
  for (const t of report.documentTimestamps) {
    console.log(`\nDocument timestamp ${t.field} (ETSI.RFC3161, PAdES B-LTA)`);
    console.log(`  ${mark(t.intact)}  timestamp  ${t.intact ? `${t.time}, by ${t.tsa}: the file up to it existed then` : t.problems.join("; ")}`);
    for (const v of t.revocation) console.log(`  ${mark(!v.blocking)}  revocation ${v.role} ${v.subject}: ${v.status} [${v.code}] ${v.detail}`);
    console.log(`  ${mark(!!t.changes?.allowed)}  changed    ${t.changes?.allowed ? "only validation data after it" : "changes after it that are not allowed"}`);
  }
  if (anchoring) {
    console.log("\nAnchoring of this file's digest (proof bundle):");
    for (const c of anchoring.checks) console.log(`  ${mark(c.ok)}  ${c.name.padEnd(18)} ${c.detail}`);
  } else {
    console.log("\nAnchoring: not checked. Offline, only a proof bundle says it: add --bundle bundle.json (GET /api/contracts/<id>/proof) [--rpc URL].");
  }
  if (ok) {
    console.log(`\nVERIFIED: ${report.signatures.length} signature${report.signatures.length === 1 ? "" : "s"} valid, ${report.lastCoversWholeDocument ? "the last covering the whole document" : "only allowed changes after the last (validation data, document timestamps)"}${report.documentTimestamps.length ? `, ${report.documentTimestamps.length} document timestamp(s) valid` : ""}${anchoring ? (args.rpc ? "; the digest is anchored on chain" : "; the digest's proof verifies offline (add --rpc URL for the chain)") : ""}`);
  } else {
    const bad = report.signatures.findIndex((s) => !s.valid);
    const why = !report.signatures.length
      ? "the PDF has no signatures"
      : bad >= 0
        ? `signature ${bad + 1} (${report.signatures[bad].field}) is not valid`
        : !report.lastCoversWholeDocument
          ? "the document was changed after its last signature"
          : `anchoring: ${failureSummary(anchoring!.checks.find((c) => !c.ok)!.name)}`;
    console.log(`\nNOT VERIFIED: ${why}`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(2);
  },
);
