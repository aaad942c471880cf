// Reads a live database's tables, columns, indexes and foreign keys into one neutral shape, for
// comparison with the Prisma schema's DMMF.
import Database from "better-sqlite3";
import pg from "pg";

export interface DbColumn {
  name: string;
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}
export interface DbIndex {
  columns: string[];
  unique: boolean;
  primary: boolean;
}
export interface DbForeignKey {
  columns: string[];
  table: string;
  references: string[];
  onDelete: string;
}
export interface DbTable {
  columns: DbColumn[];
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

export function introspectSqlite(file: string): Record<string, DbTable> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
    const out: Record<string, DbTable> = {};
    for (const { name } of tables) {
      const cols = db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string; notnull: number; dflt_value: unknown; pk: number }[];
      const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(name) as { sql: string }).sql;
      const pkCols = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const indexes: DbIndex[] = pkCols.length ? [{ columns: pkCols, unique: true, primary: true }] : [];
      for (const idx of db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[]) {
        if (idx.origin === "pk") continue;
        const columns = (db.prepare(`PRAGMA index_info("${idx.name}")`).all() as { seqno: number; name: string }[])
          .sort((a, b) => a.seqno - b.seqno)
          .map((c) => c.name);
        indexes.push({ columns, unique: idx.unique === 1, primary: false });
      }
      const fkRows = db.prepare(`PRAGMA foreign_key_list("${name}")`).all() as { id: number; seq: number; table: string; from: string; to: string; on_delete: string }[];
      const fks = new Map<number, DbForeignKey>();
      for (const r of fkRows.sort((a, b) => a.seq - b.seq)) {
        const fk = fks.get(r.id) ?? { columns: [], table: r.table, references: [], onDelete: r.on_delete };
        fk.columns.push(r.from);
        fk.references.push(r.to);
        fks.set(r.id, fk);
      }
      out[name] = {
        columns: cols.map((c) => ({
          name: c.name,
          type: c.type.toUpperCase(),
          // A SQLite INTEGER PRIMARY KEY AUTOINCREMENT column is the rowid: its default is implicit.
          hasDefault: c.dflt_value !== null || (c.pk === 1 && /AUTOINCREMENT/i.test(sql) && pkCols.length === 1),
          nullable: c.notnull === 0 && c.pk === 0,
        })),
        indexes,
        foreignKeys: [...fks.values()],
      };
    }
    return out;
  } finally {
    db.close();
  }
}

const PG_ACTIONS: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

export async function introspectPostgres(url: string): Promise<Record<string, DbTable>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const cols = await client.query(
      `SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const out: Record<string, DbTable> = {};
    for (const c of cols.rows) {
      out[c.table_name] ??= { columns: [], indexes: [], foreignKeys: [] };
      const type = c.data_type === "timestamp without time zone" ? `TIMESTAMP(${c.datetime_precision})` : String(c.data_type).toUpperCase();
      out[c.table_name].columns.push({ name: c.column_name, type, nullable: c.is_nullable === "YES", hasDefault: c.column_default !== null });
    }
    const idx = await client.query(
      `SELECT t.relname::text AS table_name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname::text ORDER BY k.ord) AS columns
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`,
    );
    for (const r of idx.rows) out[r.table_name]?.indexes.push({ columns: r.columns, unique: r.unique, primary: r.primary });
    const fks = await client.query(
      `SELECT t.relname::text AS table_name, rt.relname::text AS ref_table, c.confdeltype AS on_delete,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS refs
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_class rt ON rt.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
        WHERE c.contype = 'f'`,
    );
    for (const r of fks.rows) {
      out[r.table_name]?.foreignKeys.push({ columns: r.columns, table: r.ref_table, references: r.refs, onDelete: PG_ACTIONS[r.on_delete] });
    }
    return out;
  } finally {
    await client.end();
  }
}
