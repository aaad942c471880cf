// The database client: one Prisma schema, a generated client per provider, a driver adapter each.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import { PrismaClient as PgClient } from "./generated/postgresql/client";
import { migrate } from "./migrate";
import { prismaReader, type RawReader } from "./raw-reader";
import { SqliteReaders } from "./sqlite-readers";
import { prismaPointReader, sqlitePointReader, type PointReader } from "./point-reader";
import type { DbTarget } from "./url";

/** Both generated clients have the same API; the SQLite one's type stands for either. */
export type Db = InstanceType<typeof SqliteClient>;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * The provider a client (or a transaction's client) talks to, for the few statements that differ
 * between the two databases. Prisma keeps the schema's provider on every client it makes.
 */
export function providerOf(client: Db | Tx): DbTarget["provider"] {
  return (client as unknown as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
}

export interface Database {
  db: Db;
  provider: DbTarget["provider"];
  /** read-only raw statements (the statistics), off the event loop on SQLite */
  reader: RawReader;
  /** short indexed raw reads on a hot request path (the public verification) */
  point: PointReader;
  close(): Promise<void>;
}

/**
 * Migrates the database to the latest schema, then connects. `busyTimeoutMs` is how long an SQLite
 * write waits for another process's write lock (a command-line tool beside a running platform can
 * afford to wait longer than a request).
 */
export async function openDatabase(target: DbTarget, opts: { poolSize?: number; busyTimeoutMs?: number } = {}): Promise<Database> {
  await migrate(target.provider, target.target);
  if (target.provider === "sqlite") {
    const adapter = new PrismaBetterSqlite3({ url: target.target, timeout: opts.busyTimeoutMs ?? 10_000 });
    const db = new SqliteClient({ adapter });
    // Durable on power loss too, not only on a process crash (WAL's default is NORMAL).
    await db.$executeRawUnsafe("PRAGMA synchronous = FULL");
    const readers = new SqliteReaders(target.target, { busyTimeoutMs: opts.busyTimeoutMs });
    const point = sqlitePointReader(target.target, opts.busyTimeoutMs ?? 10_000);
    return {
      db,
      provider: "sqlite",
      reader: readers,
      point,
      close: async () => {
        point.close();
        await readers.close();
        await db.$disconnect();
      },
    };
  }
  const adapter = new PrismaPg({ connectionString: target.target, max: opts.poolSize ?? 10 });
  const db = new PgClient({ adapter }) as unknown as Db;
  return { db, provider: "postgresql", reader: prismaReader(db), point: prismaPointReader(db), close: () => db.$disconnect() };
}
