// Checkpoints of a transparency log as C2SP specifies them (tlog-checkpoint and signed-note):
//   "<origin>\n<tree size>\n<base64 root hash>\n" (the note's text), a blank line, then one line per
//   signature "— <key name> <base64(key ID || signature)>\n".
// Ed25519 keys only: key ID = first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key), and
// the verifier key is written "<name>+<hex key ID>+<base64(0x01 || public key)>".
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

const ED25519 = 0x01;
const SIG_PREFIX = "\u2014 ";
// SubjectPublicKeyInfo of an Ed25519 key, before its 32 bytes (RFC 8410).
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface Checkpoint {
  origin: string;
  treeSize: number;
  root: Buffer;
  /** Lines after the root hash, before the blank line (none are written by this log). */
  extensions: string[];
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

export interface SignedCheckpoint extends Checkpoint {
  /** The signed text, ending with a newline. */
  body: string;
  signatures: NoteSignature[];
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

/** A key name must be non-empty and hold no whitespace and no "+" (signed-note). */
function checkKeyName(name: string): void {
  if (!/^[^\s+]+$/u.test(name)) throw new Error(`key name ${JSON.stringify(name)} is empty or holds a space or "+"`);
}

export function ed25519KeyId(name: string, publicKey: Uint8Array): Buffer {
  checkKeyName(name);
  return createHash("sha256").update(name, "utf8").update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);
}

/**
 * The log's id on chain: the whole SHA-256 of which the key ID is the first 4 bytes, as 0x-hex.
 * The registry keeps each log's checkpoints under it.
 */
export function logIdOf(verifier: Pick<NoteVerifier, "name" | "publicKey">): string {
  return "0x" + createHash("sha256").update(verifier.name, "utf8").update(Buffer.from([0x0a, ED25519])).update(rawEd25519PublicKey(verifier.publicKey)).digest("hex");
}

// A key's export is a pure function of the key object; verifying asks for the same few keys
// (parseVerifierKey keeps their objects) on every request.
const rawKeys = new WeakMap<KeyObject, Buffer>();

export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const known = rawKeys.get(key);
  if (known) return Buffer.from(known);
  const der = key.export({ format: "der", type: "spki" });
  if (der.length !== SPKI_PREFIX.length + 32 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new Error("not an Ed25519 public key");
  }
  const raw = der.subarray(SPKI_PREFIX.length);
  rawKeys.set(key, Buffer.from(raw));
  return raw;
}

export function checkpointBody(c: Pick<Checkpoint, "origin" | "treeSize" | "root">): string {
  if (!c.origin || /[\n]/.test(c.origin)) throw new Error("origin must be one non-empty line");
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) throw new Error("tree size must be a non-negative integer");
  if (c.root.length !== 32) throw new Error("root hash must be 32 bytes");
  return `${c.origin}\n${c.treeSize}\n${c.root.toString("base64")}\n`;
}

/** The signed note: body, blank line, the Ed25519 signature line. */
export function signCheckpoint(c: Pick<Checkpoint, "origin" | "treeSize" | "root">, keyName: string, privateKey: KeyObject, publicKey: KeyObject): string {
  const body = checkpointBody(c);
  const sig = sign(null, Buffer.from(body, "utf8"), privateKey);
  const id = ed25519KeyId(keyName, rawEd25519PublicKey(publicKey));
  return `${body}\n${SIG_PREFIX}${keyName} ${Buffer.concat([id, sig]).toString("base64")}\n`;
}

export function verifierKey(name: string, publicKey: KeyObject): string {
  const raw = rawEd25519PublicKey(publicKey);
  return `${name}+${ed25519KeyId(name, raw).toString("hex")}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString("base64")}`;
}

/** Reads a verifier key "<name>+<hex key ID>+<base64(0x01 || key)>"; throws on anything else. */
// Every verification parses the same few keys: the result of a key's text is kept (a pure function of it).
const parsedKeys = new Map<string, NoteVerifier>();

export function parseVerifierKey(vkey: string): NoteVerifier {
  const known = parsedKeys.get(vkey);
  if (known) return known;
  const parsed = parseVerifierKeyText(vkey);
  if (parsedKeys.size >= 100) parsedKeys.clear();
  parsedKeys.set(vkey, parsed);
  return parsed;
}

function parseVerifierKeyText(vkey: string): NoteVerifier {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(vkey.trim());
  if (!m) throw new Error("verifier key must be <name>+<8 hex digits>+<base64 key>");
  const key = Buffer.from(m[3], "base64");
  if (key.length !== 33 || key[0] !== ED25519) throw new Error("verifier key is not an Ed25519 key");
  const keyId = ed25519KeyId(m[1], key.subarray(1));
  if (keyId.toString("hex") !== m[2]) throw new Error("verifier key's ID does not match its name and key");
  return { name: m[1], keyId, publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key.subarray(1)]), format: "der", type: "spki" }) };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Parses a signed checkpoint; throws with the reason when it is not one. Signatures are not checked. */
export function parseCheckpoint(note: string): SignedCheckpoint {
  const split = note.indexOf("\n\n");
  if (split < 0) throw new Error("a signed note needs a blank line between text and signatures");
  const body = note.slice(0, split + 1);
  const sigText = note.slice(split + 2);
  if (!sigText.endsWith("\n")) throw new Error("the note must end with a newline");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new Error("a checkpoint has an origin, a tree size and a root hash");
  const [origin, size, rootB64, ...extensions] = lines;
  if (!origin) throw new Error("the origin line is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error("the tree size is not a decimal integer");
  if (!BASE64.test(rootB64) || Buffer.from(rootB64, "base64").length !== 32) throw new Error("the root hash is not base64 of 32 bytes");
  if (extensions.some((l) => l === "")) throw new Error("empty line in the checkpoint text");
  const signatures: NoteSignature[] = [];
  for (const line of sigText.slice(0, -1).split("\n")) {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m || !BASE64.test(m[2])) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
    const raw = Buffer.from(m[2], "base64");
    if (raw.length < 5) throw new Error("signature too short");
    signatures.push({ name: m[1], keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  return { origin, treeSize: Number(size), root: Buffer.from(rootB64, "base64"), extensions, body, signatures };
}

/**
 * Parses `note` and checks that `verifier` signed it. Returns the checkpoint, or the reason it is
 * not one signed by that key.
 */
export function verifyCheckpoint(note: string, verifier: NoteVerifier): { ok: true; checkpoint: SignedCheckpoint } | { ok: false; reason: string } {
  let cp: SignedCheckpoint;
  try {
    cp = parseCheckpoint(note);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const mine = cp.signatures.filter((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
  if (mine.length === 0) return { ok: false, reason: `no signature by ${verifier.name}+${verifier.keyId.toString("hex")}` };
  const good = mine.some((s) => s.signature.length === 64 && verify(null, Buffer.from(cp.body, "utf8"), verifier.publicKey, s.signature));
  return good ? { ok: true, checkpoint: cp } : { ok: false, reason: `the signature by ${verifier.name} does not verify` };
}
