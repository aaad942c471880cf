// Who may do what with an online filing: one explicit table, enforced for every filing route by the
// route layer (routes.ts registers exactly the FILING_ROUTES below and decides before any handler).
//
// Relations (what the signed-in user is to one filing):
//   filer     the user who created it (a lawyer for a client, or an enterprise member)
//   filerOrg  an administrator of the organisation the filer filed from: may read, changes nothing
//   clerk     a filing clerk (立案庭) of the court the filing is addressed to
//   court     a judge of that court: may read what the court received, decides nothing
//   outsider  anyone else signed in, the platform administrator included (404)
// The court sees a filing only once it was submitted at least once: a draft never sent does not
// exist for the clerk or the judge (404, as for an outsider).
//
// Courts (PUT /api/courts/:id/case-number-format): only an administrator of that court
// organisation ("courtAdmin"); any other user is "other" (403: the court list is public to filers).
//
// State rules come after access: a change to a filing not in the right state is 409 (already_decided,
// not_editable, correction_expired).
import type { Role } from "../accounts/roles";

export const FILING_RELATIONS = ["filer", "filerOrg", "clerk", "court", "outsider"] as const;
export type FilingRelation = (typeof FILING_RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const FILING_MATRIX = {
  // A allow, F forbidden (403), H hidden (404)
  "filing.read":              { filer: A, filerOrg: A, clerk: A, court: A, outsider: H },
  // the files the reader sees listed (attachments, cited items, signed complaints): the clerk
  // reviews them without being a party to any case yet
  "filing.readDocument":      { filer: A, filerOrg: A, clerk: A, court: A, outsider: H },
  "filing.edit":              { filer: A, filerOrg: F, clerk: F, court: F, outsider: H },
  "filing.attach":            { filer: A, filerOrg: F, clerk: F, court: F, outsider: H },
  "filing.detach":            { filer: A, filerOrg: F, clerk: F, court: F, outsider: H },
  "filing.submit":            { filer: A, filerOrg: F, clerk: F, court: F, outsider: H },
  "filing.accept":            { filer: F, filerOrg: F, clerk: A, court: F, outsider: H },
  "filing.requestCorrection": { filer: F, filerOrg: F, clerk: A, court: F, outsider: H },
  "filing.reject":            { filer: F, filerOrg: F, clerk: A, court: F, outsider: H },
} as const satisfies Record<string, Record<FilingRelation, Outcome>>;

export type FilingAction = keyof typeof FILING_MATRIX;

export const COURT_RELATIONS = ["courtAdmin", "other"] as const;
export type CourtRelation = (typeof COURT_RELATIONS)[number];
export const COURT_MATRIX = {
  "court.setCaseNumberFormat": { courtAdmin: A, other: F },
} as const satisfies Record<string, Record<CourtRelation, Outcome>>;
export type CourtAction = keyof typeof COURT_MATRIX;

/** Actions bound to no filing: by role alone. */
export const FILING_ROLE_RULES = {
  "court.list": ["admin", "member", "lawyer", "judge", "clerk", "mediator"],
  "filing.create": ["lawyer", "member"],
  "filing.list": ["lawyer", "member"],
  "filing.queue": ["clerk"],
} as const satisfies Record<string, readonly Role[]>;
export type FilingGlobalAction = keyof typeof FILING_ROLE_RULES;

export type FilingRouteAction = FilingAction | CourtAction | FilingGlobalAction;

export const isFilingAction = (a: FilingRouteAction): a is FilingAction => a in FILING_MATRIX;
export const isCourtAction = (a: FilingRouteAction): a is CourtAction => a in COURT_MATRIX;

/** The outcome of a filing-bound action; `sentToCourt`: whether the court ever received the filing. */
export function decideFiling(action: FilingAction, relation: FilingRelation, sentToCourt = true): Outcome {
  if ((relation === "clerk" || relation === "court") && !sentToCourt) return "hidden";
  return FILING_MATRIX[action][relation];
}

export function decideCourt(action: CourtAction, relation: CourtRelation): Outcome {
  return COURT_MATRIX[action][relation];
}

export function decideFilingByRole(action: FilingGlobalAction, role: Role): Outcome {
  return (FILING_ROLE_RULES[action] as readonly Role[]).includes(role) ? "allow" : "forbidden";
}

/**
 * The expected outcome of any filing route for a caller described by the relation that applies to
 * the route's kind of action (a filing relation, a court relation, or a role): the table a route x
 * role walk checks against.
 */
export function expectedOutcome(action: FilingRouteAction, who: { relation?: FilingRelation; courtRelation?: CourtRelation; role: Role; sentToCourt?: boolean }): Outcome {
  if (isFilingAction(action)) return decideFiling(action, who.relation ?? "outsider", who.sentToCourt ?? true);
  if (isCourtAction(action)) return decideCourt(action, who.courtRelation ?? "other");
  return decideFilingByRole(action, who.role);
}

export interface FilingRouteSpec {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Mount point in the app. */
  base: "/api/filings" | "/api/courts";
  path: string;
  action: FilingRouteAction;
}

/** Every filing and court route; routes.ts registers exactly these, in this order (the queue before /:id). */
export const FILING_ROUTES: readonly FilingRouteSpec[] = [
  { method: "get", base: "/api/courts", path: "/", action: "court.list" },
  { method: "put", base: "/api/courts", path: "/:id/case-number-format", action: "court.setCaseNumberFormat" },
  { method: "post", base: "/api/filings", path: "/", action: "filing.create" },
  { method: "get", base: "/api/filings", path: "/", action: "filing.list" },
  { method: "get", base: "/api/filings", path: "/queue", action: "filing.queue" },
  { method: "get", base: "/api/filings", path: "/:id", action: "filing.read" },
  { method: "get", base: "/api/filings", path: "/:id/documents/:aid", action: "filing.readDocument" },
  { method: "patch", base: "/api/filings", path: "/:id", action: "filing.edit" },
  { method: "post", base: "/api/filings", path: "/:id/attachments", action: "filing.attach" },
  { method: "delete", base: "/api/filings", path: "/:id/attachments/:aid", action: "filing.detach" },
  { method: "post", base: "/api/filings", path: "/:id/submit", action: "filing.submit" },
  { method: "post", base: "/api/filings", path: "/:id/accept", action: "filing.accept" },
  { method: "post", base: "/api/filings", path: "/:id/corrections", action: "filing.requestCorrection" },
  { method: "post", base: "/api/filings", path: "/:id/reject", action: "filing.reject" },
];
