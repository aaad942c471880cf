// What one set of figures covers: a court (or every court, for the platform administrator), a
// cause of action, one judge's own cases; and the instants it spans. The SQL conditions for cases
// (alias c) and filings (alias f, with its accepted case as c) follow from it.
import type { Query } from "./query";

export interface Scope {
  /** null: every court */
  courtId: string | null;
  causeOfAction: string | null;
  /** a judge's own cases only */
  judgeId: string | null;
}

export interface Range {
  start: Date;
  end: Date;
}

/** Conditions on a case row `c`. */
export function caseConditions(q: Query, s: Scope): string {
  const parts = ["1 = 1"];
  if (s.courtId) parts.push(`c."courtId" = ${q.v(s.courtId)}`);
  if (s.causeOfAction) parts.push(`c."causeOfAction" = ${q.v(s.causeOfAction)}`);
  if (s.judgeId) parts.push(`EXISTS (SELECT 1 FROM "CaseJudge" cj WHERE cj."caseId" = c."id" AND cj."userId" = ${q.v(s.judgeId)})`);
  return parts.join(" AND ");
}

/**
 * Conditions on a filing row `f` left-joined to its case `c`. A filing has a cause of action and a
 * judge only once accepted, so those filters keep accepted filings only.
 */
export function filingConditions(q: Query, s: Scope): string {
  const parts = ["1 = 1"];
  if (s.courtId) parts.push(`f."courtId" = ${q.v(s.courtId)}`);
  if (s.causeOfAction) parts.push(`c."causeOfAction" = ${q.v(s.causeOfAction)}`);
  if (s.judgeId) parts.push(`EXISTS (SELECT 1 FROM "CaseJudge" cj WHERE cj."caseId" = c."id" AND cj."userId" = ${q.v(s.judgeId)})`);
  return parts.join(" AND ");
}

/** A share with what it is made of, so that a reader can check it (null when nothing to divide). */
export interface Share {
  count: number;
  of: number;
  share: number | null;
}

export const share = (count: number, of: number): Share => ({ count, of, share: of ? count / of : null });
