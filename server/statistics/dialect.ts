// The few SQL expressions whose spelling differs between SQLite and PostgreSQL: an instant parameter,
// the China-time period label of a column, and the days between two columns. SQLite holds Prisma's
// DateTime as ISO-8601 text with an offset (its date functions read it); PostgreSQL as TIMESTAMP(3)
// in UTC.
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
  /** the value to bind for an instant */
  instant(d: Date): string;
}

const SQLITE: Dialect = {
  provider: "sqlite",
  param: (p) => `julianday(${p})`,
  at: (c) => `julianday(${c})`,
  label: (c, period) => {
    const local = `${c}, '+8 hours'`;
    if (period === "year") return `strftime('%Y', ${local})`;
    if (period === "quarter") return `(strftime('%Y', ${local}) || '-Q' || ((CAST(strftime('%m', ${local}) AS INTEGER) + 2) / 3))`;
    return `strftime('%Y-%m', ${local})`;
  },
  days: (a, b) => `(julianday(${b}) - julianday(${a}))`,
  instant: (d) => d.toISOString().replace("T", " ").replace("Z", ""),
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
  instant: (d) => d.toISOString().replace("T", " ").replace("Z", ""),
};

export function dialectOf(provider: DbProvider): Dialect {
  return provider === "postgresql" ? POSTGRESQL : SQLITE;
}
