// Reporting periods in China time (UTC+8 all year: China keeps no daylight saving): a month
// "2026-03", a quarter "2026-Q1" or a year "2026"; the label of an instant, the instants a label
// spans, and every label between two.
export const PERIODS = ["month", "quarter", "year"] as const;
export type Period = (typeof PERIODS)[number];

const CHINA_OFFSET_MS = 8 * 3600_000;

export const LABEL: Record<Period, RegExp> = {
  month: /^(\d{4})-(0[1-9]|1[0-2])$/,
  quarter: /^(\d{4})-Q([1-4])$/,
  year: /^(\d{4})$/,
};

/** The period an instant falls in, as China's calendar has it. */
export function labelOf(at: Date, period: Period): string {
  const d = new Date(at.getTime() + CHINA_OFFSET_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  if (period === "year") return String(y);
  if (period === "quarter") return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  return `${y}-${String(m).padStart(2, "0")}`;
}

/** The first month (1-12) of a label, and its length in months. */
function monthsOf(label: string, period: Period): { y: number; m: number; months: number } {
  const hit = LABEL[period].exec(label);
  if (!hit) throw new RangeError(`not a ${period}: ${label}`);
  const y = Number(hit[1]);
  if (period === "year") return { y, m: 1, months: 12 };
  if (period === "quarter") return { y, m: (Number(hit[2]) - 1) * 3 + 1, months: 3 };
  return { y, m: Number(hit[2]), months: 1 };
}

/** The instants [start, end) a period spans. */
export function spanOf(label: string, period: Period): { start: Date; end: Date } {
  const { y, m, months } = monthsOf(label, period);
  return {
    start: new Date(Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS),
    end: new Date(Date.UTC(y, m - 1 + months, 1) - CHINA_OFFSET_MS),
  };
}

/** Every label from `from` to `to`, both included, in order. */
export function labelsBetween(from: string, to: string, period: Period): string[] {
  const out: string[] = [];
  const last = spanOf(to, period).start.getTime();
  for (let at = spanOf(from, period).start; at.getTime() <= last; at = spanOf(labelOf(at, period), period).end) {
    out.push(labelOf(at, period));
    if (out.length > 1200) throw new RangeError("too many periods");
  }
  return out;
}

/** The label `n` periods before `label`. */
export function labelBefore(label: string, period: Period, n: number): string {
  const { y, m } = monthsOf(label, period);
  const step = period === "year" ? 12 : period === "quarter" ? 3 : 1;
  const at = new Date(Date.UTC(y, m - 1 - n * step, 1) - CHINA_OFFSET_MS);
  return labelOf(at, period);
}
