// A lease in the database: of several server instances, only the holder runs a singleton job.
// It lapses when its holder stops renewing it (a crash), and another instance takes it over.
import type { Db } from "../db/client";

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
    try {
      await this.db.workerLease.create({ data: { name: this.name, holder: this.holder, expiresAt } });
      return true;
    } catch {
      return false; // another instance holds it
    }
  }

  async release(): Promise<void> {
    await this.db.workerLease.deleteMany({ where: { name: this.name, holder: this.holder } });
  }
}
