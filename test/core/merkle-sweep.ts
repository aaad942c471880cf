// Helper of merkle-property.test.ts (not a test file itself): the exhaustive sweep over tree sizes,
// runnable in the test's own thread or in worker threads (verifying every proof of every size up
// to 1000 is ~5 million node hashes, so the sizes are spread over the available cores).
import { createHash } from "node:crypto";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { allAuditPaths, auditPath, leafHash, rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";

export const MAX_SIZE = 1000;

/** Deterministic leaves: leaf hashes of "leaf <i>"; a tree of size n uses the first n. */
export const LEAVES: Buffer[] = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

const NODE_PREFIX = Buffer.from([1]);

/**
 * Independent reference, sharing no code with merkle.ts: the RFC 6962 tree built bottom-up,
 * pairing neighbours level by level and carrying an unpaired last node up unchanged (this is the
 * same tree as MTH's split at the largest power of two smaller than n). The audit path of leaf i
 * is its sibling at each level where it has one.
 */
export function reference(leaves: readonly Buffer[]): { root: Buffer; paths: Buffer[][] } {
  const levels: Buffer[][] = [leaves.slice()];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const above: Buffer[] = [];
    for (let i = 0; i < below.length; i += 2) {
      above.push(
        i + 1 < below.length
          ? createHash("sha256").update(NODE_PREFIX).update(below[i]).update(below[i + 1]).digest()
          : below[i],
      );
    }
    levels.push(above);
  }
  const paths = leaves.map((_, leaf) => {
    const path: Buffer[] = [];
    let i = leaf;
    for (let l = 0; l < levels.length - 1; l++) {
      if ((i ^ 1) < levels[l].length) path.push(levels[l][i ^ 1]);
      i >>= 1;
    }
    return path;
  });
  return { root: levels[levels.length - 1][0], paths };
}

export function verifies(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromAuditPath(leaf, index, size, path);
  return r !== null && r.equals(root);
}

export function samePath(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]));
}

/** Deterministic sample of leaf indices of a tree of size n: both ends, the middle, two more. */
export function sampleIndices(n: number): number[] {
  return [...new Set([0, n - 1, n >> 1, (n * 7919 + 13) % n, (n * 104729 + 7) % n])];
}

export interface SweepResult {
  sizes: number;
  proofs: number;
  failures: string[];
}

/**
 * For each size: allAuditPaths' root equals the reference root (and rootFromLeafHashes, for sizes
 * up to 64 and every tenth size); every leaf's path equals the reference path and verifies with
 * rootFromAuditPath; for the sampled leaves, auditPath(leaves, i) equals allAuditPaths' path.
 * Failures are collected (at most 20).
 */
export function sweep(sizes: readonly number[]): SweepResult {
  const failures: string[] = [];
  const fail = (msg: string) => {
    if (failures.length < 20) failures.push(msg);
  };
  let proofs = 0;
  for (const n of sizes) {
    const leaves = LEAVES.slice(0, n);
    const { root, paths } = allAuditPaths(leaves);
    const ref = reference(leaves);
    if (!root.equals(ref.root)) fail(`size ${n}: root differs from the reference`);
    // rootFromLeafHashes is checked on a sample of sizes (it costs another n hashes per size).
    if ((n <= 64 || n % 10 === 0) && !root.equals(rootFromLeafHashes(leaves))) {
      fail(`size ${n}: allAuditPaths root differs from rootFromLeafHashes`);
    }
    if (paths.length !== n) fail(`size ${n}: ${paths.length} paths`);
    for (let i = 0; i < n; i++) {
      if (!samePath(paths[i] ?? [], ref.paths[i])) fail(`size ${n} leaf ${i}: path differs from the reference`);
      if (!verifies(leaves[i], i, n, paths[i] ?? [], root)) fail(`size ${n} leaf ${i}: proof does not verify`);
      proofs++;
    }
    for (const i of sampleIndices(n)) {
      if (!samePath(auditPath(leaves, i), paths[i] ?? [])) fail(`size ${n} leaf ${i}: auditPath differs from allAuditPaths`);
    }
  }
  return { sizes: sizes.length, proofs, failures };
}

if (!isMainThread && workerData?.merkleSweep) {
  parentPort!.postMessage(sweep(workerData.sizes as number[]));
}
