// Short indexed reads on a hot request path (the public verification of a digest), as raw
// statements written with `?` placeholders. A Prisma query costs a few hundred microseconds of CPU
// before the database sees it; on SQLite such a read goes instead to a read-only connection of this
// thread, its statements prepared once (tens of microseconds), reading the last commit (WAL) beside
// the writer; on PostgreSQL it goes through the Prisma client's pool as one raw statement.
// Rows come as the driver gives them: an instant is ISO text on SQLite and a Date on PostgreSQL, a
// boolean 0/1 or true/false, a big integer a number or a bigint; readers convert.
import Sqlite from "better-sqlite3";
import type { Db } from "./client";
import type { RawValue } from "./raw-reader";

export interface PointReader {
  rows<T>(text: string, values: readonly RawValue[]): Promise<T[]>;
  close(): void;
}

const MAX_PREPARED = 64;

export function sqlitePointReader(file: string, busyTimeoutMs: number): PointReader {
  let conn: Sqlite.Database | null = null;
  const prepared = new Map<string, Sqlite.Statement>();
  const statement = (text: string): Sqlite.Statement => {
    let s = prepared.get(text);
    if (s) return s;
    // Opened on first use: the file exists by then (migrated before the platform serves).
    if (!conn) {
      conn = new Sqlite(file, { fileMustExist: true, timeout: busyTimeoutMs });
      conn.pragma("query_only = ON");
    }
    s = conn.prepare(text);
    if (!s.reader) throw new Error("a point read must return rows");
    if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
    prepared.set(text, s);
    return s;
  };
  return {
    rows: async <T>(text: string, values: readonly RawValue[]) => statement(text).all(...values) as T[],
    close: () => {
      prepared.clear();
      conn?.close();
      conn = null;
    },
  };
}

export function prismaPointReader(db: Db): PointReader {
  const numbered = new Map<string, string>();
  const toPg = (text: string): string => {
    let t = numbered.get(text);
    if (t === undefined) {
      let n = 0;
      t = text.replace(/\?/g, () => `$${++n}`);
      numbered.set(text, t);
    }
    return t;
  };
  return {
    rows: <T>(text: string, values: readonly RawValue[]) => db.$queryRawUnsafe<T[]>(toPg(text), ...values),
    close: () => undefined,
  };
}
