import { createHash, type Hash } from "node:crypto";

export interface FileDigests {
  sha256: string;
  sm3: string;
  size: number;
}

/** SHA-256 and SM3 (GB/T 32905) of one stream, fed chunk by chunk. */
export class DualDigest {
  private readonly sha = createHash("sha256");
  private readonly sm3: Hash | null;
  private bytes = 0;

  /** @param withSm3 false when SM3 is computed elsewhere (a worker thread) */
  constructor(withSm3 = true) {
    this.sm3 = withSm3 ? createHash("sm3") : null;
  }

  update(chunk: Uint8Array): void {
    this.sha.update(chunk);
    this.sm3?.update(chunk);
    this.bytes += chunk.length;
  }

  get size(): number {
    return this.bytes;
  }

  sha256Hex(): string {
    return "0x" + this.sha.digest("hex");
  }

  sm3Hex(): string {
    if (!this.sm3) throw new Error("SM3 is not computed by this digest");
    return "0x" + this.sm3.digest("hex");
  }
}
