// Applies prisma/migrations/<provider>/<name>/migration.sql in name order, recording each in Prisma
// Migrate's own `_prisma_migrations` table with Prisma's checksum (sha256 of the file), so that
// `prisma migrate status/deploy` on a machine with Prisma's schema engine agrees with this one.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { DbProvider } from "./url";
import { PROJECT_ROOT } from "../project-root";

const SQLITE_KEYS_OFF = /^\s*PRAGMA\s+foreign_keys\s*=\s*OFF\s*;/im;

export const MIGRATIONS_ROOT = path.join(PROJECT_ROOT, "prisma/migrations");

interface MigrationDb {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  lock(): Promise<void>;
  close(): Promise<void>;
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

async function openSqlite(file: string): Promise<MigrationDb & { ddl: string }> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  // WAL survives crashes and lets readers run beside the writer; the mode is stored in the file.
  db.pragma("journal_mode = WAL");
  return {
    ddl: SQLITE_TABLE,
    exec: async (sql) => void db.exec(sql),
    query: async <T>(sql: string, params: unknown[] = []) => {
      const stmt = db.prepare(sql.replace(/\$\d+/g, "?"));
      if (stmt.reader) return stmt.all(...params) as T[];
      stmt.run(...params);
      return [];
    },
    lock: async () => void db.exec("BEGIN IMMEDIATE; COMMIT"),
    close: async () => void db.close(),
  };
}

async function openPostgres(url: string): Promise<MigrationDb & { ddl: string }> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    ddl: PG_TABLE,
    exec: async (sql) => void (await client.query(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    // Prisma Migrate's advisory lock id: several instances starting together migrate once.
    lock: async () => void (await client.query("SELECT pg_advisory_lock(72707369)")),
    close: async () => client.end(),
  };
}

export interface MigrationResult {
  found: number;
  applied: string[];
}

/** `root`: another migrations folder (tests apply a prefix of the project's, with data between). */
export async function migrate(provider: DbProvider, target: string, root = MIGRATIONS_ROOT): Promise<MigrationResult> {
  const dir = path.join(root, provider);
  const db = provider === "sqlite" ? await openSqlite(target) : await openPostgres(target);
  const now = () => new Date().toISOString();
  try {
    await db.lock();
    await db.exec(db.ddl);
    const rows = await db.query<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const names = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, "migration.sql"))).sort()
      : [];
    const applied: string[] = [];
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const prior = rows.filter((r) => r.migration_name === name && r.rolled_back_at == null);
      if (prior.some((r) => r.finished_at == null)) {
        throw new Error(`migration ${name} failed earlier; repair the database, then delete its row in _prisma_migrations`);
      }
      if (prior.length) {
        if (!prior.some((r) => r.checksum === checksum)) throw new Error(`migration ${name} was modified after it was applied`);
        continue;
      }
      const id = randomUUID();
      await db.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, 0)`,
        [id, checksum, name, now()],
      );
      // SQLite: a migration that rebuilds a table others reference (the only way to change a
      // column's nullability) says PRAGMA foreign_keys=OFF, as Prisma's own do. Inside a transaction
      // that pragma does nothing, so it is applied before BEGIN here, the foreign keys are checked
      // before COMMIT (any violation fails the migration and rolls it back), and turned on again.
      const keysOff = provider === "sqlite" && SQLITE_KEYS_OFF.test(sql);
      if (keysOff) await db.exec("PRAGMA foreign_keys=OFF");
      // Each migration and its completion mark commit together, or not at all.
      try {
        await db.exec(`BEGIN;\n${sql}\n;`);
        if (keysOff) {
          const violations = await db.query<{ table: string; parent: string }>("PRAGMA foreign_key_check");
          if (violations.length) {
            const where = [...new Set(violations.map((v) => `${v.table} -> ${v.parent}`))].join(", ");
            throw new Error(`${violations.length} foreign key violation(s) after the migration (${where})`);
          }
        }
        await db.exec("COMMIT");
      } catch (err) {
        const e = err as Error;
        await db.exec("ROLLBACK").catch(() => undefined);
        await db.query(`UPDATE "_prisma_migrations" SET logs = $1 WHERE id = $2`, [String(e.stack ?? e), id]);
        throw new Error(`migration ${name} failed: ${e.message}`);
      } finally {
        if (keysOff) await db.exec("PRAGMA foreign_keys=ON");
      }
      await db.query(`UPDATE "_prisma_migrations" SET finished_at = $1, applied_steps_count = 1 WHERE id = $2`, [now(), id]);
      applied.push(name);
    }
    return { found: names.length, applied };
  } finally {
    await db.close();
  }
}
