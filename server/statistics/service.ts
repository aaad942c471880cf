// The statistics room: the figures of a scope and range (measures) and the risk warnings, computed
// by SQL on the live tables of either database; nothing is copied or cached.
import type { Db } from "../db/client";
import { prismaReader, type RawReader } from "../db/raw-reader";
import type { DbProvider } from "../db/url";
import type { Principal } from "../accounts/roles";
import { ApiError } from "../http/errors";
import { decideScope, viewerOf, type ScopeRequest } from "./access";
import { dialectOf, type Dialect } from "./dialect";
import { labelsBetween, spanOf, type Period } from "./periods";
import type { Scope } from "./scope";
import { caseBreakdowns, caseCounts } from "./cases";
import { filingToAcceptance, filingToClosing } from "./durations";
import { serviceRates } from "./service-rates";
import { evidenceFigures } from "./evidence";
import { contractFigures } from "./contracts";
import { riskWarnings, type WarningRule } from "./warnings";

export interface MeasuresQuery extends ScopeRequest {
  period: Period;
  from: string;
  to: string;
  causeOfAction?: string;
}

export interface WarningsQuery extends ScopeRequest {
  period: Period;
  latest: string;
  alpha?: number;
  minCount?: number;
}

const fill = (labels: string[], counts: Record<string, number>) => labels.map((period) => ({ period, count: counts[period] ?? 0 }));

export class StatisticsService {
  private readonly d: Dialect;

  constructor(
    private readonly db: Db,
    provider: DbProvider,
    private readonly rule: WarningRule,
    /** where the figures' statements run (the database's reader: off the event loop on SQLite) */
    private readonly sql: RawReader = prismaReader(db),
  ) {
    this.d = dialectOf(provider);
  }

  private async scopeOf(p: Principal, req: ScopeRequest, causeOfAction: string | null) {
    const org = p.organizationId ? await this.db.organization.findUnique({ where: { id: p.organizationId }, select: { kind: true } }) : null;
    const decision = decideScope(p, viewerOf(p, org?.kind ?? null), req);
    if (!decision.ok) throw new ApiError(decision.status, "forbidden", decision.message);
    if (decision.courtId && req.courtId) {
      const court = await this.db.organization.findUnique({ where: { id: decision.courtId }, select: { kind: true } });
      if (court?.kind !== "court") throw new ApiError(404, "not_found", "court not found");
    }
    const scope: Scope = { courtId: decision.courtId, judgeId: decision.judgeId, causeOfAction };
    return { scope, contracts: decision.contracts };
  }

  async measures(p: Principal, query: MeasuresQuery) {
    const labels = labelsBetween(query.from, query.to, query.period);
    const range = { start: spanOf(query.from, query.period).start, end: spanOf(query.to, query.period).end };
    const { scope, contracts } = await this.scopeOf(p, query, query.causeOfAction ?? null);
    const [counts, breakdowns, toAcceptance, toClosing, service, evidence, contractsFigures] = await Promise.all([
      caseCounts(this.sql, this.d, scope, range, query.period),
      caseBreakdowns(this.sql, this.d, scope, range),
      filingToAcceptance(this.sql, this.d, scope, range),
      filingToClosing(this.sql, this.d, scope, range),
      serviceRates(this.sql, this.d, scope, range),
      evidenceFigures(this.sql, this.d, scope, range),
      contracts ? contractFigures(this.sql, this.d, range, query.period) : Promise.resolve(null),
    ]);
    return {
      scope: { ...scope, period: query.period, from: query.from, to: query.to, start: range.start.toISOString(), end: range.end.toISOString() },
      periods: labels,
      cases: { filed: fill(labels, counts.filed), accepted: fill(labels, counts.accepted), closed: fill(labels, counts.closed) },
      ...breakdowns,
      durations: { filingToAcceptance: toAcceptance, filingToClosing: toClosing },
      service,
      evidence,
      ...(contractsFigures ? { contracts: { ...contractsFigures, completed: fill(labels, contractsFigures.completed) } } : {}),
    };
  }

  async warnings(p: Principal, query: WarningsQuery) {
    const { scope } = await this.scopeOf(p, query, null);
    const rule: WarningRule = { ...this.rule, ...(query.alpha !== undefined ? { alpha: query.alpha } : {}), ...(query.minCount !== undefined ? { minCount: query.minCount } : {}) };
    return riskWarnings(this.sql, this.d, scope, query.period, query.latest, rule);
  }
}
