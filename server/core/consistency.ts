// Consistency proofs between two sizes of one append-only Merkle tree: PROOF/SUBPROOF of RFC 6962
// section 2.1.2, and their verification as RFC 9162 section 2.1.4.2 gives it. Together with the
// audit paths of merkle.ts they are what a log's readers need: a leaf is in the tree of a checkpoint
// (inclusion), and the tree of an earlier checkpoint is a prefix of a later one's (consistency).
import { nodeHash, rootFromLeafHashes } from "./merkle";

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * PROOF(m, D[n]): the hashes proving that the tree of the first m leaves is a prefix of the tree of
 * all n. Empty for m = n. `leaves` are leaf hashes, at least n of them.
 */
export function consistencyProof(leaves: readonly Buffer[], m: number, n: number): Buffer[] {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || m > n || n > leaves.length) {
    throw new RangeError(`no consistency proof from size ${m} to size ${n} in a log of ${leaves.length}`);
  }
  const out: Buffer[] = [];
  subproof(leaves, m, 0, n, true, out);
  return out;
}

function subproof(leaves: readonly Buffer[], m: number, start: number, end: number, complete: boolean, out: Buffer[]): void {
  const n = end - start;
  if (m === n) {
    // SUBPROOF(m, D[m], true) is empty: the verifier knows that root. Otherwise it is needed.
    if (!complete) out.push(rootFromLeafHashes(leaves.slice(start, end)));
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproof(leaves, m, start, start + k, complete, out);
    out.push(rootFromLeafHashes(leaves.slice(start + k, end)));
  } else {
    subproof(leaves, m - k, start + k, end, false, out);
    out.push(rootFromLeafHashes(leaves.slice(start, start + k)));
  }
}

/**
 * RFC 9162 2.1.4.2: true when `proof` shows that `firstRoot` (size `first`) and `secondRoot` (size
 * `second`) are roots of one tree at two sizes. Equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && Buffer.compare(Buffer.from(firstRoot), Buffer.from(secondRoot)) === 0;
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
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(Buffer.from(firstRoot)) && sr.equals(Buffer.from(secondRoot));
}
