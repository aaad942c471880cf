// Risk warnings (风险预警): a cause of action, a repeat defendant or a court whose count of new cases
// in the latest period rises beyond its own history. The rule is a one-sided Poisson test: with
// lambda the mean of the previous periods, the latest count k is flagged when P(X >= k) < alpha and
// k >= minCount. Counts of cases are small non-negative integers, for which the Poisson model is
// the natural one; "mean + 2 standard deviations" breaks on them (a flat history has deviation 0,
// so one extra case would be flagged, and it says nothing of how unlikely a count is).
// Nothing is judged on too little data: the history must be fully covered by the platform's records.
import type { RawReader } from "../db/raw-reader";
import type { Dialect } from "./dialect";
import { Query, num } from "./query";
import { labelBefore, labelsBetween, spanOf, type Period } from "./periods";
import { poissonUpperTail } from "./poisson";
import { caseConditions, type Scope } from "./scope";

export interface WarningRule {
  /** periods of history before the latest one */
  historyPeriods: number;
  alpha: number;
  minCount: number;
}

export const WARNING_DIMENSIONS = ["causeOfAction", "defendant", "court"] as const;
export type WarningDimension = (typeof WARNING_DIMENSIONS)[number];

export interface Warning {
  dimension: WarningDimension;
  key: string;
  label: string;
  latest: number;
  history: number[];
  mean: number;
  /** P(X >= latest) under Poisson(mean) */
  pValue: number;
}

export interface WarningReport {
  period: Period;
  latest: string;
  historyFrom: string;
  rule: WarningRule & { test: "poisson-upper-tail" };
  /** false: too little data to judge anything, with the reason */
  sufficient: boolean;
  reason: string | null;
  warnings: Warning[];
  /** every series judged, flagged or not, so that a reader sees the numbers behind the verdict */
  judged: number;
}

/** Judges one series (oldest first, the latest last). */
export function judgeSeries(history: number[], latest: number, rule: WarningRule): { flagged: boolean; mean: number; pValue: number } {
  const mean = history.reduce((a, b) => a + b, 0) / history.length;
  const pValue = poissonUpperTail(latest, mean);
  return { flagged: latest >= rule.minCount && pValue < rule.alpha, mean, pValue };
}

const KEY: Record<WarningDimension, { key: string; label: string; join: string }> = {
  causeOfAction: { key: `c."causeOfAction"`, label: `c."causeOfAction"`, join: "" },
  // a defendant on the platform is its organisation; one that is not, its name as written
  defendant: { key: `COALESCE(p."organizationId", p."name")`, label: `p."name"`, join: `JOIN "CaseParty" p ON p."caseId" = c."id" AND p."kind" = 'defendant'` },
  court: { key: `COALESCE(c."courtId", c."court")`, label: `c."court"`, join: "" },
};

export async function riskWarnings(sql: RawReader, d: Dialect, s: Scope, period: Period, latest: string, rule: WarningRule): Promise<WarningReport> {
  const historyFrom = labelBefore(latest, period, rule.historyPeriods);
  const labels = labelsBetween(historyFrom, latest, period);
  const range = { start: spanOf(historyFrom, period).start, end: spanOf(latest, period).end };
  const base = { period, latest, historyFrom, rule: { ...rule, test: "poisson-upper-tail" as const } };

  const q0 = new Query(d);
  const [first] = await q0.rows<{ at: unknown }>(sql, `SELECT MIN(c."openedAt") AS at FROM "CourtCase" c WHERE ${caseConditions(q0, { ...s, causeOfAction: null })}`);
  const earliest = first?.at ? new Date(first.at instanceof Date ? first.at : String(first.at)) : null;
  // The records must reach back into the first period of history (a court's first case is rarely on its first day).
  if (!earliest || earliest.getTime() >= spanOf(historyFrom, period).end.getTime()) {
    return {
      ...base,
      sufficient: false,
      reason: earliest
        ? `the records begin ${earliest.toISOString().slice(0, 10)}, after the first of the ${rule.historyPeriods} ${period}s of history the rule needs (${historyFrom})`
        : "there are no cases yet",
      warnings: [],
      judged: 0,
    };
  }

  const warnings: Warning[] = [];
  let judged = 0;
  // the dimensions' statements are independent: asked together, they run side by side
  const perDimension = await Promise.all(
    WARNING_DIMENSIONS.map((dimension) => {
      const k = KEY[dimension];
      const q = new Query(d);
      return q.rows<{ k: string; l: string; p: string; n: unknown }>(
        sql,
        `SELECT ${k.key} AS k, MIN(${k.label}) AS l, ${d.label('c."openedAt"', period)} AS p, COUNT(DISTINCT c."id") AS n
         FROM "CourtCase" c ${k.join} WHERE ${caseConditions(q, s)} AND ${q.within('c."openedAt"', range)} GROUP BY 1, 3`,
      );
    }),
  );
  for (const [i, dimension] of WARNING_DIMENSIONS.entries()) {
    const rows = perDimension[i];
    const series = new Map<string, { label: string; counts: Map<string, number> }>();
    for (const r of rows) {
      const e = series.get(r.k) ?? { label: r.l, counts: new Map() };
      e.counts.set(r.p, num(r.n) ?? 0);
      series.set(r.k, e);
    }
    for (const [key, e] of series) {
      const counts = labels.map((l) => e.counts.get(l) ?? 0);
      const latestCount = counts.pop() as number;
      judged++;
      const verdict = judgeSeries(counts, latestCount, rule);
      if (verdict.flagged) warnings.push({ dimension, key, label: e.label, latest: latestCount, history: counts, mean: Math.round(verdict.mean * 1000) / 1000, pValue: verdict.pValue });
    }
  }
  warnings.sort((a, b) => a.pValue - b.pValue);
  return { ...base, sufficient: true, reason: null, warnings, judged };
}
