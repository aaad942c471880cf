// An append-only RFC 6962 tree that keeps the hash of every complete subtree (level k holds the MTH
// of each aligned run of 2^k leaves), so that any proof between any sizes takes O(log n) hashes
// instead of hashing the n leaves again: every subtree RFC 6962's recursion visits starts at a
// multiple of its split point, so it is a stored node or splits into stored nodes at once.
// Each level is one growable buffer of 32-byte hashes (a few dozen bytes per leaf in all).
import { createHash } from "node:crypto";
import { nodeHash } from "./merkle";

const HASH = 32;

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

class HashRow {
  private buf = Buffer.alloc(HASH * 64);
  length = 0;

  push(h: Uint8Array): void {
    if ((this.length + 1) * HASH > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length * HASH);
      this.buf = bigger;
    }
    this.buf.set(h, this.length * HASH);
    this.length++;
  }

  /** A copy: the row's buffer is reused as it grows. */
  at(i: number): Buffer {
    return Buffer.from(this.buf.subarray(i * HASH, (i + 1) * HASH));
  }
}

export class MerkleNodes {
  private readonly levels: HashRow[] = [new HashRow()];

  get size(): number {
    return this.levels[0].length;
  }

  /** Appends one leaf hash, completing the subtrees it closes. */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH) throw new RangeError("a leaf hash has 32 bytes");
    this.levels[0].push(leafHash);
    let i = this.levels[0].length - 1;
    for (let k = 0; i % 2 === 1; k++) {
      const parent = nodeHash(this.levels[k].at(i - 1), this.levels[k].at(i));
      (this.levels[k + 1] ??= new HashRow()).push(parent);
      i = (i - 1) / 2;
    }
  }

  leaf(index: number): Buffer {
    this.inRange(index + 1);
    return this.levels[0].at(index);
  }

  /** MTH(D[0:size]); the empty tree's hash is SHA-256 of nothing. */
  root(size = this.size): Buffer {
    this.inRange(size);
    return size === 0 ? createHash("sha256").digest() : this.subtree(0, size);
  }

  /** PATH(index, D[size]) of RFC 6962 2.1.1, leaf to root. */
  inclusionPath(index: number, size: number): Buffer[] {
    this.inRange(size);
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} outside a tree of ${size}`);
    const out: Buffer[] = [];
    this.path(index, 0, size, out);
    return out;
  }

  /** PROOF(m, D[n]) of RFC 6962 2.1.2; empty for m = n. */
  consistencyProof(m: number, n: number): Buffer[] {
    this.inRange(n);
    if (!Number.isInteger(m) || m < 1 || m > n) throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
    const out: Buffer[] = [];
    this.subproof(m, 0, n, true, out);
    return out;
  }

  private inRange(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size) throw new RangeError(`size ${size} outside a tree of ${this.size}`);
  }

  /** MTH(D[start:end]). */
  private subtree(start: number, end: number): Buffer {
    const n = end - start;
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const level = Math.log2(n);
      return this.levels[level].at(start / n);
    }
    const k = splitPoint(n);
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
  }

  private path(m: number, start: number, end: number, out: Buffer[]): void {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, start, start + k, out);
      out.push(this.subtree(start + k, end));
    } else {
      this.path(m - k, start + k, end, out);
      out.push(this.subtree(start, start + k));
    }
  }

  private subproof(m: number, start: number, end: number, complete: boolean, out: Buffer[]): void {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push(this.subtree(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, start, start + k, complete, out);
      out.push(this.subtree(start + k, end));
    } else {
      this.subproof(m - k, start + k, end, false, out);
      out.push(this.subtree(start, start + k));
    }
  }
}
