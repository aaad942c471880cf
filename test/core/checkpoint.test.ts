// Checkpoints against the C2SP formats (tlog-checkpoint, signed-note), read back by a reader
// written here from the specifications, independent of server/core/checkpoint.ts: split the note at
// the first blank line, check the three body lines, compute the Ed25519 key ID from the key name and
// raw public key, and verify the signature over the body with node:crypto.
import { expect } from "chai";
import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { parseCheckpoint, parseVerifierKey, signCheckpoint, verifierKey, verifyCheckpoint } from "../../server/core/checkpoint";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const NAME = "example.org/log";

function readNote(note: string, vkey: string) {
  // Split at the first two "+": base64 may hold more.
  const [, name, idHex, keyB64] = /^([^+]+)\+([^+]+)\+(.*)$/.exec(vkey)!;
  const key = Buffer.from(keyB64, "base64");
  expect(key[0], "Ed25519 algorithm byte").to.equal(0x01);
  const id = createHash("sha256").update(Buffer.concat([Buffer.from(name + "\n"), key])).digest().subarray(0, 4);
  expect(id.toString("hex")).to.equal(idHex);
  const at = note.indexOf("\n\n");
  const body = note.slice(0, at + 1);
  const [origin, size, root, ...rest] = body.split("\n");
  expect(rest).to.deep.equal([""]); // the body ends with one newline, no extension lines
  const sigLines = note.slice(at + 2).split("\n");
  expect(sigLines.pop()).to.equal("");
  expect(sigLines).to.have.length(1);
  expect(sigLines[0].startsWith("\u2014 " + name + " ")).to.equal(true);
  const sig = Buffer.from(sigLines[0].split(" ")[2], "base64");
  expect(sig.subarray(0, 4).equals(id)).to.equal(true);
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), key.subarray(1)]);
  const ok = verify(null, Buffer.from(body), createPublicKey({ key: spki, format: "der", type: "spki" }), sig.subarray(4));
  return { origin, size, root, ok };
}

describe("checkpoints: C2SP tlog-checkpoint signed notes", () => {
  const root = createHash("sha256").update("root").digest();

  it("a signed checkpoint reads back with an independent reader and its Ed25519 signature verifies", () => {
    const note = signCheckpoint({ origin: NAME, treeSize: 1234, root }, NAME, privateKey, publicKey);
    const vkey = verifierKey(NAME, publicKey);
    const r = readNote(note, vkey);
    expect(r).to.deep.equal({ origin: NAME, size: "1234", root: root.toString("base64"), ok: true });
    // and with ours
    const v = verifyCheckpoint(note, parseVerifierKey(vkey));
    expect(v.ok).to.equal(true);
    if (v.ok) expect([v.checkpoint.treeSize, v.checkpoint.root.equals(root)]).to.deep.equal([1234, true]);
  });

  it("an altered size, root or origin, another key, or a malformed note is refused", () => {
    const note = signCheckpoint({ origin: NAME, treeSize: 7, root }, NAME, privateKey, publicKey);
    const v = parseVerifierKey(verifierKey(NAME, publicKey));
    expect(verifyCheckpoint(note.replace("\n7\n", "\n8\n"), v).ok).to.equal(false);
    expect(readNote(note.replace("\n7\n", "\n8\n"), verifierKey(NAME, publicKey)).ok).to.equal(false);
    const otherRoot = createHash("sha256").update("other").digest().toString("base64");
    expect(verifyCheckpoint(note.replace(root.toString("base64"), otherRoot), v).ok).to.equal(false);
    expect(verifyCheckpoint(note.replace(NAME + "\n", "example.org/other\n"), v).ok).to.equal(false);
    const other = generateKeyPairSync("ed25519");
    expect(verifyCheckpoint(note, parseVerifierKey(verifierKey(NAME, other.publicKey))).ok).to.equal(false);
    for (const bad of [note.replace("\n\n", "\n"), note.slice(0, -1), note.replace("\n7\n", "\n07\n"), note.replace("\u2014", "-")]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).to.throw();
    }
    expect(() => parseVerifierKey(verifierKey(NAME, publicKey).replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).to.throw(/ID/);
  });
});
