// A large upload's bytes, hashed (SHA-256 and SM3, each on its own worker thread) and written to
// disk at the same time. The input is gathered into large slots of shared memory; a full slot goes
// to both workers and to the disk at once (positioned writes, so that they may overlap), and is
// reused once all three are done with it. The main thread only copies bytes into slots, so neither
// hash waits for the other, nor for the disk, until all slots are in use; memory stays at
// SLOTS x SLOT_BYTES however large the file.
import type { FileHandle } from "node:fs/promises";
import { HashWorker } from "./hash-worker";

const SLOT_BYTES = 4 * 1024 * 1024;
/** Slots in use by one upload: enough to ride out a slow write or a busy core without stalling the hashes. */
const SLOTS = 6;

const sha256Worker = new HashWorker("sha256");
const sm3Worker = new HashWorker("sm3");
/** Free slots, shared by all uploads; a few kept for the next one. */
const freeSlots: SharedArrayBuffer[] = [];

export function warmIngestWorkers(): void {
  sha256Worker.warm();
  sm3Worker.warm();
}

interface Slot {
  data: SharedArrayBuffer;
  view: Buffer;
  fill: number;
}

interface InFlight {
  slot: Slot;
  done: Promise<unknown>;
}

export class ParallelIngest {
  private readonly shaJob = sha256Worker.start();
  private readonly sm3Job = sm3Worker.start();
  private readonly inFlight: InFlight[] = [];
  private current: Slot | null = null;
  private written = 0;

  constructor(private readonly fd: FileHandle) {}

  /** Bytes taken so far (some perhaps still on their way to the workers and the disk). */
  get size(): number {
    return this.written + (this.current?.fill ?? 0);
  }

  /** Takes a copy of the chunk; waits only while every slot is still in use. */
  async update(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const slot = this.current ?? (this.current = await this.takeSlot());
      const n = Math.min(chunk.length - off, SLOT_BYTES - slot.fill);
      slot.view.set(chunk.subarray(off, off + n), slot.fill);
      slot.fill += n;
      off += n;
      if (slot.fill === SLOT_BYTES) this.dispatch();
    }
  }

  /** Waits for every write and hash; the file is written but not yet synced. */
  async finish(): Promise<{ sha256: string; sm3: string }> {
    if (this.current && this.current.fill > 0) this.dispatch();
    while (this.inFlight.length) await this.settleOldest();
    if (this.current) release(this.current);
    this.current = null;
    const [sha256, sm3] = await Promise.all([sha256Worker.end(this.shaJob), sm3Worker.end(this.sm3Job)]);
    return { sha256, sm3 };
  }

  /** Stops: waits until no thread uses a slot any more (errors ignored), then forgets the jobs. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inFlight.map((f) => f.done));
    for (const f of this.inFlight.splice(0)) release(f.slot);
    if (this.current) release(this.current);
    this.current = null;
    sha256Worker.abort(this.shaJob);
    sm3Worker.abort(this.sm3Job);
  }

  private dispatch(): void {
    const slot = this.current!;
    this.current = null;
    const length = slot.fill;
    const position = this.written;
    this.written += length;
    const done = Promise.all([
      sha256Worker.chunk(this.shaJob, slot.data, length),
      sm3Worker.chunk(this.sm3Job, slot.data, length),
      writeAt(this.fd, slot.view, length, position),
    ]);
    // Met when this slot's turn comes (settleOldest, abort), not as an unhandled rejection.
    done.catch(() => undefined);
    this.inFlight.push({ slot, done });
  }

  private async takeSlot(): Promise<Slot> {
    while (this.inFlight.length >= SLOTS) await this.settleOldest();
    const data = freeSlots.pop() ?? new SharedArrayBuffer(SLOT_BYTES);
    return { data, view: Buffer.from(data), fill: 0 };
  }

  private async settleOldest(): Promise<void> {
    const oldest = this.inFlight[0];
    await oldest.done;
    this.inFlight.shift();
    release(oldest.slot);
  }
}

function release(slot: Slot): void {
  if (freeSlots.length < SLOTS) freeSlots.push(slot.data);
}

async function writeAt(fd: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let off = 0;
  while (off < length) {
    const { bytesWritten } = await fd.write(buf, off, length - off, position + off);
    off += bytesWritten;
  }
}
