// Rate-limit counters in the database, so that instances sharing one PostgreSQL share one limit
// per client (a memory store would give each of N instances its own, N times the limit).
// Fixed windows: one row per client key, counted and reset by a single atomic statement.
import { createHash } from "node:crypto";
import { MemoryStore, type IncrementResponse, type Options, type Store } from "express-rate-limit";
import type { Db } from "../db/client";
import type { DbProvider } from "../db/url";

/** How often windows long past are deleted (rows are otherwise reused by their key). */
const SWEEP_EVERY_MS = 10 * 60_000;

export class DatabaseRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private lastSweep = 0;
  /** While the database is unreachable the limit still holds, per instance (the routes answer 503 anyway). */
  private readonly fallback = new MemoryStore();

  constructor(
    private readonly db: Db,
    private readonly dialect: DbProvider,
    /** Names this limiter's counters apart from other limiters' for the same client. */
    readonly prefix: string,
  ) {}

  /** Parameters are written `$1`, `$2`… each once and in order, so SQLite's `?` can stand for them. */
  private sql(text: string): string {
    return this.dialect === "postgresql" ? text : text.replace(/\$\d+/g, "?");
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.fallback.init(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      return await this.incrementShared(key);
    } catch {
      return this.fallback.increment(key);
    }
  }

  async shutdown(): Promise<void> {
    this.fallback.shutdown();
  }

  private async incrementShared(key: string): Promise<IncrementResponse> {
    const now = Date.now();
    const rows = await this.db.$queryRawUnsafe<{ hits: number | bigint; resetAt: number | bigint }[]>(
      this.sql(`INSERT INTO "RateLimitCounter" ("key", "hits", "resetAt") VALUES ($1, 1, $2)
       ON CONFLICT ("key") DO UPDATE SET
         "hits" = CASE WHEN "RateLimitCounter"."resetAt" <= $3 THEN 1 ELSE "RateLimitCounter"."hits" + 1 END,
         "resetAt" = CASE WHEN "RateLimitCounter"."resetAt" <= $4 THEN excluded."resetAt" ELSE "RateLimitCounter"."resetAt" END
       RETURNING "hits", "resetAt"`),
      this.rowKey(key),
      BigInt(now + this.windowMs),
      BigInt(now),
      BigInt(now),
    );
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      // Best effort: a failed sweep only leaves stale rows for the next one.
      this.db.$executeRawUnsafe(this.sql(`DELETE FROM "RateLimitCounter" WHERE "resetAt" < $1`), BigInt(now - this.windowMs)).catch(() => undefined);
    }
    return { totalHits: Number(rows[0].hits), resetTime: new Date(Number(rows[0].resetAt)) };
  }

  async decrement(key: string): Promise<void> {
    await this.fallback.decrement(key);
    await this.db.$executeRawUnsafe(this.sql(`UPDATE "RateLimitCounter" SET "hits" = "hits" - 1 WHERE "key" = $1 AND "hits" > 0`), this.rowKey(key));
  }

  async resetKey(key: string): Promise<void> {
    this.fallback.resetKey(key);
    await this.db.$executeRawUnsafe(this.sql(`DELETE FROM "RateLimitCounter" WHERE "key" = $1`), this.rowKey(key));
  }

  /** Keys may hold a bearer token: only its hash is stored. */
  private rowKey(key: string): string {
    return createHash("sha256").update(`${this.prefix}\0${key}`).digest("hex");
  }
}
