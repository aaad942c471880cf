// The court dashboard's queries on 100,000 cases and 1,000,000 services (--quick: 10,000 and 100,000),
// on SQLite and, when BENCH_POSTGRES_URL or TEST_POSTGRES_URL names a server, on PostgreSQL: the
// measures of one court for twelve months, of every court for three years, and the risk warnings,
// each beside a plain `SELECT count(*)` over the same tables (cases, parties, services, deliveries)
// as the baseline of the same run. The rows are written by SQL in the database itself; the figures
// are checked against counts the generator knows. Each call (the median of its runs) must take less
// than its budget: one that does not fails the run.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import type { Principal } from "../../server/accounts/roles";
import { StatisticsService } from "../../server/statistics/service";
import { dialectOf } from "../../server/statistics/dialect";
import { caseBreakdowns, caseCounts } from "../../server/statistics/cases";
import { filingToAcceptance, filingToClosing } from "../../server/statistics/durations";
import { serviceRates } from "../../server/statistics/service-rates";
import { evidenceFigures } from "../../server/statistics/evidence";
import { BenchFailure, fmt, median, now, seconds, type BenchContext, type SummaryRow } from "./common";

const COURTS = ["bench-court-0", "bench-court-1", "bench-court-2"];
const CAUSES = 20;
/** The cases span 36 months from January 2023, in China time. */
const START_MS = Date.UTC(2023, 0, 1) - 8 * 3600_000;
const SPAN_MS = Date.UTC(2026, 0, 1) - Date.UTC(2023, 0, 1);

const ADMIN: Principal = { userId: "bench-admin", email: "bench@example.com", name: "Bench", role: "admin", organizationId: null, orgAdmin: false, tokenId: "bench" };

/** Seeds the tables by INSERT … SELECT over a generated series, in one statement per table. */
export async function seed(database: Database, cases: number, services: number): Promise<void> {
  const sqlite = database.provider === "sqlite";
  const db = database.db;
  const exec = (sql: string) => db.$executeRawUnsafe(sql);
  // i in 1..n, as a table s(i)
  const series = (n: number) => (sqlite ? `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})` : `WITH s(i) AS (SELECT generate_series(1, ${n}))`);
  const ts = (ms: string) => (sqlite ? `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${ms}) / 1000.0, 'unixepoch')` : `to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC'`);
  const pad = (expr: string) => (sqlite ? `printf('%08d', ${expr})` : `lpad(CAST(${expr} AS TEXT), 8, '0')`);
  const mod = (a: string, b: number) => (sqlite ? `((${a}) % ${b})` : `mod(${a}, ${b})`);
  const opened = `${START_MS} + CAST(i - 1 AS BIGINT) * ${Math.floor(SPAN_MS / cases)}`;

  await exec(`INSERT INTO "User" ("id", "email", "name", "role", "passwordHash", "createdAt") VALUES ('bench-admin', 'bench@example.com', 'Bench', 'admin', 'x', ${sqlite ? "'2023-01-01T00:00:00.000Z'" : "CAST('2023-01-01' AS TIMESTAMP(3))"})`);
  for (const [i, id] of COURTS.entries()) {
    await exec(`INSERT INTO "Organization" ("id", "name", "kind", "createdAt") VALUES ('${id}', 'Bench court ${i}', 'court', ${sqlite ? "'2023-01-01T00:00:00.000Z'" : "CAST('2023-01-01' AS TIMESTAMP(3))"})`);
  }
  // cases: a court and a cause by turns; 70% closed, 10 to 209 days after opening
  await exec(`${series(cases)} INSERT INTO "CourtCase" ("id", "courtId", "number", "court", "causeOfAction", "status", "openedById", "openedAt", "closedById", "closedAt")
    SELECT 'c' || ${pad("i")}, 'bench-court-' || ${mod("i", 3)}, 'N' || ${pad("i")}, 'Bench court ' || ${mod("i", 3)}, 'cause-' || ${mod("i", CAUSES)},
      CASE WHEN ${mod("i", 10)} < 7 THEN 'closed' ELSE 'open' END, 'bench-admin', ${ts(opened)},
      CASE WHEN ${mod("i", 10)} < 7 THEN 'bench-admin' END, CASE WHEN ${mod("i", 10)} < 7 THEN ${ts(`${opened} + CAST(10 + ${mod("i", 200)} AS BIGINT) * 86400000`)} END FROM s`);
  await exec(`${series(cases)} INSERT INTO "CaseJudge" ("id", "caseId", "userId", "addedById", "addedAt") SELECT 'j' || ${pad("i")}, 'c' || ${pad("i")}, 'bench-admin', 'bench-admin', ${ts(opened)} FROM s`);
  await exec(`${series(cases)} INSERT INTO "CaseParty" ("id", "caseId", "position", "name", "kind") SELECT 'p' || ${pad("i")}, 'c' || ${pad("i")}, 0, 'plaintiff ' || i, 'plaintiff' FROM s`);
  await exec(`${series(cases)} INSERT INTO "CaseParty" ("id", "caseId", "position", "name", "kind") SELECT 'd' || ${pad("i")}, 'c' || ${pad("i")}, 1, 'defendant ' || ${mod("i", 5000)}, 'defendant' FROM s`);
  // each service: its document's record (a leaf) and evidence item, served one day after its case
  // opened on the defendant; 90% with a delivery, opened after 0 to 9 days for 8 in 9 of those
  const kase = `(${mod("i - 1", cases)} + 1)`;
  const served = `${START_MS} + CAST(${kase} - 1 AS BIGINT) * ${Math.floor(SPAN_MS / cases)} + 86400000`;
  await exec(`${series(services)} INSERT INTO "Leaf" ("seq", "kind", "record", "leafHash", "createdAt") SELECT i, 'evidence', '{}', '0x00', ${ts(served)} FROM s`);
  await exec(`${series(services)} INSERT INTO "EvidenceItem" ("id", "sha256", "submitterId", "acceptedAt", "leafSeq", "restricted") SELECT 'e' || ${pad("i")}, '0x00', 'bench-admin', ${ts(served)}, i, ${sqlite ? 1 : "true"} FROM s`);
  await exec(`${series(services)} INSERT INTO "ServedDocument" ("id", "caseId", "partyId", "evidenceId", "title", "servedById", "servedAt") SELECT 's' || ${pad("i")}, 'c' || ${pad(kase)}, 'd' || ${pad(kase)}, 'e' || ${pad("i")}, 'summons', 'bench-admin', ${ts(served)} FROM s`);
  await exec(`${series(services)} INSERT INTO "DocumentDelivery" ("id", "documentId", "recipientId", "openedAt") SELECT 'v' || ${pad("i")}, 's' || ${pad("i")}, 'bench-admin',
      CASE WHEN ${mod("i", 9)} <> 0 THEN ${ts(`${served} + ${mod("i", 10)} * 86400000`)} END FROM s WHERE ${mod("i", 10)} <> 0`);
  // as autovacuum leaves a table once it settles: statistics gathered and the visibility map set
  // (without it every index-only scan visits the heap, which no running database does)
  if (!sqlite) await exec(`VACUUM ANALYZE`);
}

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = now();
    value = await fn();
    times.push(seconds(t));
  }
  return { s: median(times), value };
}

async function benchOn(ctx: BenchContext, label: string, database: Database, cases: number, services: number): Promise<SummaryRow[]> {
  let t = now();
  await seed(database, cases, services);
  ctx.log(`${label}: ${cases.toLocaleString("en-US")} cases, ${services.toLocaleString("en-US")} services seeded in ${fmt(seconds(t), 1)} s`);
  const stats = new StatisticsService(database.db, database.provider, { historyPeriods: 12, alpha: 0.01, minCount: 5 }, database.reader);
  const db = database.db;
  const runs = ctx.quick ? 3 : 5;
  const baseline = await timed(runs, async () => {
    const counts = await Promise.all([db.courtCase.count(), db.caseParty.count(), db.servedDocument.count(), db.documentDelivery.count()]);
    return counts;
  });
  if (baseline.value[0] !== cases || baseline.value[2] !== services) throw new BenchFailure(`${label}: seeded ${baseline.value.join("/")} rows`);

  const oneCourt = await timed(runs, () => stats.measures(ADMIN, { period: "month", from: "2025-01", to: "2025-12", courtId: COURTS[1] }));
  const all = await timed(runs, () => stats.measures(ADMIN, { period: "month", from: "2023-01", to: "2025-12" }));
  const warnings = await timed(runs, () => stats.warnings(ADMIN, { period: "month", latest: "2025-12" }));
  // The figures the generator knows: every case opened in 2023–2025 is in the three-year range.
  const accepted = all.value.cases.accepted.reduce((a, b) => a + b.count, 0);
  if (accepted !== cases) throw new BenchFailure(`${label}: ${accepted} cases accepted in three years, expected ${cases}`);
  // nine services in ten have a delivery
  const rate = all.value.service.rate;
  if (rate.of > services || rate.of < services * 0.99 || Math.abs(rate.count / rate.of - 0.9) > 0.01) {
    throw new BenchFailure(`${label}: electronic service ${rate.count}/${rate.of}, expected about 90%`);
  }
  if (!warnings.value.sufficient) throw new BenchFailure(`${label}: warnings judged the data insufficient`);

  // where the time goes: each measure of the all-courts range alone
  const d = dialectOf(database.provider);
  const sql = database.reader;
  const scope = { courtId: null, causeOfAction: null, judgeId: null };
  const range = { start: new Date(START_MS), end: new Date(START_MS + SPAN_MS) };
  const parts: [string, () => Promise<unknown>][] = [
    ["counts", () => caseCounts(sql, d, scope, range, "month")],
    ["breakdowns", () => caseBreakdowns(sql, d, scope, range)],
    ["durations", () => Promise.all([filingToAcceptance(sql, d, scope, range), filingToClosing(sql, d, scope, range)])],
    ["service", () => serviceRates(sql, d, scope, range)],
    ["evidence", () => evidenceFigures(sql, d, scope, range)],
  ];
  const spent: string[] = [];
  for (const [name, fn] of parts) spent.push(`${name} ${fmt((await timed(1, fn)).s * 1000, 0)} ms`);
  ctx.log(`${label}: all courts, 36 months, by measure: ${spent.join(", ")}`);

  const BUDGET_S = 2;
  const row = (name: string, r: { s: number }): SummaryRow => ({
    bench: "statistics",
    case: `${label}: ${name}`,
    result: `${fmt(r.s * 1000, 0)} ms (count(*) baseline ${fmt(baseline.s * 1000, 1)} ms)`,
    ratio: baseline.s / r.s,
    target: `< ${BUDGET_S} s`,
    met: r.s < BUDGET_S,
    required: true,
  });
  const rows = [row("measures, one court, 12 months", oneCourt), row("measures, all courts, 36 months", all), row("risk warnings, 13 months", warnings)];
  for (const r of rows) ctx.log(`${r.case}: ${r.result}, budget ${r.target}: ${r.met ? "within" : "FAIL, over budget"}`);
  return rows;
}

export async function statisticsBench(ctx: BenchContext): Promise<SummaryRow[]> {
  const cases = ctx.quick ? 10_000 : 100_000;
  const services = ctx.quick ? 100_000 : 1_000_000;
  const rows: SummaryRow[] = [];
  const dataDir = fs.mkdtempSync(path.join(ctx.scratch, "statistics-"));
  const sqlite = await openDatabase(resolveDbTarget(undefined, dataDir));
  try {
    rows.push(...(await benchOn(ctx, "SQLite", sqlite, cases, services)));
  } finally {
    await sqlite.close();
  }
  const pgUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
  if (!pgUrl) {
    ctx.log("PostgreSQL skipped: set BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) to a server");
    return rows;
  }
  const name = `evidence_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase(resolveDbTarget(url.toString(), dataDir));
    try {
      rows.push(...(await benchOn(ctx, "PostgreSQL", database, cases, services)));
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  return rows;
}
