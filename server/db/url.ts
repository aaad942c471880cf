import path from "node:path";

export type DbProvider = "sqlite" | "postgresql";

export interface DbTarget {
  provider: DbProvider;
  /** SQLite: the database file; PostgreSQL: the connection URL. */
  target: string;
}

/** DATABASE_URL (postgres:// or postgresql://) when set, else the SQLite file under DATA_DIR. */
export function resolveDbTarget(databaseUrl: string | undefined, dataDir: string): DbTarget {
  if (!databaseUrl) return { provider: "sqlite", target: path.join(dataDir, "platform.db") };
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { provider: "postgresql", target: databaseUrl };
  if (databaseUrl.startsWith("file:")) return { provider: "sqlite", target: path.resolve(databaseUrl.slice(5)) };
  throw new Error("DATABASE_URL must be a postgresql:// URL or a file: path");
}
