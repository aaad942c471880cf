// One raw statement with its bound values, written once for both databases: placeholders are $1, $2 …
// in the order the values were bound; for SQLite they become ? with the values reordered to match
// where each placeholder appears, so fragments may be composed in any order.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";

export class Query {
  private readonly values: (string | number)[] = [];

  constructor(readonly d: Dialect) {}

  /** A bound value's placeholder. */
  v(value: string | number): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** A bound instant, comparable with `d.at(column)`. */
  t(at: Date): string {
    return this.d.param(this.v(this.d.instant(at)));
  }

  /** `column` in [start, end). */
  within(column: string, range: { start: Date; end: Date }): string {
    return `${this.d.at(column)} >= ${this.t(range.start)} AND ${this.d.at(column)} < ${this.t(range.end)}`;
  }

  rows<T>(sql: RawReader, text: string): Promise<T[]> {
    if (this.d.provider === "postgresql") return sql.query<T>(text, this.values);
    const ordered = [...text.matchAll(/\$(\d+)/g)].map((m) => this.values[Number(m[1]) - 1]);
    return sql.query<T>(text.replace(/\$\d+/g, "?"), ordered);
  }
}

/** A number from a driver (PostgreSQL's counts are bigint, its numeric results strings); null stays null. */
export function num(x: unknown): number | null {
  if (x === null || x === undefined) return null;
  return Number(typeof x === "bigint" ? x : String(x));
}
