// A fresh database per test run: a SQLite file in a temporary folder, or (TEST_DB=postgresql) a new
// database on the server named by TEST_POSTGRES_URL, dropped afterwards.
import { randomBytes } from "node:crypto";
import pg from "pg";

export type TestDbKind = "sqlite" | "postgresql";

export function testDbKind(): TestDbKind {
  return process.env.TEST_DB === "postgresql" ? "postgresql" : "sqlite";
}

function adminUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error("TEST_DB=postgresql needs TEST_POSTGRES_URL");
  return url;
}

/** Creates an empty PostgreSQL database; returns its URL and a function dropping it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `evidence_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** DATABASE_URL for a platform under test (undefined = SQLite under DATA_DIR) and its cleanup. */
export async function databaseForTest(): Promise<{ databaseUrl?: string; drop: () => Promise<void> }> {
  if (testDbKind() === "sqlite") return { databaseUrl: undefined, drop: async () => undefined };
  const { url, drop } = await createPostgresDatabase();
  return { databaseUrl: url, drop };
}
