// Merkle trees with RFC 6962 (Certificate Transparency) hashing, section 2.1:
//   leaf hash  = SHA-256(0x00 || leaf input)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH(D[n])  splits at k, the largest power of two smaller than n.
import { createHash } from "node:crypto";

export const MERKLE_ALGORITHM = "RFC6962-SHA256";

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function leafHash(leafInput: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(leafInput).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already-hashed leaves. The empty tree's hash is SHA-256 of the empty string. */
export function rootFromLeafHashes(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash("sha256").digest();
  return subtreeRoot(leaves, 0, leaves.length);
}

function subtreeRoot(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return leaves[start];
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** PATH(m, D[n]) of RFC 6962 2.1.1: sibling hashes from the leaf up to the root. */
export function auditPath(leaves: readonly Buffer[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf index ${index} outside a tree of ${leaves.length}`);
  }
  const path: Buffer[] = [];
  collectPath(leaves, index, 0, leaves.length, path);
  return path;
}

function collectPath(leaves: readonly Buffer[], m: number, start: number, end: number, out: Buffer[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = splitPoint(n);
  if (m < k) {
    collectPath(leaves, m, start, start + k, out);
    out.push(subtreeRoot(leaves, start + k, end));
  } else {
    collectPath(leaves, m - k, start + k, end, out);
    out.push(subtreeRoot(leaves, start, start + k));
  }
}

/**
 * All audit paths of a tree at once, in O(n log n): each level's node hashes are computed once.
 * Equal to auditPath(leaves, i) for every i.
 */
export function allAuditPaths(leaves: readonly Buffer[]): { root: Buffer; paths: Buffer[][] } {
  const paths: Buffer[][] = leaves.map(() => []);
  const root = buildWithPaths(leaves, 0, leaves.length, paths);
  return { root, paths };
}

function buildWithPaths(leaves: readonly Buffer[], start: number, end: number, paths: Buffer[][]): Buffer {
  const n = end - start;
  if (n === 0) return createHash("sha256").digest();
  if (n === 1) return leaves[start];
  const k = splitPoint(n);
  const left = buildWithPaths(leaves, start, start + k, paths);
  const right = buildWithPaths(leaves, start + k, end, paths);
  for (let i = start; i < start + k; i++) paths[i].push(right);
  for (let i = start + k; i < end; i++) paths[i].push(left);
  return nodeHash(left, right);
}

/**
 * Root recomputed from a leaf hash and its audit path, following the verification algorithm of
 * RFC 9162 section 2.1.3.2 (the same trees as RFC 6962). Returns null when the path's length
 * does not fit the index and tree size.
 */
export function rootFromAuditPath(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  path: readonly Uint8Array[],
): Buffer | null {
  if (!Number.isInteger(leafIndex) || !Number.isInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) {
    return null;
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
