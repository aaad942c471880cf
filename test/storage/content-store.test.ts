// ContentStore.put against openssl: SHA-256 and SM3 of random files of many sizes, fed in chunks
// of awkward sizes, both below the size where hashing moves to worker threads (inline) and above it
// (parallel-ingest.ts: shared slots of 4 MiB written and hashed at once), across slot boundaries.
// The stored object must be the input byte for byte; a failed upload must leave nothing behind.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { ContentStore, TooLargeError } from "../../server/storage/content-store";

const MiB = 1024 * 1024;

function openssl(algorithm: "sha256" | "sm3", file: string): string {
  const r = spawnSync("openssl", ["dgst", `-${algorithm}`, "-r", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return "0x" + r.stdout.trim().split(/\s+/)[0];
}

/** The buffer as a stream of chunks cycling through `sizes`. */
function chunked(buf: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let off = 0, i = 0; off < buf.length; i++) {
    const n = Math.min(sizes[i % sizes.length], buf.length - off);
    parts.push(buf.subarray(off, off + n));
    off += n;
  }
  return Readable.from(parts);
}

describe("ContentStore: digests against openssl dgst", function () {
  let dir: string;
  let store: ContentStore;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "content-store-"));
    store = new ContentStore(path.join(dir, "data"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const sizes = [1, 55, 56, 63, 64, 65, 1000, 64 * 1024 + 7, MiB - 1, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 12345, 25 * MiB + 3];
  for (const size of sizes) {
    for (const parallel of size >= 4 * MiB ? [false, true] : [false]) {
      it(`${size} bytes, ${parallel ? "hashed on worker threads" : "hashed inline"}`, async () => {
        const data = randomBytes(size);
        const file = path.join(dir, `in-${size}`);
        fs.writeFileSync(file, data);
        const stored = await store.put(chunked(data, [65536, 1, 3 * MiB + 17, 777, 5 * MiB]), {
          maxBytes: Number.MAX_SAFE_INTEGER,
          sizeHint: parallel ? size : 0,
        });
        expect(stored.size).to.equal(size);
        expect(stored.sha256).to.equal(openssl("sha256", file));
        expect(stored.sm3).to.equal(openssl("sm3", file));
        expect(fs.readFileSync(store.pathOf(stored.sha256)).equals(data)).to.equal(true);
        fs.rmSync(file);
      });
    }
  }

  it("uploads at once on the worker threads each get their own digests", async () => {
    const inputs = [randomBytes(6 * MiB), randomBytes(9 * MiB + 1), randomBytes(5 * MiB - 3)];
    const results = await Promise.all(inputs.map((d) => store.put(chunked(d, [MiB + 1]), { maxBytes: 1 << 30, sizeHint: d.length })));
    results.forEach((r, i) => {
      const file = path.join(dir, `concurrent-${i}`);
      fs.writeFileSync(file, inputs[i]);
      expect(r.sha256).to.equal(openssl("sha256", file));
      expect(r.sm3).to.equal(openssl("sm3", file));
    });
  });

  it("an upload over its limit on the worker threads leaves nothing behind, and the next one is right", async () => {
    const tmp = path.join(dir, "data", "tmp");
    const before = fs.readdirSync(tmp).length;
    let error: unknown = null;
    await store.put(chunked(randomBytes(30 * MiB), [MiB]), { maxBytes: 20 * MiB, sizeHint: 30 * MiB }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(TooLargeError);
    expect(fs.readdirSync(tmp).length).to.equal(before);
    const data = randomBytes(8 * MiB);
    const file = path.join(dir, "after-abort");
    fs.writeFileSync(file, data);
    const r = await store.put(chunked(data, [MiB]), { maxBytes: 1 << 30, sizeHint: data.length });
    expect(r.sm3).to.equal(openssl("sm3", file));
    expect(r.sha256).to.equal(openssl("sha256", file));
  });
});
