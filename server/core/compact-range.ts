// An append-only RFC 6962 tree kept as its compact range: the hashes of the complete subtrees that
// cover its leaves, largest first (one per set bit of the tree size, as the right spine of the
// RFC 6962 recursion leaves them). Appending leaves to it gives the new root, each new leaf's audit
// path and the new compact range without the earlier leaves: every subtree of the new tree that lies
// wholly within the old one is one of the old range's subtrees (its parent reaches past the old
// size), so O(log n) stored hashes stand for all n earlier leaves.
import { createHash } from "node:crypto";
import { nodeHash } from "./merkle";

export interface CompactRange {
  size: number;
  /** MTH of each complete subtree covering [0, size), left to right; one per set bit of size. */
  nodes: Buffer[];
}

export const EMPTY_RANGE: CompactRange = { size: 0, nodes: [] };

export interface Extended {
  root: Buffer;
  /** Audit path (leaf to root) of each appended leaf in the new tree. */
  paths: Buffer[][];
  range: CompactRange;
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The sizes of a compact range's subtrees, largest first: the set bits of `size`. */
export function subtreeSizes(size: number): number[] {
  const out: number[] = [];
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) if (size >= bit && Math.floor(size / bit) % 2 === 1) out.push(bit);
  return out;
}

/** Checks that `nodes` has one 32-byte hash per subtree a range of `size` has. */
export function compactRange(size: number, nodes: Buffer[]): CompactRange {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`not a tree size: ${size}`);
  if (nodes.length !== subtreeSizes(size).length || nodes.some((n) => n.length !== 32)) {
    throw new RangeError(`a compact range of size ${size} has ${subtreeSizes(size).length} hashes of 32 bytes, not ${nodes.length}`);
  }
  return { size, nodes };
}

/** The root the range stands for: its subtrees folded from the right. */
export function rootOfRange(range: CompactRange): Buffer {
  if (range.size === 0) return createHash("sha256").digest();
  let r = range.nodes[range.nodes.length - 1];
  for (let i = range.nodes.length - 2; i >= 0; i--) r = nodeHash(range.nodes[i], r);
  return r;
}

/** Appends leaf hashes to the tree the range stands for. */
export function extendRange(range: CompactRange, leaves: readonly Buffer[]): Extended {
  const old = range.size;
  const size = old + leaves.length;
  if (leaves.length === 0) return { root: rootOfRange(range), paths: [], range };
  // the old range's subtrees by their first leaf
  const byStart = new Map<number, { size: number; hash: Buffer }>();
  let start = 0;
  subtreeSizes(old).forEach((s, i) => {
    byStart.set(start, { size: s, hash: range.nodes[i] });
    start += s;
  });
  const paths: Buffer[][] = leaves.map(() => []);
  const spine: Buffer[] = [];

  const isPowerOfTwo = (n: number) => (n & (n - 1)) === 0;
  // The new range's subtrees lie on the right spine of the recursion: the left part of each split of
  // a range ending at `size`, down to the first such range that is itself complete.
  const build = (lo: number, hi: number, onSpine: boolean): Buffer => {
    if (hi <= old) {
      const node = byStart.get(lo);
      if (!node || node.size !== hi - lo) throw new Error(`[${lo}, ${hi}) is not a subtree of the compact range of size ${old}`);
      return node.hash;
    }
    const complete = isPowerOfTwo(hi - lo);
    let hash: Buffer;
    if (hi - lo === 1) hash = leaves[lo - old];
    else {
      const k = splitPoint(hi - lo);
      const left = build(lo, lo + k, false);
      const right = build(lo + k, hi, onSpine && !complete);
      if (onSpine && !complete) spine.push(left);
      for (let i = Math.max(lo, old); i < lo + k; i++) paths[i - old].push(right);
      for (let i = Math.max(lo + k, old); i < hi; i++) paths[i - old].push(left);
      hash = nodeHash(left, right);
    }
    if (onSpine && complete) spine.push(hash);
    return hash;
  };

  const root = build(0, size, true);
  // pushed innermost first
  const nodes = spine.reverse();
  return { root, paths, range: compactRange(size, nodes) };
}
