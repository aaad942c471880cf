// Encryption at rest of private keys (and any other secret a record must carry).
//
// One 256-bit master key, from MASTER_KEY or from DATA_DIR/master.key (created on first use, mode
// 0600). seal() is AES-256-GCM with a fresh random 96-bit IV and the caller's `context` (e.g.
// "user:<id>") as additional authenticated data, so a sealed value copied into another record does
// not open there. Format: "v1:" + base64(iv[12] || tag[16] || ciphertext).
// (Random 96-bit IVs: NIST SP 800-38D §8.3 allows 2^32 seals per key, far beyond this use.)
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const KEY_FILE = "master.key";
const PREFIX = "v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte key in MASTER_KEY: 64 hex digits, or base64 (standard or URL-safe, padding optional) of 32 bytes. */
function parseMasterKey(value: string): Buffer {
  const s = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(s) || /^[A-Za-z0-9_-]{43}=?$/.test(s)) {
    const key = Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    // 43 base64 characters carry 258 bits: the last two must be zero for a canonical encoding.
    if (key.length === 32 && key.toString("base64").replace(/=+$/, "") === s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "")) {
      return key;
    }
  }
  throw new Error("MASTER_KEY is malformed: it must be 64 hex characters or the base64 encoding of exactly 32 bytes");
}

function readKeyFile(file: string): Buffer {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    throw new Error(
      `${file} has permissions ${(st.mode & 0o777).toString(8).padStart(4, "0")}, wider than 0600: ` +
        `the master key must be readable by its owner only (chmod 600 ${file})`,
    );
  }
  const text = fs.readFileSync(file, "latin1").trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new Error(`${file} has the wrong size or format: it must hold 32 bytes as 64 hex characters`);
  }
  return Buffer.from(text, "hex");
}

/** Creates DATA_DIR/master.key atomically (temp file + link), so a concurrent opener never sees half a key. */
function createKeyFile(dataDir: string, file: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dataDir, `.${KEY_FILE}.${process.pid}.${crypto.randomBytes(6).toString("hex")}`);
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, crypto.randomBytes(32).toString("hex") + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // another process won the race: use its key
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  try {
    const dirFd = fs.openSync(dataDir, "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // directories cannot be fsynced on every platform
  }
}

export class KeyVault {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /**
   * MASTER_KEY (64 hex chars or base64 of 32 bytes) when given; otherwise DATA_DIR/master.key,
   * created on first use with mode 0600 (32 random bytes, hex). Throws a clear Error on a malformed
   * MASTER_KEY (an empty string included) or a key file with wrong size / permissions wider than 0600.
   */
  static open(dataDir: string, masterKey?: string): KeyVault {
    if (masterKey !== undefined) return new KeyVault(parseMasterKey(masterKey));
    const file = path.join(dataDir, KEY_FILE);
    if (!fs.existsSync(file)) createKeyFile(dataDir, file);
    return new KeyVault(readKeyFile(file));
  }

  /** AES-256-GCM with a random 96-bit IV; returns "v1:" + base64(iv || tag || ciphertext). `context` is bound as AAD. */
  seal(plaintext: Buffer | string, context: string): string {
    checkContext(context);
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64");
  }

  /**
   * A 32-byte key for one purpose, derived from the master key (HKDF-SHA256, RFC 5869, with the
   * purpose as info): the master key itself never leaves the vault.
   */
  deriveKey(purpose: string): Buffer {
    checkContext(purpose);
    return Buffer.from(crypto.hkdfSync("sha256", this.#key, Buffer.alloc(0), Buffer.from(`evidence-platform:${purpose}`, "utf8"), 32));
  }

  /** Inverse of seal; throws on tampering or wrong context. */
  unseal(sealed: string, context: string): Buffer {
    checkContext(context);
    if (typeof sealed !== "string" || !sealed.startsWith(PREFIX)) throw new Error('sealed value must start with "v1:"');
    const body = sealed.slice(PREFIX.length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4) throw new Error("sealed value is not valid base64");
    const raw = Buffer.from(body, "base64");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("sealed value is too short");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error("sealed value failed authentication: it was altered, belongs to another context, or was sealed with another master key");
    }
  }
}

function checkContext(context: string): void {
  if (typeof context !== "string" || context === "") throw new TypeError("context must be a non-empty string (e.g. \"user:<id>\")");
}
