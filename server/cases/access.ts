// Who may do what in a case: one explicit table, enforced for every case route by the route layer
// (routes.ts registers exactly the ROUTES below and runs `decide` before any handler).
//
// Relations (what the signed-in user is to the case, or to one submission of it):
//   judge     a judge of this case (the one who opened it, or one a judge of the case added)
//   party     a member of the party the thing belongs to: its lawyers, or members of the party's
//             organisation. For case-level things (the case, its lists) every party member is "party".
//   opposing  a member of another party of the same case; arises only for things that belong to one
//             party (a submission). An opposing party sees a submission only once it is finalised:
//             a draft is hidden from them exactly as from an outsider (see `decide`).
//   outsider  anyone signed in who is none of the above: an unrelated lawyer or member, a judge not
//             on this case, and the platform administrator.
// Anonymous requests never get here: every case and inbox route requires a bearer token (401).
//
// The platform administrator: a user has exactly one role, and only users with the role judge can
// be judges of a case, so an administrator is never a judge of a case and has no access to any
// case's contents (404, as for any outsider) and cannot open cases (403). Administrators keep what
// the platform gives them elsewhere: the audit log (which names case actions by id) and accounts.
//
// Outcomes: allow; forbidden (403: the user knows the case exists but may not do this); hidden
// (404: the user may not know the thing exists). State rules come after access: a closed case
// refuses every change (409 case_closed), a finalised submission refuses edits (409 finalised).
import type { Role } from "../accounts/roles";

export const RELATIONS = ["judge", "party", "opposing", "outsider"] as const;
export type Relation = (typeof RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

/** What a case-bound action applies to: the case (or one of its parties), or one submission. */
export type Scope = "case" | "party" | "submission";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

/**
 * The matrix for actions on a case or a submission in it. `opposing` is only ever the relation for
 * submission-scoped actions; for case-scoped ones its column repeats `party` (never consulted).
 */
export const MATRIX = {
  // A allow, F forbidden (403), H hidden (404); scope: what the action applies to; changes: refused (409) once the case is closed
  "case.read":              { judge: A, party: A, opposing: A, outsider: H, scope: "case", changes: false },
  "case.addJudge":          { judge: A, party: F, opposing: F, outsider: H, scope: "case", changes: true },
  "case.addPartyMember":    { judge: A, party: F, opposing: F, outsider: H, scope: "party", changes: true },
  "case.close":             { judge: A, party: F, opposing: F, outsider: H, scope: "case", changes: true },
  "evidence.submit":        { judge: F, party: A, opposing: A, outsider: H, scope: "case", changes: true },
  "evidence.list":          { judge: A, party: A, opposing: A, outsider: H, scope: "case", changes: false },
  "evidence.read":          { judge: A, party: A, opposing: A, outsider: H, scope: "submission", changes: false },
  "evidence.content":       { judge: A, party: A, opposing: A, outsider: H, scope: "submission", changes: false },
  "evidence.verify":        { judge: A, party: A, opposing: A, outsider: H, scope: "submission", changes: false },
  "evidence.certificate":   { judge: A, party: A, opposing: A, outsider: H, scope: "submission", changes: false },
  "submission.edit":        { judge: F, party: A, opposing: F, outsider: H, scope: "submission", changes: true },
  "submission.withdraw":    { judge: F, party: A, opposing: F, outsider: H, scope: "submission", changes: true },
  "submission.finalise":    { judge: F, party: A, opposing: F, outsider: H, scope: "submission", changes: true },
  "evidence.opinion":       { judge: F, party: F, opposing: A, outsider: H, scope: "submission", changes: true },
  "service.serve":          { judge: A, party: F, opposing: F, outsider: H, scope: "case", changes: true },
  "service.list":           { judge: A, party: F, opposing: F, outsider: H, scope: "case", changes: false },
} as const satisfies Record<string, Record<Relation, Outcome> & { scope: Scope; changes: boolean }>;

export type CaseAction = keyof typeof MATRIX;

/**
 * Actions bound to no case: by role alone. `inbox.open` is allowed to the delivery's recipient
 * only; for anyone else (the serving judge included: a receipt must be the recipient's) the
 * delivery is hidden.
 */
export const ROLE_RULES = {
  "case.open": ["judge"],
  "case.list": ["admin", "member", "lawyer", "judge", "clerk", "mediator"],
  "inbox.list": ["admin", "member", "lawyer", "judge", "clerk", "mediator"],
  "inbox.open": ["admin", "member", "lawyer", "judge", "clerk", "mediator"],
} as const satisfies Record<string, readonly Role[]>;

export type GlobalAction = keyof typeof ROLE_RULES;
export type Action = CaseAction | GlobalAction;

/** The outcome of a case-bound action; `finalised` is the submission's state for submission-scoped ones. */
export function decide(action: CaseAction, relation: Relation, finalised = true): Outcome {
  // The opposing party sees only finalised submissions: a draft does not exist for them.
  if (relation === "opposing" && !finalised) return "hidden";
  return MATRIX[action][relation];
}

export function decideByRole(action: GlobalAction, role: Role): Outcome {
  return (ROLE_RULES[action] as readonly Role[]).includes(role) ? "allow" : "forbidden";
}

export interface RouteSpec {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Mount point in the app. */
  base: "/api/cases" | "/api/inbox";
  path: string;
  action: Action;
}

/** Every case and inbox route. routes.ts registers exactly these; the API test walks each for every role. */
export const ROUTES: readonly RouteSpec[] = [
  { method: "post", base: "/api/cases", path: "/", action: "case.open" },
  { method: "get", base: "/api/cases", path: "/", action: "case.list" },
  { method: "get", base: "/api/cases", path: "/:id", action: "case.read" },
  { method: "post", base: "/api/cases", path: "/:id/judges", action: "case.addJudge" },
  { method: "post", base: "/api/cases", path: "/:id/parties/:partyId/lawyers", action: "case.addPartyMember" },
  { method: "post", base: "/api/cases", path: "/:id/close", action: "case.close" },
  { method: "post", base: "/api/cases", path: "/:id/submissions", action: "evidence.submit" },
  { method: "patch", base: "/api/cases", path: "/:id/submissions/:sid", action: "submission.edit" },
  { method: "delete", base: "/api/cases", path: "/:id/submissions/:sid", action: "submission.withdraw" },
  { method: "post", base: "/api/cases", path: "/:id/submissions/:sid/finalise", action: "submission.finalise" },
  { method: "get", base: "/api/cases", path: "/:id/evidence", action: "evidence.list" },
  { method: "get", base: "/api/cases", path: "/:id/evidence/:sid", action: "evidence.read" },
  { method: "get", base: "/api/cases", path: "/:id/evidence/:sid/content", action: "evidence.content" },
  { method: "get", base: "/api/cases", path: "/:id/evidence/:sid/verification", action: "evidence.verify" },
  { method: "get", base: "/api/cases", path: "/:id/evidence/:sid/certificate", action: "evidence.certificate" },
  { method: "put", base: "/api/cases", path: "/:id/evidence/:sid/opinion", action: "evidence.opinion" },
  { method: "post", base: "/api/cases", path: "/:id/services", action: "service.serve" },
  { method: "get", base: "/api/cases", path: "/:id/services", action: "service.list" },
  { method: "get", base: "/api/inbox", path: "/", action: "inbox.list" },
  { method: "get", base: "/api/inbox", path: "/:id/document", action: "inbox.open" },
];

export const isCaseAction = (a: Action): a is CaseAction => a in MATRIX;
