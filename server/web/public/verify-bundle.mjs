// Verifying a proof bundle entirely in the browser, step by step like `npm run verify`:
// bundle-format, file-digest, record-leaf, audit-path (offline), then chain-id, transaction and
// root-on-chain against any EVM JSON-RPC endpoint. Each check is {name, ok, detail}; a detail is
// [messageKey, params] so that the page can show it in either language.
import { canonicalBytes } from "./jcs.mjs";
import { fromHex, sha256, toHex } from "./sha256.mjs";

// keccak256("Anchored(bytes32,uint256,address)"), computed once in Node with ethers 6:
//   require("ethers").id("Anchored(bytes32,uint256,address)")
export const ANCHORED_TOPIC = "0x84dbb9ce184d1878830cd808f179fc6831bdd837296520e4726615daf660c9cf";
// First 4 bytes of keccak256("anchoredAt(bytes32)"), computed once in Node with ethers 6:
//   require("ethers").id("anchoredAt(bytes32)").slice(0, 10)
export const ANCHORED_AT_SELECTOR = "0x9591a610";

export const MERKLE_ALGORITHM = "RFC6962-SHA256";
export const STEPS = ["bundle-format", "file-digest", "record-leaf", "audit-path", "chain-id", "transaction", "root-on-chain"];

const HEX32 = /^0x[0-9a-f]{64}$/;
const isHex32 = (v) => typeof v === "string" && HEX32.test(v);
const isInt = (v) => Number.isSafeInteger(v);

/** The fields of a bundle that are missing or malformed (empty when well-formed). */
export function bundleProblems(b) {
  if (!b || typeof b !== "object" || Array.isArray(b)) return ["(bundle)"];
  const bad = [];
  // Version 2 adds the log section (checkpoints and proofs between them), which `npm run verify` and
  // the API check; its merkle and anchor sections are checked here exactly as version 1's.
  if (b.version !== 1 && b.version !== 2) bad.push("version");
  if (!b.record || typeof b.record !== "object" || Array.isArray(b.record)) bad.push("record");
  else {
    try {
      canonicalBytes(b.record);
    } catch {
      bad.push("record");
    }
  }
  const m = b.merkle;
  if (!m || typeof m !== "object") bad.push("merkle");
  else {
    if (m.algorithm !== MERKLE_ALGORITHM) bad.push("merkle.algorithm");
    if (!isInt(m.treeSize) || m.treeSize < 1) bad.push("merkle.treeSize");
    if (!isInt(m.leafIndex) || m.leafIndex < 0) bad.push("merkle.leafIndex");
    if (!isHex32(m.root)) bad.push("merkle.root");
    if (m.leafHash !== undefined && !isHex32(m.leafHash)) bad.push("merkle.leafHash");
    if (!Array.isArray(m.auditPath) || !m.auditPath.every(isHex32)) bad.push("merkle.auditPath");
  }
  const a = b.anchor;
  if (!a || typeof a !== "object") bad.push("anchor");
  else {
    if (!isInt(a.chainId)) bad.push("anchor.chainId");
    if (typeof a.registry !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a.registry)) bad.push("anchor.registry");
    if (!isHex32(a.txHash)) bad.push("anchor.txHash");
    if (!isInt(a.blockNumber)) bad.push("anchor.blockNumber");
    if (!isInt(a.blockTimestamp)) bad.push("anchor.blockTimestamp");
  }
  return bad;
}

/** RFC 6962 leaf hash of a record: SHA-256(0x00 || RFC 8785 bytes). */
export function leafHashOf(record) {
  return sha256(new Uint8Array([0]), canonicalBytes(record));
}

const nodeHash = (left, right) => sha256(new Uint8Array([1]), left, right);

/** RFC 9162 2.1.3.2: the root an audit path leads to, or null when the path does not fit. */
export function rootFromAuditPath(leaf, leafIndex, treeSize, path) {
  if (!isInt(leafIndex) || !isInt(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** The offline steps. Stops at the first failure. */
export function verifyOffline(bundle, fileSha256) {
  const checks = [];
  const bad = bundleProblems(bundle);
  checks.push({ name: "bundle-format", ok: bad.length === 0, detail: bad.length ? ["format.bad", { fields: bad.join(", ") }] : ["format.ok", {}] });
  if (bad.length) return checks;

  const expected = bundle.record.sha256;
  const digestOk = fileSha256 === expected;
  checks.push({ name: "file-digest", ok: digestOk, detail: [digestOk ? "digest.ok" : "digest.bad", { file: fileSha256, record: String(expected) }] });
  if (!digestOk) return checks;

  const leaf = leafHashOf(bundle.record);
  const leafHex = toHex(leaf);
  const declared = bundle.merkle.leafHash;
  const leafOk = declared === undefined || declared === leafHex;
  checks.push({ name: "record-leaf", ok: leafOk, detail: [leafOk ? "leaf.ok" : "leaf.bad", { leaf: leafHex, declared }] });
  if (!leafOk) return checks;

  const { leafIndex, treeSize, auditPath, root } = bundle.merkle;
  const computed = rootFromAuditPath(leaf, leafIndex, treeSize, auditPath.map(fromHex));
  const pathOk = computed !== null && toHex(computed) === root;
  const params = { index: leafIndex, size: treeSize, length: auditPath.length, root, computed: computed && toHex(computed) };
  checks.push({ name: "audit-path", ok: pathOk, detail: [pathOk ? "path.ok" : computed === null ? "path.misfit" : "path.bad", params] });
  return checks;
}

/** A JSON-RPC caller for an endpoint URL: rpc(method, params) resolves to the result. */
export function jsonRpc(url, fetchImpl = globalThis.fetch) {
  let id = 0;
  return async (method, params) => {
    const res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    let body;
    try {
      body = await res.json();
    } catch {
      throw new Error(`HTTP ${res.status}`);
    }
    if (body && body.error) throw new Error(`${method}: ${body.error.message ?? "error"} (${body.error.code})`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return body.result;
  };
}

const quantity = (hex) => (typeof hex === "string" && /^0x[0-9a-fA-F]+$/.test(hex) ? BigInt(hex) : null);

/** The on-chain steps, through rpc(method, params). Stops at the first failure. */
export async function verifyOnChain(bundle, rpc) {
  const checks = [];
  const { chainId, registry, txHash, blockNumber, blockTimestamp } = bundle.anchor;
  const root = bundle.merkle.root;
  let step = "chain-id";
  try {
    const actual = quantity(await rpc("eth_chainId", []));
    const chainOk = actual === BigInt(chainId);
    checks.push({ name: step, ok: chainOk, detail: [chainOk ? "chain.ok" : "chain.bad", { actual: String(actual), chainId }] });
    if (!chainOk) return checks;

    step = "transaction";
    const receipt = await rpc("eth_getTransactionReceipt", [txHash]);
    if (!receipt) {
      checks.push({ name: step, ok: false, detail: ["tx.missing", { txHash }] });
      return checks;
    }
    const log = (receipt.logs ?? []).find(
      (l) =>
        String(l.address).toLowerCase() === registry.toLowerCase() &&
        String(l.topics?.[0]).toLowerCase() === ANCHORED_TOPIC &&
        String(l.topics?.[1]).toLowerCase() === root,
    );
    const txBlock = quantity(receipt.blockNumber);
    const txOk = quantity(receipt.status) === 1n && txBlock === BigInt(blockNumber) && !!log;
    const txParams = { txHash, blockNumber, root, actualBlock: String(txBlock), status: receipt.status };
    checks.push({ name: step, ok: txOk, detail: [txOk ? "tx.ok" : "tx.bad", txParams] });
    if (!txOk) return checks;

    step = "root-on-chain";
    const data = ANCHORED_AT_SELECTOR + root.slice(2);
    const ret = await rpc("eth_call", [{ to: registry, data }, "latest"]);
    if (typeof ret !== "string" || !/^0x[0-9a-fA-F]{128}$/.test(ret)) throw new Error(`anchoredAt returned ${String(ret).slice(0, 80)}`);
    const atBlock = BigInt("0x" + ret.slice(2, 66));
    const atTime = BigInt("0x" + ret.slice(66, 130));
    const block = await rpc("eth_getBlockByNumber", ["0x" + blockNumber.toString(16), false]);
    const blockTime = quantity(block?.timestamp);
    const rootOk = atBlock === BigInt(blockNumber) && atTime === BigInt(blockTimestamp) && blockTime === BigInt(blockTimestamp);
    const rootParams = { registry, root, blockNumber, blockTimestamp, atBlock: String(atBlock), atTime: String(atTime) };
    checks.push({ name: step, ok: rootOk, detail: [rootOk ? "root.ok" : atBlock === 0n ? "root.missing" : "root.bad", rootParams] });
  } catch (e) {
    // Not a verdict on the bundle: the endpoint could not be read (like the CLI's exit code 3).
    checks.push({ name: step, ok: false, unreachable: true, detail: ["rpc.error", { message: e instanceof Error ? e.message : String(e) }] });
  }
  return checks;
}
