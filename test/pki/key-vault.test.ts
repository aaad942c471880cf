// server/pki/key-vault.ts: sealing, context binding, tamper detection, the master key's sources.
import { expect } from "chai";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KeyVault } from "../../server/pki/key-vault";

const HEX_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const KEY_BYTES = Buffer.from(HEX_KEY, "hex");

/** Opens a sealed value by hand from the documented format (an independent reading of it). */
function openByHand(sealed: string, key: Buffer, context: string): Buffer {
  expect(sealed.startsWith("v1:")).to.equal(true);
  const raw = Buffer.from(sealed.slice(3), "base64");
  const d = crypto.createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAAD(Buffer.from(context, "utf8"));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
}

describe("pki: KeyVault", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-test-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("seal / unseal", () => {
    const vault = () => KeyVault.open(dir, HEX_KEY);

    it("round-trips strings (UTF-8) and Buffers; format v1:base64(iv||tag||ciphertext), AES-256-GCM with the context as AAD", () => {
      const v = vault();
      const pem = "-----BEGIN PRIVATE KEY-----\n私钥\n-----END PRIVATE KEY-----\n";
      const sealed = v.seal(pem, "user:42");
      expect(sealed).to.match(/^v1:[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(sealed.slice(3), "base64").length).to.equal(12 + 16 + Buffer.byteLength(pem));
      expect(v.unseal(sealed, "user:42").toString("utf8")).to.equal(pem);
      expect(openByHand(sealed, KEY_BYTES, "user:42").toString("utf8")).to.equal(pem);
      const bin = crypto.randomBytes(1000);
      expect(v.unseal(v.seal(bin, "org:7"), "org:7").equals(bin)).to.equal(true);
      expect(v.unseal(v.seal(Buffer.alloc(0), "x"), "x").length).to.equal(0);
    });

    it("uses a fresh IV each time", () => {
      const v = vault();
      const a = v.seal("same", "c");
      const b = v.seal("same", "c");
      expect(a).to.not.equal(b);
      expect(Buffer.from(a.slice(3), "base64").subarray(0, 12).equals(Buffer.from(b.slice(3), "base64").subarray(0, 12))).to.equal(false);
    });

    it("refuses the wrong context", () => {
      const v = vault();
      const sealed = v.seal("secret", "user:1");
      expect(() => v.unseal(sealed, "user:2")).to.throw(/failed authentication/);
      expect(() => v.unseal(sealed, "user:1 ")).to.throw(/failed authentication/);
      expect(() => v.unseal(sealed, "")).to.throw(/context/);
      expect(() => v.seal("x", "")).to.throw(/context/);
      expect(v.unseal(sealed, "user:1").toString()).to.equal("secret");
    });

    it("detects tampering with the IV, the tag or the ciphertext, and truncation", () => {
      const v = vault();
      const sealed = v.seal("a private key, say", "user:1");
      const raw = Buffer.from(sealed.slice(3), "base64");
      for (const offset of [0, 11, 12, 27, 28, raw.length - 1]) {
        const t = Buffer.from(raw);
        t[offset] ^= 0x01;
        expect(() => v.unseal("v1:" + t.toString("base64"), "user:1"), `offset ${offset}`).to.throw(/failed authentication/);
      }
      expect(() => v.unseal("v1:" + raw.subarray(0, raw.length - 1).toString("base64"), "user:1")).to.throw(/failed authentication/);
      expect(() => v.unseal("v1:" + raw.subarray(0, 20).toString("base64"), "user:1")).to.throw(/too short/);
      expect(() => v.unseal("v2:" + raw.toString("base64"), "user:1")).to.throw(/v1/);
      expect(() => v.unseal("v1:***", "user:1")).to.throw(/base64/);
    });

    it("refuses a value sealed under another master key", () => {
      const other = KeyVault.open(dir, crypto.randomBytes(32).toString("hex"));
      expect(() => vault().unseal(other.seal("x", "c"), "c")).to.throw(/failed authentication/);
    });
  });

  describe("master key from DATA_DIR/master.key", () => {
    it("creates the key file on first use with mode 0600 (32 random bytes as hex) and reuses it", () => {
      const dataDir = path.join(dir, "data", "nested");
      const v1 = KeyVault.open(dataDir);
      const file = path.join(dataDir, "master.key");
      const st = fs.statSync(file);
      if (process.platform !== "win32") expect(st.mode & 0o777).to.equal(0o600);
      const text = fs.readFileSync(file, "utf8");
      expect(text).to.match(/^[0-9a-f]{64}\n$/);
      const sealed = v1.seal("kept", "user:1");
      expect(openByHand(sealed, Buffer.from(text.trim(), "hex"), "user:1").toString()).to.equal("kept");
      const v2 = KeyVault.open(dataDir);
      expect(v2.unseal(sealed, "user:1").toString()).to.equal("kept");
      expect(fs.readFileSync(file, "utf8")).to.equal(text);
      expect(fs.readdirSync(dataDir)).to.deep.equal(["master.key"]); // no temporary file left behind
      // the same key given as MASTER_KEY opens it too
      expect(KeyVault.open(dir, text.trim()).unseal(sealed, "user:1").toString()).to.equal("kept");
    });

    it("two data directories get different keys", () => {
      const a = KeyVault.open(path.join(dir, "a"));
      const b = KeyVault.open(path.join(dir, "b"));
      expect(fs.readFileSync(path.join(dir, "a", "master.key"), "utf8")).to.not.equal(fs.readFileSync(path.join(dir, "b", "master.key"), "utf8"));
      expect(() => b.unseal(a.seal("x", "c"), "c")).to.throw();
    });

    if (process.platform !== "win32") {
      it("refuses a key file readable by group or others", () => {
        KeyVault.open(dir);
        const file = path.join(dir, "master.key");
        for (const mode of [0o644, 0o640, 0o604, 0o660]) {
          fs.chmodSync(file, mode);
          expect(() => KeyVault.open(dir), mode.toString(8)).to.throw(/wider than 0600/);
        }
        fs.chmodSync(file, 0o400);
        expect(() => KeyVault.open(dir)).to.not.throw();
        fs.chmodSync(file, 0o600);
        expect(() => KeyVault.open(dir)).to.not.throw();
      });
    }

    it("refuses a key file of the wrong size or format", () => {
      const file = path.join(dir, "master.key");
      for (const content of ["", "abcd\n", HEX_KEY.slice(2) + "\n", HEX_KEY + "00\n", "z".repeat(64), KEY_BYTES.toString("binary")]) {
        fs.writeFileSync(file, content, { mode: 0o600 });
        expect(() => KeyVault.open(dir), JSON.stringify(content)).to.throw(/wrong size/);
      }
      fs.writeFileSync(file, HEX_KEY, { mode: 0o600 }); // no newline is fine
      expect(() => KeyVault.open(dir)).to.not.throw();
    });
  });

  describe("MASTER_KEY", () => {
    it("accepts 64 hex characters and base64 (padded, unpadded, URL-safe) of 32 bytes, all the same key", () => {
      const sealed = KeyVault.open(dir, HEX_KEY).seal("v", "c");
      const forms = [
        HEX_KEY,
        HEX_KEY.toUpperCase(),
        ` ${HEX_KEY}\n`,
        KEY_BYTES.toString("base64"),
        KEY_BYTES.toString("base64").replace(/=+$/, ""),
        KEY_BYTES.toString("base64url"),
      ];
      for (const form of forms) expect(KeyVault.open(dir, form).unseal(sealed, "c").toString(), form).to.equal("v");
      expect(openByHand(sealed, KEY_BYTES, "c").toString()).to.equal("v");
      // MASTER_KEY given: no key file is created
      expect(fs.existsSync(path.join(dir, "master.key"))).to.equal(false);
    });

    it("throws a clear error on a malformed MASTER_KEY, without echoing it", () => {
      const bad = [
        "",
        "abc",
        HEX_KEY.slice(0, 62),
        HEX_KEY + "00",
        "g".repeat(64),
        crypto.randomBytes(31).toString("base64"),
        crypto.randomBytes(33).toString("base64"),
        crypto.randomBytes(24).toString("hex") + "====",
        KEY_BYTES.toString("base64").replace("A", "*"),
        KEY_BYTES.toString("base64").slice(0, 42) + "B=", // non-canonical trailing bits
      ];
      for (const value of bad) {
        let message = "";
        try {
          KeyVault.open(dir, value);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message, JSON.stringify(value)).to.match(/MASTER_KEY is malformed/);
        if (value.length > 3) expect(message).to.not.include(value);
      }
    });
  });
});
