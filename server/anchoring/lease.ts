// A lease in the database: of several server instances, only the holder runs a singleton job.
// It lapses when its holder stops renewing it (a crash), and another instance takes it over.
import os from "node:os";
import type { Db } from "../db/client";

/** A holder name that says where the holder runs, so a dead local holder can be recognised. */
export function holderName(id: string): string {
  return `${os.hostname()}:${process.pid}:${id}`;
}

/** True when `holder` ran on this machine in a process that no longer exists (it crashed). */
function holderIsDeadHere(holder: string): boolean {
  const [host, pid] = holder.split(":");
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? "") || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export class Lease {
  constructor(
    private readonly db: Db,
    private readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lease; true when this instance holds it afterwards. */
  async acquire(): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const { count } = await this.db.workerLease.updateMany({
      where: { name: this.name, OR: [{ holder: this.holder }, { expiresAt: { lt: now } }] },
      data: { holder: this.holder, expiresAt },
    });
    if (count === 1) return true;
    const current = await this.db.workerLease.findUnique({ where: { name: this.name } });
    if (current) {
      // A holder that crashed on this machine need not be waited for until its lease lapses.
      if (!holderIsDeadHere(current.holder)) return false;
      const taken = await this.db.workerLease.updateMany({
        where: { name: this.name, holder: current.holder },
        data: { holder: this.holder, expiresAt },
      });
      return taken.count === 1;
    }
    try {
      await this.db.workerLease.create({ data: { name: this.name, holder: this.holder, expiresAt } });
      return true;
    } catch {
      return false; // another instance created it first
    }
  }

  async release(): Promise<void> {
    await this.db.workerLease.deleteMany({ where: { name: this.name, holder: this.holder } });
  }
}
