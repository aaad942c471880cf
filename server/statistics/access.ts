// Who sees which figures: one explicit table in the style of server/cases/access.ts. Figures are of
// courts' work; nobody outside a court sees them (small counts would name parties' cases).
//
//   admin          every court, or one (courtId); contract signing figures too
//   court member   a judge, clerk or mediator of a court organisation: that court only (another 403);
//                  a judge may narrow to their own cases (mine)
//   lone judge     a judge of no court organisation: their own cases only
//   anyone else    403
import type { Principal } from "../accounts/roles";

export const STATISTICS_ACTIONS = ["statistics.measures", "statistics.warnings"] as const;
export type StatisticsAction = (typeof STATISTICS_ACTIONS)[number];

export type Viewer = "admin" | "court-judge" | "court-staff" | "lone-judge" | "other";

export interface ScopeRequest {
  courtId?: string;
  mine?: boolean;
}

export type ScopeDecision =
  | { ok: true; courtId: string | null; judgeId: string | null; contracts: boolean }
  | { ok: false; status: 403; message: string };

/** What the viewer is, from their role and the kind of their organisation. */
export function viewerOf(p: Principal, organizationKind: string | null): Viewer {
  if (p.role === "admin") return "admin";
  if (organizationKind === "court" && p.organizationId) {
    if (p.role === "judge") return "court-judge";
    if (p.role === "clerk" || p.role === "mediator") return "court-staff";
  }
  if (p.role === "judge") return "lone-judge";
  return "other";
}

export const STATISTICS_MATRIX: Record<Viewer, { sees: "any-court" | "own-court" | "own-cases" | "nothing"; mayNarrowToOwnCases: boolean; contracts: boolean }> = {
  admin: { sees: "any-court", mayNarrowToOwnCases: false, contracts: true },
  "court-judge": { sees: "own-court", mayNarrowToOwnCases: true, contracts: false },
  "court-staff": { sees: "own-court", mayNarrowToOwnCases: false, contracts: false },
  "lone-judge": { sees: "own-cases", mayNarrowToOwnCases: true, contracts: false },
  other: { sees: "nothing", mayNarrowToOwnCases: false, contracts: false },
};

export function decideScope(p: Principal, viewer: Viewer, req: ScopeRequest): ScopeDecision {
  const rule = STATISTICS_MATRIX[viewer];
  if (rule.sees === "nothing") return { ok: false, status: 403, message: "court figures are for the court's judges, clerks and mediators, and the platform administrator" };
  if (req.mine && !rule.mayNarrowToOwnCases) return { ok: false, status: 403, message: "only a judge has cases of their own to narrow the figures to" };
  if (rule.sees === "own-court" && req.courtId && req.courtId !== p.organizationId) return { ok: false, status: 403, message: "the figures of another court are not yours to see" };
  if (rule.sees === "own-cases" && req.courtId) return { ok: false, status: 403, message: "a judge of no court sees the figures of their own cases only" };
  const courtId = rule.sees === "any-court" ? (req.courtId ?? null) : rule.sees === "own-court" ? p.organizationId : null;
  const judgeId = rule.sees === "own-cases" || req.mine ? p.userId : null;
  return { ok: true, courtId, judgeId, contracts: rule.contracts };
}
