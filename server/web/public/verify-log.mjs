// The log section of a version 2 proof bundle, checked in the browser as the server and
// `npm run verify` check it (server/core/log-bundle.ts): both checkpoints signed by the log's key (a
// C2SP signed note, Ed25519), the leaf's inclusion in the later checkpoint, and the later
// checkpoint's consistency with the anchored one (RFC 9162 2.1.4.2). Ed25519 comes from WebCrypto,
// which browsers offer in secure contexts only: elsewhere the signature step says it could not run,
// and the page does not call the bundle verified.
import { fromHex, sha256, toHex } from "./sha256.mjs";
import { rootFromAuditPath } from "./verify-bundle.mjs";

export const LOG_STEPS = ["checkpoint-signature", "log-inclusion", "log-consistency"];

const ED25519 = 0x01;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = (s) => new TextEncoder().encode(s);
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const isHex32 = (v) => typeof v === "string" && /^0x[0-9a-f]{64}$/.test(v);

function fromBase64(text) {
  if (!BASE64.test(text)) throw new Error("not base64");
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const keyIdOf = (name, rawKey) => sha256(utf8(name), new Uint8Array([0x0a, ED25519]), rawKey).subarray(0, 4);

/** "<name>+<hex key ID>+<base64(0x01 || key)>" as {name, keyId, rawKey}; throws on anything else. */
export function parseVerifierKey(vkey) {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(String(vkey).trim());
  if (!m) throw new Error("verifier key must be <name>+<8 hex digits>+<base64 key>");
  const key = fromBase64(m[3]);
  if (key.length !== 33 || key[0] !== ED25519) throw new Error("verifier key is not an Ed25519 key");
  const rawKey = key.subarray(1);
  const keyId = keyIdOf(m[1], rawKey);
  if (toHex(keyId).slice(2) !== m[2]) throw new Error("verifier key's ID does not match its name and key");
  return { name: m[1], keyId, rawKey };
}

/** A signed checkpoint's text, size, root and signature lines; throws with the reason. */
export function parseCheckpoint(note) {
  const split = note.indexOf("\n\n");
  if (split < 0) throw new Error("a signed note needs a blank line between text and signatures");
  const body = note.slice(0, split + 1);
  const sigText = note.slice(split + 2);
  if (!sigText.endsWith("\n")) throw new Error("the note must end with a newline");
  const [origin, size, rootB64, ...extensions] = body.slice(0, -1).split("\n");
  if (!origin || size === undefined || rootB64 === undefined) throw new Error("a checkpoint has an origin, a tree size and a root hash");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error("the tree size is not a decimal integer");
  const root = fromBase64(rootB64);
  if (root.length !== 32) throw new Error("the root hash is not base64 of 32 bytes");
  if (extensions.some((l) => l === "")) throw new Error("empty line in the checkpoint text");
  const signatures = sigText
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line);
      if (!m) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
      const raw = fromBase64(m[2]);
      if (raw.length < 5) throw new Error("signature too short");
      return { name: m[1], keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
    });
  return { origin, treeSize: Number(size), root, body, signatures };
}

class NoWebCrypto extends Error {}

/** The checkpoint when `verifier` signed it; throws with the reason otherwise. */
async function verifiedCheckpoint(note, verifier) {
  const cp = parseCheckpoint(note);
  const mine = cp.signatures.filter((s) => s.name === verifier.name && sameBytes(s.keyId, verifier.keyId) && s.signature.length === 64);
  if (mine.length === 0) throw new Error(`no signature by ${verifier.name}+${toHex(verifier.keyId).slice(2)}`);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new NoWebCrypto("this page is not a secure context (https or localhost): the browser offers no Ed25519 here");
  let key;
  try {
    key = await subtle.importKey("raw", verifier.rawKey, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    throw new NoWebCrypto("this browser's WebCrypto has no Ed25519");
  }
  for (const s of mine) if (await subtle.verify({ name: "Ed25519" }, key, s.signature, utf8(cp.body))) return cp;
  throw new Error(`the signature by ${verifier.name} does not verify`);
}

const nodeHash = (left, right) => sha256(new Uint8Array([1]), left, right);

/** RFC 9162 2.1.4.2: whether `proof` shows the tree of size `second` extends the one of size `first`. */
export function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && sameBytes(firstRoot, secondRoot);
  const path = [...proof];
  // A first tree that is a complete subtree is itself the proof's starting node.
  if ((first & (first - 1)) === 0) path.unshift(firstRoot);
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameBytes(fr, firstRoot) && sameBytes(sr, secondRoot);
}

/**
 * The log's steps for a version 2 bundle whose offline steps passed. Stops at the first failure.
 * Each check is {name, ok, detail: [messageKey, params]}; `unreachable` marks one that could not run.
 */
export async function verifyLogOffline(bundle, leafHash) {
  const log = bundle.log;
  const checks = [];
  const okShape =
    log &&
    typeof log === "object" &&
    typeof log.verifierKey === "string" &&
    typeof log.anchoredCheckpoint === "string" &&
    typeof log.checkpoint === "string" &&
    Number.isSafeInteger(log.inclusion?.treeSize) &&
    Array.isArray(log.inclusion?.auditPath) &&
    log.inclusion.auditPath.every(isHex32) &&
    Number.isSafeInteger(log.consistency?.from) &&
    Number.isSafeInteger(log.consistency?.to) &&
    Array.isArray(log.consistency?.proof) &&
    log.consistency.proof.every(isHex32);
  if (!okShape) {
    checks.push({ name: "checkpoint-signature", ok: false, detail: ["log.malformed", {}] });
    return checks;
  }
  let anchored;
  let later;
  try {
    const verifier = parseVerifierKey(log.verifierKey);
    anchored = await verifiedCheckpoint(log.anchoredCheckpoint, verifier);
    later = await verifiedCheckpoint(log.checkpoint, verifier);
    if (anchored.origin !== log.origin || later.origin !== log.origin) throw new Error(`a checkpoint names another log than ${log.origin}`);
    const { treeSize, root } = bundle.merkle;
    if (anchored.treeSize !== treeSize || toHex(anchored.root) !== root) {
      throw new Error(`the anchored checkpoint is of size ${anchored.treeSize}, root ${toHex(anchored.root)}; the bundle's merkle section says ${treeSize}, ${root}`);
    }
  } catch (e) {
    const check = { name: "checkpoint-signature", ok: false, detail: ["log.sigBad", { reason: e.message }] };
    if (e instanceof NoWebCrypto) check.unreachable = true;
    checks.push(check);
    return checks;
  }
  const key = log.verifierKey.split("+").slice(0, 2).join("+");
  checks.push({ name: "checkpoint-signature", ok: true, detail: ["log.sigOk", { origin: log.origin, from: anchored.treeSize, to: later.treeSize, key }] });

  const inc = log.inclusion;
  const index = bundle.merkle.leafIndex;
  const computed = inc.treeSize === later.treeSize ? rootFromAuditPath(leafHash, index, inc.treeSize, inc.auditPath.map(fromHex)) : null;
  const incOk = computed !== null && sameBytes(computed, later.root);
  checks.push({ name: "log-inclusion", ok: incOk, detail: [incOk ? "log.inclusionOk" : "log.inclusionBad", { index, size: later.treeSize }] });
  if (!incOk) return checks;

  const c = log.consistency;
  const consOk = c.from === anchored.treeSize && c.to === later.treeSize && verifyConsistency(c.from, c.to, anchored.root, later.root, c.proof.map(fromHex));
  checks.push({ name: "log-consistency", ok: consOk, detail: [consOk ? "log.consistencyOk" : "log.consistencyBad", { from: anchored.treeSize, to: later.treeSize }] });
  return checks;
}
