// Read-only raw statements, for the figures computed in SQL (the statistics): text with its values
// bound in order to the placeholders the provider spells (`?` on SQLite, `$n` on PostgreSQL). On
// PostgreSQL they go through the Prisma client's pool, which already runs them side by side; on
// SQLite through sqlite-readers.ts, so that a long statement neither blocks the event loop nor waits
// for the one before it.
import type { Db } from "./client";

export type RawValue = string | number;

/**
 * Rows as the driver gives them: a count may be a number, a bigint or a numeric string, an instant a
 * Date or ISO text; readers of the rows convert (statistics/query.ts num) rather than assume one.
 */
export interface RawReader {
  query<T>(text: string, values: readonly RawValue[]): Promise<T[]>;
}

/** Statements through the Prisma client itself (on the caller's thread and connection pool). */
export function prismaReader(db: Db): RawReader {
  return { query: <T>(text: string, values: readonly RawValue[]) => db.$queryRawUnsafe<T[]>(text, ...values) };
}
