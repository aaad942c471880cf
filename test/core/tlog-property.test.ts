// Properties of the log's proofs (server/core/consistency.ts with merkle.ts), over random sizes:
//   - every inclusion proof (PATH) of every leaf at every tree size verifies against that size's MTH;
//   - every consistency proof (PROOF) between two sizes verifies against both sizes' MTH;
//   - a changed leaf, a truncated log (a smaller second tree), a flipped, dropped or extra proof
//     hash, and swapped sizes all make verification fail.
// Roots are computed independently of the proofs (rootFromLeafHashes over each prefix), so a wrong
// proof cannot verify against them.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { auditPath, leafHash, rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";
import { consistencyProof, verifyConsistency } from "../../server/core/consistency";

const leaves = (n: number, salt = "") => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}${salt}`)));

function flip(b: Uint8Array, bit: number): Buffer {
  const c = Buffer.from(b);
  c[(bit >> 3) % c.length] ^= 1 << (bit & 7);
  return c;
}

describe("log proofs: inclusion and consistency (RFC 6962 / RFC 9162)", () => {
  it("every consistency proof between every two sizes up to 70 verifies, and only against the right roots", () => {
    const all = leaves(70);
    const roots = [null, ...Array.from({ length: 70 }, (_, i) => rootFromLeafHashes(all.slice(0, i + 1)))];
    for (let n = 1; n <= 70; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(all, m, n);
        expect(verifyConsistency(m, n, roots[m]!, roots[n]!, proof), `${m} -> ${n}`).to.equal(true);
        // Either root replaced by another size's root (a truncated or different history) fails.
        if (m < n) {
          expect(verifyConsistency(m, n, roots[m]!, roots[n - 1]!, proof), `${m} -> ${n} against ${n - 1}`).to.equal(false);
          if (m > 1) expect(verifyConsistency(m, n, roots[m - 1]!, roots[n]!, proof)).to.equal(false);
          expect(verifyConsistency(n, m, roots[n]!, roots[m]!, proof)).to.equal(false);
        }
      }
    }
  });

  it("random sizes: inclusion of random leaves and consistency between random sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 0, max: 1 << 30 }), (n, a, b) => {
        const all = leaves(n);
        const root = rootFromLeafHashes(all);
        const index = a % n;
        const path = auditPath(all, index);
        expect(rootFromAuditPath(all[index], index, n, path)?.equals(root)).to.equal(true);
        const m = 1 + (b % n);
        const firstRoot = rootFromLeafHashes(all.slice(0, m));
        expect(verifyConsistency(m, n, firstRoot, root, consistencyProof(all, m, n))).to.equal(true);
        // The leaf is also in the smaller tree when it is old enough: its path there verifies.
        if (index < m) expect(rootFromAuditPath(all[index], index, m, auditPath(all.slice(0, m), index))?.equals(firstRoot)).to.equal(true);
      }),
      { numRuns: 150 },
    );
  });

  it("a changed leaf, a truncated log, an altered proof: verification fails", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1500 }), fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 0, max: 1 << 30 }), fc.nat(255), (n, a, b, bit) => {
        const all = leaves(n);
        const root = rootFromLeafHashes(all);
        const m = 1 + (b % (n - 1)); // m < n
        const firstRoot = rootFromLeafHashes(all.slice(0, m));
        const proof = consistencyProof(all, m, n);

        // A leaf of the first tree changed: the history it claims is not a prefix of the later one.
        const changed = [...all];
        const victim = a % m;
        changed[victim] = flip(changed[victim], bit);
        expect(verifyConsistency(m, n, rootFromLeafHashes(changed.slice(0, m)), root, proof)).to.equal(false);
        expect(verifyConsistency(m, n, rootFromLeafHashes(changed.slice(0, m)), rootFromLeafHashes(changed), consistencyProof(changed, m, n))).to.equal(true);
        expect(verifyConsistency(m, n, firstRoot, rootFromLeafHashes(changed), consistencyProof(changed, m, n))).to.equal(false);

        // A truncated log: the later tree is missing its last leaf.
        if (m < n - 1) expect(verifyConsistency(m, n, firstRoot, rootFromLeafHashes(all.slice(0, n - 1)), proof)).to.equal(false);

        // Proof hashes flipped, dropped, added.
        if (proof.length) {
          const k = a % proof.length;
          expect(verifyConsistency(m, n, firstRoot, root, proof.map((p, i) => (i === k ? flip(p, bit) : p)))).to.equal(false);
          expect(verifyConsistency(m, n, firstRoot, root, proof.slice(0, -1))).to.equal(false);
        }
        expect(verifyConsistency(m, n, firstRoot, root, [...proof, createHash("sha256").update("x").digest()])).to.equal(false);

        // Inclusion: a changed leaf, or the path of a truncated tree, fails.
        const index = a % n;
        const path = auditPath(all, index);
        expect(rootFromAuditPath(flip(all[index], bit), index, n, path)?.equals(root) ?? false).to.equal(false);
        expect(rootFromAuditPath(all[index], index, n, path.slice(0, -1))?.equals(root) ?? false).to.equal(false);
      }),
      { numRuns: 150 },
    );
  });

  it("equal sizes need an empty proof and equal roots; sizes out of range are refused", () => {
    const all = leaves(5);
    const r = rootFromLeafHashes(all);
    expect(verifyConsistency(5, 5, r, r, [])).to.equal(true);
    expect(verifyConsistency(5, 5, r, flip(r, 3), [])).to.equal(false);
    expect(verifyConsistency(5, 5, r, r, [r])).to.equal(false);
    expect(verifyConsistency(0, 5, r, r, [])).to.equal(false);
    expect(() => consistencyProof(all, 0, 5)).to.throw(RangeError);
    expect(() => consistencyProof(all, 3, 6)).to.throw(RangeError);
  });
});
