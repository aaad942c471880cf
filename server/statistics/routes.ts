// The statistics routes, mounted at /api/statistics behind authentication; the access table
// (access.ts) is applied by the service from the signed-in user and the scope asked for.
import { Router, type Request } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { LABEL, PERIODS, labelOf, labelsBetween, type Period } from "./periods";
import type { StatisticsService } from "./service";
import type { StatisticsReports } from "./reports";
import { CSV_TABLES, tableOf, toCsv } from "./csv";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_PERIODS = 120;

const common = {
  period: z.enum(PERIODS).default("month"),
  courtId: z.string().regex(UUID, "must be an id").optional(),
  mine: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
};
const measuresQuery = z.object({ ...common, from: z.string().optional(), to: z.string().optional(), causeOfAction: z.string().trim().min(1).max(200).optional() }).strict();
const csvQuery = measuresQuery.extend({ table: z.enum(CSV_TABLES) });
const warningsQuery = z
  .object({ ...common, latest: z.string().optional(), alpha: z.coerce.number().gt(0).lt(0.5).optional(), minCount: z.coerce.number().int().min(1).max(100_000).optional() })
  .strict();

function label(value: string | undefined, period: Period, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (!LABEL[period].test(value)) throw new ApiError(400, "invalid_input", `query.${name}: must be a ${period} such as ${labelOf(new Date(), period)}`);
  return value;
}

function fewPeriods(from: string, to: string, period: Period): boolean {
  try {
    return labelsBetween(from, to, period).length <= MAX_PERIODS;
  } catch {
    return false;
  }
}

const reportBody = z
  .object({
    period: z.enum(PERIODS).default("month"),
    from: z.string(),
    to: z.string(),
    courtId: common.courtId,
    mine: z.boolean().optional(),
    causeOfAction: z.string().trim().min(1).max(200).optional(),
    title: z.string().trim().min(1).max(200),
    text: z.string().trim().min(1).max(20_000),
  })
  .strict();

export function statisticsRoutes(stats: StatisticsService, reports: StatisticsReports): Router {
  const r = Router();
  const measuresOf = async (req: Request, q: z.infer<typeof measuresQuery>) => {
    const now = labelOf(new Date(), q.period);
    const to = label(q.to, q.period, now, "to");
    const from = label(q.from, q.period, to, "from");
    if (from > to) throw new ApiError(400, "invalid_input", "query.from: must not be after to");
    if (!fewPeriods(from, to, q.period)) throw new ApiError(400, "invalid_input", `query: at most ${MAX_PERIODS} periods at once`);
    return stats.measures(principalOf(req), { ...q, from, to });
  };
  r.get("/measures", async (req, res) => {
    res.json(await measuresOf(req, parseInput(measuresQuery, req.query, "query")));
  });
  r.get("/measures.csv", async (req, res) => {
    const { table, ...q } = parseInput(csvQuery, req.query, "query");
    const m = await measuresOf(req, q);
    const rows = tableOf(m, table);
    if (!rows) throw new ApiError(403, "forbidden", "contract figures are the platform administrator's");
    res.set({ "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="statistics-${table}-${m.scope.from}-${m.scope.to}.csv"` });
    res.send(toCsv(rows));
  });
  r.post("/reports", async (req, res) => {
    const body = parseInput(reportBody, req.body);
    const from = label(body.from, body.period, "", "from");
    const to = label(body.to, body.period, "", "to");
    if (from > to) throw new ApiError(400, "invalid_input", "body.from: must not be after to");
    if (!fewPeriods(from, to, body.period)) throw new ApiError(400, "invalid_input", `body: at most ${MAX_PERIODS} periods at once`);
    const made = await reports.create(principalOf(req), { ...body, from, to });
    res.status(201).location(made.pdf).json(made);
  });
  r.get("/reports", async (req, res) => {
    res.json({ items: await reports.list(principalOf(req)) });
  });
  r.get("/reports/:id/pdf", async (req, res) => {
    const { pdf, report } = await reports.pdf(principalOf(req), String(req.params.id));
    res.set({ "Content-Type": "application/pdf", "Content-Length": String(pdf.length), "Content-Disposition": `attachment; filename="statistics-report-${report.from}-${report.to}.pdf"`, "X-Content-SHA256": report.sha256 });
    res.send(pdf);
  });
  r.get("/warnings", async (req, res) => {
    const q = parseInput(warningsQuery, req.query, "query");
    const latest = label(q.latest, q.period, labelOf(new Date(), q.period), "latest");
    res.json(await stats.warnings(principalOf(req), { ...q, latest }));
  });
  return r;
}
