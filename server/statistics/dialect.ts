// The few SQL expressions whose spelling differs between SQLite and PostgreSQL: an instant parameter,
// the China-time period label of a column, and the days between two columns. SQLite holds Prisma's
// DateTime as ISO-8601 text in UTC with milliseconds ("2025-01-01T00:00:00.000+00:00", the driver
// adapter's default format; "…Z" reads the same); PostgreSQL as TIMESTAMP(3) in UTC.
// On SQLite an instant is compared as that text, not through julianday(): the fixed-width UTC prefix
// orders as time does, and a bare column can use its index (julianday(column) cannot, and costs a
// date parse per row). The bound instant is the prefix without an offset, so a stored value equal
// to it compares greater (it is longer): `>=` includes it and `<` excludes it, as a range wants.
import type { DbProvider } from "../db/url";
import type { Period } from "./periods";

export interface Dialect {
  provider: DbProvider;
  /** an instant placeholder ($n), comparable with a DateTime column through `at` */
  param(placeholder: string): string;
  /** a DateTime column, comparable with `param` */
  at(column: string): string;
  /** the period label (periods.ts labelOf) of a DateTime column */
  label(column: string, period: Period): string;
  /** days from one DateTime column to another, fractional */
  days(from: string, to: string): string;
  /**
   * the time from one DateTime column to another, comparable with `daysOf(n)`: `elapsed(a, b) <= daysOf(n)`
   * is `days(a, b) <= n`, spelt as cheaply as the database allows
   */
  elapsed(from: string, to: string): string;
  /** `n` whole days, comparable with `elapsed` */
  daysOf(n: number): string;
  /** the value to bind for an instant */
  instant(d: Date): string;
}

/** A count of days written into the statement: a whole number, never a value from outside. */
function whole(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a whole number of days: ${n}`);
  return n;
}

const SQLITE: Dialect = {
  provider: "sqlite",
  param: (p) => p,
  at: (c) => c,
  label: (c, period) => {
    const local = `${c}, '+8 hours'`;
    if (period === "year") return `strftime('%Y', ${local})`;
    if (period === "quarter") return `(strftime('%Y', ${local}) || '-Q' || ((CAST(strftime('%m', ${local}) AS INTEGER) + 2) / 3))`;
    return `strftime('%Y-%m', ${local})`;
  },
  days: (a, b) => `(julianday(${b}) - julianday(${a}))`,
  elapsed: (a, b) => SQLITE.days(a, b),
  daysOf: (n) => String(whole(n)),
  instant: (d) => d.toISOString().replace("Z", ""),
};

const POSTGRESQL: Dialect = {
  provider: "postgresql",
  param: (p) => `CAST(${p} AS TIMESTAMP(3))`,
  at: (c) => c,
  label: (c, period) => {
    const local = `(${c} + INTERVAL '8 hours')`;
    if (period === "year") return `to_char(${local}, 'YYYY')`;
    if (period === "quarter") return `to_char(${local}, 'YYYY-"Q"Q')`;
    return `to_char(${local}, 'YYYY-MM')`;
  },
  days: (a, b) => `(EXTRACT(EPOCH FROM (${b} - ${a})) / 86400.0)`,
  // the interval itself: compared with whole days it is the same test as days() (a difference of two
  // timestamps is days and microseconds, and an interval compares as days of 24 hours), without a
  // numeric division per row
  elapsed: (a, b) => `(${b} - ${a})`,
  daysOf: (n) => `INTERVAL '${whole(n)} days'`,
  instant: (d) => d.toISOString().replace("T", " ").replace("Z", ""),
};

export function dialectOf(provider: DbProvider): Dialect {
  return provider === "postgresql" ? POSTGRESQL : SQLITE;
}
