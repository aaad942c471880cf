// Content-addressed file storage under DATA_DIR/objects, keyed by SHA-256. A file is streamed into
// a temporary file while both digests are computed, fsynced, then renamed into place: a reader
// never sees a partial object, and a crash leaves at most a temporary file, removed on start.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { DualDigest } from "../core/digest";
import { fsyncDirAsync } from "./durable";
import { ParallelIngest, warmIngestWorkers } from "./parallel-ingest";

/** Written bytes after which a flush to disk starts in the background, while the upload goes on. */
const EARLY_FLUSH_BYTES = 16 * 1024 * 1024;

/** Uploads at least this large are hashed on worker threads, beside the write (parallel-ingest.ts). */
const PARALLEL_THRESHOLD = 4 * 1024 * 1024;

export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file exceeds the limit of ${limit} bytes`);
  }
}

export class EmptyFileError extends Error {
  constructor() {
    super("the file is empty");
  }
}

export interface PutOptions {
  maxBytes: number;
  /** An expected size (e.g. a Content-Length); large uploads are hashed on worker threads. */
  sizeHint?: number;
  allowEmpty?: boolean;
}

export class StorageFullError extends Error {
  constructor() {
    super("the storage is full");
  }
}

export interface StoredObject {
  sha256: string;
  sm3: string;
  size: number;
}

export interface StagedObject extends StoredObject {
  /** Moves the object into place, durably. */
  commit(): Promise<void>;
  /** Removes the staged file. */
  discard(): Promise<void>;
}

export class ContentStore {
  private readonly objects: string;
  private readonly tmp: string;

  constructor(dataDir: string) {
    this.objects = path.join(dataDir, "objects");
    this.tmp = path.join(dataDir, "tmp");
    fs.mkdirSync(this.objects, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    warmIngestWorkers();
  }

  /** Removes temporary files left by a crash mid-upload. */
  sweepTemporaryFiles(): number {
    const names = fs.readdirSync(this.tmp);
    for (const n of names) fs.rmSync(path.join(this.tmp, n), { force: true });
    return names.length;
  }

  pathOf(sha256: string): string {
    const hex = sha256.replace(/^0x/, "");
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error("not a SHA-256 digest");
    return path.join(this.objects, hex.slice(0, 2), hex.slice(2, 4), hex);
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256));
  }

  openRead(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(sha256));
  }

  /** Streams `input` into the store (stage, then commit). */
  async put(input: Readable, opts: PutOptions): Promise<StoredObject> {
    const staged = await this.stage(input, opts);
    await staged.commit();
    return staged;
  }

  /**
   * Streams `input` into a durable temporary file while hashing it. The caller checks what it must
   * (a signature over the digest, metadata), then commits (the object appears under its SHA-256)
   * or discards (nothing is left). Throws TooLargeError past `maxBytes`, EmptyFileError for an
   * empty input unless allowed, StorageFullError when the disk is full; then nothing is left behind.
   */
  async stage(input: Readable, { maxBytes, sizeHint = 0, allowEmpty = false }: PutOptions): Promise<StagedObject> {
    const tmpFile = path.join(this.tmp, randomUUID());
    const fd = await fs.promises.open(tmpFile, "wx", 0o600);
    // A large upload is hashed on worker threads while it is written; a small one here, inline.
    const parallel = sizeHint >= PARALLEL_THRESHOLD ? new ParallelIngest(fd) : null;
    const inline = parallel ? null : new DualDigest();
    const taken = () => (parallel ? parallel.size : inline!.size);
    let digests: { sha256: string; sm3: string } | null = null;
    // A large file is flushed to disk while it is still arriving and being hashed, so that the
    // final fsync has only the tail left to write; one flush at a time.
    let flushing: Promise<void> | null = null;
    let flushedAt = 0;
    let ok = false;
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        if (taken() + chunk.length > maxBytes) throw new TooLargeError(maxBytes);
        if (parallel) await parallel.update(chunk);
        else {
          inline!.update(chunk);
          await writeAll(fd, chunk);
        }
        if (taken() - flushedAt >= EARLY_FLUSH_BYTES && flushing === null) {
          flushedAt = taken();
          flushing = fd.datasync().finally(() => (flushing = null));
          // Its failure (a full disk) is met again by the final sync below.
          flushing.catch(() => undefined);
        }
      }
      if (taken() === 0 && !allowEmpty) throw new EmptyFileError();
      digests = parallel ? await parallel.finish() : { sha256: inline!.sha256Hex(), sm3: inline!.sm3Hex() };
      await (flushing as Promise<void> | null)?.catch(() => undefined);
      await fd.sync();
      ok = true;
    } catch (e) {
      throw translate(e);
    } finally {
      // No write may still be under way when the file is closed and removed.
      if (!digests) await parallel?.abort();
      await fd.close().catch(() => undefined);
      if (!ok) await fs.promises.rm(tmpFile, { force: true });
    }
    const { sha256, sm3 } = digests!;
    const size = taken();
    return {
      sha256,
      sm3,
      size,
      commit: async () => {
        try {
          const target = this.pathOf(sha256);
          await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
          // Same content, same name: an existing object is identical, so the rename may replace it.
          await fs.promises.rename(tmpFile, target);
          await fsyncDirAsync(path.dirname(target));
        } catch (e) {
          await fs.promises.rm(tmpFile, { force: true });
          throw translate(e);
        }
      },
      discard: () => fs.promises.rm(tmpFile, { force: true }),
    };
  }
}

async function writeAll(fd: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await fd.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

function translate(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ENOSPC" || code === "EDQUOT" ? new StorageFullError() : e;
}
