// The figures as CSV tables (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote
// or a line break), one table per chart of the dashboard. A UTF-8 byte order mark leads, so that
// spreadsheet programs read Chinese names right; a text cell that a spreadsheet would take for a
// formula (= + - @ at its start) is prefixed with an apostrophe (OWASP's advice on CSV injection).
import type { StatisticsService } from "./service";

export const CSV_TABLES = ["cases", "causes", "courts", "judges", "parties", "durations", "service", "evidence", "contracts"] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

type Cell = string | number | boolean | null;
type Measures = Awaited<ReturnType<StatisticsService["measures"]>>;

function cell(v: Cell): string {
  if (v === null) return "";
  if (typeof v !== "string") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: Cell[][]): string {
  return "\uFEFF" + rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

const shareRow = (name: string, s: { count: number; of: number; share: number | null }): Cell[] => [name, s.count, s.of, s.share];

/** The rows of one table (header first); null when the figures do not hold it (contracts for a court). */
export function tableOf(m: Measures, table: CsvTable): Cell[][] | null {
  switch (table) {
    case "cases":
      return [["period", "filed", "accepted", "closed"], ...m.periods.map((p, i) => [p, m.cases.filed[i].count, m.cases.accepted[i].count, m.cases.closed[i].count])];
    case "causes":
      return [["causeOfAction", "cases"], ...m.byCauseOfAction.map((x) => [x.causeOfAction, x.cases])];
    case "courts":
      return [["courtId", "court", "cases"], ...m.byCourt.map((x) => [x.courtId, x.court, x.cases])];
    case "judges":
      return [["judgeId", "judge", "cases"], ...m.byJudge.map((x) => [x.judgeId, x.name, x.cases])];
    case "parties":
      return [["side", "organisation", "parties", "cases"], ...m.byParty.map((x) => [x.kind, x.organisation, x.parties, x.cases])];
    case "durations":
      return [
        ["measure", "n", "medianDays", "p90Days"],
        ["filingToAcceptance", m.durations.filingToAcceptance.n, m.durations.filingToAcceptance.medianDays, m.durations.filingToAcceptance.p90Days],
        ["filingToClosing", m.durations.filingToClosing.n, m.durations.filingToClosing.medianDays, m.durations.filingToClosing.p90Days],
      ];
    case "service":
      return [
        ["measure", "count", "of", "share"],
        shareRow("electronicServiceRate", m.service.rate),
        shareRow("electronicServiceCoverage", m.service.coverage),
        shareRow("receiptWithin1Day", m.service.receiptsWithin.days1),
        shareRow("receiptWithin3Days", m.service.receiptsWithin.days3),
        shareRow("receiptWithin7Days", m.service.receiptsWithin.days7),
      ];
    case "evidence":
      return [["measure", "count", "of", "share"], ["itemsPerCase", m.evidence.items, m.evidence.cases, m.evidence.itemsPerCase], shareRow("anchored", m.evidence.anchored), shareRow("disputedOpinions", m.evidence.disputed)];
    case "contracts":
      if (!("contracts" in m) || !m.contracts) return null;
      return [
        ["period", "completed"],
        ...m.contracts.completed.map((x) => [x.period, x.count]),
      ];
  }
}
