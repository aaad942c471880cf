// A freshly migrated database matches the schema the Prisma client was generated from: same
// tables, columns, types, nullability, defaults, primary keys, unique and plain indexes, foreign keys.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { migrate } from "../../server/db/migrate";
import { introspectPostgres, introspectSqlite, type DbTable } from "../helpers/introspect";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { ROOT } from "../helpers/cli";

type Provider = "sqlite" | "postgresql";

const SCHEMA_FILES: Record<Provider, string> = {
  sqlite: path.join(ROOT, "prisma/schema.prisma"),
  postgresql: path.join(ROOT, "prisma/.generated/postgresql.prisma"),
};
const GENERATED_CLASS: Record<Provider, string> = {
  sqlite: path.join(ROOT, "server/db/generated/sqlite/internal/class.ts"),
  postgresql: path.join(ROOT, "server/db/generated/postgresql/internal/class.ts"),
};

const TYPES: Record<Provider, Record<string, string>> = {
  sqlite: { String: "TEXT", Int: "INTEGER", BigInt: "BIGINT", DateTime: "DATETIME", Boolean: "BOOLEAN", Bytes: "BLOB" },
  postgresql: { String: "TEXT", Int: "INTEGER", BigInt: "BIGINT", DateTime: "TIMESTAMP(3)", Boolean: "BOOLEAN", Bytes: "BYTEA" },
};

const ACTIONS: Record<string, string> = { Restrict: "RESTRICT", SetNull: "SET NULL", Cascade: "CASCADE", NoAction: "NO ACTION" };

interface DmmfField {
  name: string;
  kind: string;
  type: string;
  isRequired: boolean;
  hasDefaultValue: boolean;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal";
  fields: { name: string }[];
}

function dmmfOf(file: string): { models: DmmfModel[]; indexes: DmmfIndex[] } {
  const schema = fs.readFileSync(file, "utf8");
  return JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [[path.basename(file), schema]] }))).datamodel;
}

/** What the schema says the database must hold, in the introspection's shape. */
function expectedTables(provider: Provider): Record<string, DbTable> {
  const { models, indexes } = dmmfOf(SCHEMA_FILES[provider]);
  const out: Record<string, DbTable> = {};
  for (const m of models) {
    const scalar = m.fields.filter((f) => f.kind === "scalar");
    out[m.name] = {
      columns: scalar.map((f) => ({ name: f.name, type: TYPES[provider][f.type], nullable: !f.isRequired, hasDefault: f.hasDefaultValue })),
      indexes: indexes
        .filter((i) => i.model === m.name)
        .map((i) => ({ columns: i.fields.map((f) => f.name), unique: i.type !== "normal", primary: i.type === "id" })),
      foreignKeys: m.fields
        .filter((f) => f.kind === "object" && f.relationFromFields?.length)
        .map((f) => ({
          columns: f.relationFromFields!,
          table: f.type,
          references: f.relationToFields!,
          onDelete: ACTIONS[f.relationOnDelete ?? (f.relationFromFields!.every((n) => scalar.find((s) => s.name === n)!.isRequired) ? "Restrict" : "SetNull")],
        })),
    };
  }
  return out;
}

function normalise(tables: Record<string, DbTable>): Record<string, DbTable> {
  const byKey = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return Object.fromEntries(
    Object.entries(tables)
      .filter(([name]) => name !== "_prisma_migrations")
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => [name, { columns: byKey(t.columns), indexes: byKey(t.indexes), foreignKeys: byKey(t.foreignKeys) }]),
  );
}

function checkProvider(provider: Provider, introspect: () => Promise<Record<string, DbTable>>) {
  it(`the ${provider} client was generated from this schema`, () => {
    const generated = fs.readFileSync(GENERATED_CLASS[provider], "utf8");
    const { models } = dmmfOf(SCHEMA_FILES[provider]);
    expect(generated).to.contain(`"activeProvider": "${provider}"`);
    for (const m of models) {
      for (const f of m.fields) expect(generated, `${m.name}.${f.name}`).to.contain(`{\\"name\\":\\"${f.name}\\",\\"kind\\":\\"${f.kind}\\",\\"type\\":\\"${f.type}\\"`);
    }
  });

  it(`a freshly migrated ${provider} database matches the schema`, async () => {
    expect(normalise(await introspect())).to.deep.equal(normalise(expectedTables(provider)));
  });
}

describe("database schema matches the migrations", function () {
  this.timeout(60_000);

  describe("SQLite", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schema-")), "fresh.db");
    checkProvider("sqlite", async () => {
      await migrate("sqlite", file);
      return introspectSqlite(file);
    });
    it("migrating again changes nothing", async () => {
      await migrate("sqlite", file);
      expect((await migrate("sqlite", file)).applied).to.deep.equal([]);
    });
  });

  describe("PostgreSQL", function () {
    before(function () {
      if (testDbKind() !== "postgresql" && !process.env.TEST_POSTGRES_URL) this.skip();
    });
    checkProvider("postgresql", async () => {
      const { url, drop } = await createPostgresDatabase();
      try {
        await migrate("postgresql", url);
        return await introspectPostgres(url);
      } finally {
        await drop();
      }
    });
  });

  it("detects a difference (the check can fail)", () => {
    const expected = normalise(expectedTables("sqlite"));
    const altered = JSON.parse(JSON.stringify(expected));
    altered.Batch.columns.find((c: { name: string }) => c.name === "txHash").nullable = false;
    expect(altered).not.to.deep.equal(expected);
  });
});
