// Contract signing across the platform: contracts completed per period, the time from sending to
// completion, and of the contracts that ended in the range the shares declined and expired.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import type { Period } from "./periods";
import { share, type Range, type Share } from "./scope";
import { quantiles, type Quantiles } from "./durations";

export interface ContractFigures {
  completed: Record<string, number>;
  timeToComplete: Quantiles;
  ended: number;
  declined: Share;
  expired: Share;
  voided: Share;
}

export async function contractFigures(sql: RawReader, d: Dialect, r: Range, period: Period): Promise<ContractFigures> {
  const q1 = new Query(d);
  const series = await q1.rows<{ p: string; n: unknown }>(
    sql,
    `SELECT ${d.label('k."endedAt"', period)} AS p, COUNT(*) AS n FROM "Contract" k WHERE k."status" = 'completed' AND k."endedAt" IS NOT NULL AND ${q1.within('k."endedAt"', r)} GROUP BY 1`,
  );
  const q2 = new Query(d);
  const timeToComplete = await quantiles(
    sql,
    q2,
    `SELECT ${d.days('k."sentAt"', 'k."endedAt"')} AS v FROM "Contract" k WHERE k."status" = 'completed' AND k."sentAt" IS NOT NULL AND k."endedAt" IS NOT NULL AND ${q2.within('k."endedAt"', r)}`,
  );
  const q3 = new Query(d);
  const ends = await q3.rows<{ status: string; n: unknown }>(
    sql,
    `SELECT k."status" AS status, COUNT(*) AS n FROM "Contract" k WHERE k."endedAt" IS NOT NULL AND ${q3.within('k."endedAt"', r)} GROUP BY k."status"`,
  );
  const by = new Map(ends.map((e) => [e.status, num(e.n) ?? 0]));
  const ended = [...by.values()].reduce((a, b) => a + b, 0);
  return {
    completed: Object.fromEntries(series.map((x) => [x.p, num(x.n) ?? 0])),
    timeToComplete,
    ended,
    declined: share(by.get("declined") ?? 0, ended),
    expired: share(by.get("expired") ?? 0, ended),
    voided: share(by.get("voided") ?? 0, ended),
  };
}
