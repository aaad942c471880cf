// Properties of server/core/merkle.ts over every tree size 1..1000:
//   - every leaf's audit path (allAuditPaths) verifies to the root with rootFromAuditPath, and
//     equals an independent bottom-up reference (and auditPath(leaves, i) for a sample);
//   - flipping one bit of the leaf, of a path element or of the root, a wrong leaf index or tree
//     size, and a truncated or extended path all make verification fail.
// The exhaustive part lives in merkle-sweep.ts and runs on worker threads, one per core.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { allAuditPaths, auditPath, leafHash, rootFromAuditPath } from "../../server/core/merkle";
import { LEAVES, MAX_SIZE, reference, sampleIndices, samePath, sweep, verifies, type SweepResult } from "./merkle-sweep";

/** A copy with one bit flipped (never in place: allAuditPaths shares path buffers between leaves). */
function flip(b: Uint8Array, bit: number): Buffer {
  const c = Buffer.from(b);
  c[(bit >> 3) % c.length] ^= 1 << (bit & 7);
  return c;
}

function runSweepInWorker(sizes: number[]): Promise<SweepResult> {
  // Worker threads do not inherit mocha's ts-node hook: register it again, by absolute path.
  const tsNode = require.resolve("ts-node/register/transpile-only");
  const entry = path.join(__dirname, "merkle-sweep.ts");
  const code = `require(${JSON.stringify(tsNode)}); require(${JSON.stringify(entry)});`;
  return new Promise((resolve, reject) => {
    let result: SweepResult | undefined;
    const worker = new Worker(code, { eval: true, workerData: { merkleSweep: true, sizes } });
    worker.once("message", (r: SweepResult) => (result = r));
    worker.once("error", reject);
    worker.once("exit", (exitCode) => {
      if (result) resolve(result);
      else reject(new Error(`sweep worker exited with ${exitCode} and no result`));
    });
  });
}

describe("merkle: properties over tree sizes 1..1000", function () {
  this.timeout(120_000);

  it("the reference oracle gives the published RFC 6962 8-leaf root", () => {
    const inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    const leaves = inputs.map((h) => leafHash(Buffer.from(h, "hex")));
    expect(reference(leaves).root.toString("hex")).to.equal(
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    );
  });

  it("the sweep runs in this thread too (sizes 1..3: 6 proofs)", () => {
    expect(sweep([1, 2, 3])).to.deep.equal({ sizes: 3, proofs: 6, failures: [] });
  });

  it("every leaf of every size 1..1000 verifies, and every path equals the reference", async () => {
    const workers = Math.max(1, Math.min(4, availableParallelism()));
    const buckets: number[][] = Array.from({ length: workers }, () => []);
    // Interleave so that every bucket gets a similar share of large trees.
    for (let n = 1; n <= MAX_SIZE; n++) buckets[n % workers].push(n);
    const results = workers === 1 ? [sweep(buckets[0])] : await Promise.all(buckets.map(runSweepInWorker));
    const failures = results.flatMap((r) => r.failures);
    expect(failures).to.deep.equal([]);
    expect(results.reduce((s, r) => s + r.sizes, 0)).to.equal(MAX_SIZE);
    expect(results.reduce((s, r) => s + r.proofs, 0)).to.equal((MAX_SIZE * (MAX_SIZE + 1)) / 2);
  });

  it("auditPath equals allAuditPaths for every leaf of every size up to 64", () => {
    for (let n = 1; n <= 64; n++) {
      const leaves = LEAVES.slice(0, n);
      const { paths } = allAuditPaths(leaves);
      for (let i = 0; i < n; i++) {
        if (!samePath(auditPath(leaves, i), paths[i])) expect.fail(`size ${n} leaf ${i}`);
      }
    }
  });

  it("any flipped bit, wrong index or size, truncated or extended path fails (sampled leaves, every size)", () => {
    const extra = createHash("sha256").update("extra").digest();
    let probes = 0;
    const reject = (what: string, ok: boolean) => {
      probes++;
      if (ok) expect.fail(`verified although ${what}`);
    };
    for (let n = 1; n <= MAX_SIZE; n++) {
      const leaves = LEAVES.slice(0, n);
      const { root, paths } = allAuditPaths(leaves);
      for (const i of sampleIndices(n)) {
        const leaf = leaves[i];
        const path = paths[i];
        const at = `size ${n} leaf ${i}:`;
        // The bit position varies with the size and the leaf so that all 256 positions are hit.
        const bit = (n * 31 + i * 17) % 256;

        reject(`${at} leaf bit ${bit} flipped`, verifies(flip(leaf, bit), i, n, path, root));
        reject(`${at} root bit ${bit} flipped`, verifies(leaf, i, n, path, flip(root, bit)));
        for (let k = 0; k < path.length; k++) {
          const wrong = path.slice();
          wrong[k] = flip(path[k], bit + k);
          reject(`${at} a bit of path[${k}] flipped`, verifies(leaf, i, n, wrong, root));
        }
        for (const j of [i - 1, i + 1, i ^ 1, i ^ 2, n, -1]) {
          if (j !== i) reject(`${at} index ${j} claimed`, verifies(leaf, j, n, path, root));
        }
        // As in the CT reference tests: twice and half the size. (Not *any* other size: a path
        // does not commit to the size, e.g. leaf 0's path is the same in trees of 5..8.)
        for (const m of [n * 2, n >> 1, 0]) {
          if (m !== n) reject(`${at} size ${m} claimed`, verifies(leaf, i, m, path, root));
        }
        if (path.length > 0) {
          reject(`${at} last path element removed`, verifies(leaf, i, n, path.slice(0, -1), root));
          reject(`${at} first path element removed`, verifies(leaf, i, n, path.slice(1), root));
        }
        reject(`${at} an element appended`, verifies(leaf, i, n, [...path, extra], root));
        // A path of the wrong length is refused outright (null), not hashed to some other root.
        if (rootFromAuditPath(leaf, i, n, [...path, extra]) !== null) expect.fail(`${at} appended path not refused`);
        if (path.length > 0 && rootFromAuditPath(leaf, i, n, path.slice(0, -1)) !== null) {
          expect.fail(`${at} truncated path not refused`);
        }
        reject(`${at} the root appended`, verifies(leaf, i, n, [...path, root], root));
        reject(`${at} an element prepended`, verifies(leaf, i, n, [extra, ...path], root));
        if (n > 1) reject(`${at} another leaf's path used`, verifies(leaf, i, n, paths[(i + 1) % n], root));
      }
    }
    expect(probes).to.be.greaterThan(50_000);
  });

  it("a wrong index never verifies, for every leaf and every claimed index (sizes up to 40)", () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = LEAVES.slice(0, n);
      const { root, paths } = allAuditPaths(leaves);
      for (let i = 0; i < n; i++) {
        for (let j = -1; j <= n; j++) {
          if (j !== i && verifies(leaves[i], j, n, paths[i], root)) expect.fail(`size ${n}: leaf ${i} verified as ${j}`);
        }
      }
    }
  });

  it("a path does not commit to the tree size: leaf 0 of 8 also verifies as leaf 0 of 5, 6, 7", () => {
    // Documents the limit of inclusion proofs (RFC 9162 2.1.3.2): the size must come from a
    // trusted source (the anchored tree head), not from the proof.
    const leaves = LEAVES.slice(0, 8);
    const { root, paths } = allAuditPaths(leaves);
    for (const m of [5, 6, 7, 8]) expect(verifies(leaves[0], 0, m, paths[0], root), `size ${m}`).to.equal(true);
    expect(verifies(leaves[0], 0, 4, paths[0], root)).to.equal(false);
    expect(verifies(leaves[0], 0, 9, paths[0], root)).to.equal(false);
  });

  it("rejects non-integer and out-of-range index or size", () => {
    const leaves = LEAVES.slice(0, 5);
    const { root, paths } = allAuditPaths(leaves);
    expect(verifies(leaves[2], 2, 5, paths[2], root)).to.equal(true);
    for (const [i, n] of [[2.5, 5], [2, 5.5], [NaN, 5], [2, NaN], [2, Infinity], [5, 5], [7, 5], [-1, 5]]) {
      expect(rootFromAuditPath(leaves[2], i, n, paths[2]), `${i} of ${n}`).to.equal(null);
    }
    for (const i of [-1, 5, 1.5, NaN]) expect(() => auditPath(leaves, i), String(i)).to.throw(RangeError);
  });

  it("fast-check: random leaf data, size, leaf and bit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.nat({ max: 255 }),
        fc.constantFrom("leaf", "path", "root"),
        (data, pick, bit, target) => {
          const leaves = data.map((d) => leafHash(d));
          const n = leaves.length;
          const i = pick % n;
          const { root, paths } = allAuditPaths(leaves);
          const path = auditPath(leaves, i);
          if (!samePath(path, paths[i]) || !samePath(path, reference(leaves).paths[i])) return false;
          if (!verifies(leaves[i], i, n, path, root)) return false;
          if (target === "leaf") return !verifies(flip(leaves[i], bit), i, n, path, root);
          if (target === "root") return !verifies(leaves[i], i, n, path, flip(root, bit));
          if (path.length === 0) return true;
          const k = pick % path.length;
          const wrong = path.slice();
          wrong[k] = flip(path[k], bit);
          return !verifies(leaves[i], i, n, wrong, root);
        },
      ),
      { numRuns: 300, seed: 6962 },
    );
  });
});
