// The contract's PDFs in the content-addressed store: each revision (the original, after each
// signature) and the completion certificate are kept under their SHA-256; a read recomputes the
// digest, so a document changed on disk is never signed on or served as the contract.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import type { ContentStore, StagedObject, StoredObject } from "../storage/content-store";

export class ContractDocuments {
  constructor(private readonly store: ContentStore) {}

  put(pdf: Buffer): Promise<StoredObject> {
    return this.store.put(Readable.from([pdf]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: pdf.length });
  }

  /** Staged for the evidence intake (which commits it). */
  stage(pdf: Buffer): Promise<StagedObject> {
    return this.store.stage(Readable.from([pdf]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: pdf.length });
  }

  async read(sha256: string): Promise<Buffer> {
    const pdf = await fs.promises.readFile(this.store.pathOf(sha256));
    const actual = "0x" + createHash("sha256").update(pdf).digest("hex");
    if (actual !== sha256) throw new Error(`stored document ${sha256} has changed on disk (now ${actual})`);
    return pdf;
  }

  open(sha256: string): fs.ReadStream {
    return this.store.openRead(sha256);
  }

  size(sha256: string): number {
    return fs.statSync(this.store.pathOf(sha256)).size;
  }
}
