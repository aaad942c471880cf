import { expect } from "chai";
import { createHash } from "node:crypto";
import { allAuditPaths, rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";
import { EMPTY_RANGE, compactRange, extendRange, rootOfRange, subtreeSizes, type CompactRange } from "../../server/core/compact-range";

const leafOf = (i: number) => createHash("sha256").update(`leaf ${i}`).digest();
const hex = (bs: Buffer[]) => bs.map((b) => b.toString("hex"));

/** The compact range of the first n leaves, built by appends of the given sizes. */
function grown(n: number, step: number): CompactRange {
  let r = EMPTY_RANGE;
  for (let i = 0; i < n; i += step) r = extendRange(r, Array.from({ length: Math.min(step, n - i) }, (_, j) => leafOf(i + j))).range;
  return r;
}

describe("compact range (append-only RFC 6962 tree without its earlier leaves)", () => {
  it("the subtree sizes are the set bits of the size, largest first", () => {
    expect(subtreeSizes(0)).to.deep.equal([]);
    expect(subtreeSizes(1)).to.deep.equal([1]);
    expect(subtreeSizes(6)).to.deep.equal([4, 2]);
    expect(subtreeSizes(7)).to.deep.equal([4, 2, 1]);
    expect(subtreeSizes(1024)).to.deep.equal([1024]);
    expect(subtreeSizes(1001)).to.deep.equal([512, 256, 128, 64, 32, 8, 1]);
  });

  it("gives the root and audit paths of the whole tree for every old size 0..64 and append 1..40", () => {
    const all = Array.from({ length: 104 }, (_, i) => leafOf(i));
    for (let old = 0; old <= 64; old++) {
      const before = grown(old, 7);
      expect(rootOfRange(before).equals(rootFromLeafHashes(all.slice(0, old))), `root of ${old}`).to.equal(true);
      for (let added = 1; added <= 40; added++) {
        const size = old + added;
        const { root, paths, range } = extendRange(before, all.slice(old, size));
        const expected = allAuditPaths(all.slice(0, size));
        expect(root.equals(expected.root), `root, ${old} + ${added}`).to.equal(true);
        expect(paths.map(hex), `paths, ${old} + ${added}`).to.deep.equal(expected.paths.slice(old).map(hex));
        expect(range.size).to.equal(size);
        expect(rootOfRange(range).equals(expected.root), `range root, ${old} + ${added}`).to.equal(true);
      }
    }
  });

  it("keeps agreeing over a long log grown by batches of 1,001 (a batch and its audit head)", () => {
    const n = 20_020;
    const all = Array.from({ length: n }, (_, i) => leafOf(i));
    let r = EMPTY_RANGE;
    for (let i = 0; i < n; i += 1001) {
      const { root, paths, range } = extendRange(r, all.slice(i, i + 1001));
      // each new leaf's path leads to the new root (RFC 9162 2.1.3.2)
      for (const j of [0, 500, 1000]) expect(rootFromAuditPath(all[i + j], i + j, i + 1001, paths[j])?.equals(root)).to.equal(true);
      r = range;
    }
    expect(rootOfRange(r).equals(rootFromLeafHashes(all))).to.equal(true);
  });

  it("refuses a range whose hashes do not fit its size", () => {
    expect(() => compactRange(6, [leafOf(0)])).to.throw(RangeError);
    expect(() => compactRange(-1, [])).to.throw(RangeError);
    expect(() => compactRange(1, [Buffer.alloc(31)])).to.throw(RangeError);
    expect(compactRange(6, [leafOf(0), leafOf(1)]).size).to.equal(6);
  });
});
