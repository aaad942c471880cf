// Who may do what in a pre-litigation mediation (诉前调解): one explicit table, enforced for every
// mediation route by the route layer (routes.ts registers exactly the MEDIATION_ROUTES below and
// decides before any handler).
//
// Relations (what the signed-in user is to one mediation, or to the filing it is about):
//   filer     the user who created the filing
//   clerk     a filing clerk (立案庭) of the court the filing is addressed to
//   mediator  the mediator assigned to the mediation (a mediator of the court's mediation centre or
//             of a mediation committee); a mediator not assigned is an outsider
//   judge     a judge of that court: reads, and confirms an agreement (司法确认)
//   outsider  anyone else signed in, the platform administrator included (404)
// Opening a mediation is bound to the filing (POST /api/mediations/by-filing/:id): the filer asks
// for it, the clerk proposes it; the court sees a filing only once it was submitted (404 before).
//
// State rules come after access: a change to a mediation not in the right state is 409.
import type { Role } from "../accounts/roles";

export const MEDIATION_RELATIONS = ["filer", "clerk", "mediator", "judge", "outsider"] as const;
export type MediationRelation = (typeof MEDIATION_RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const MEDIATION_MATRIX = {
  // A allow, F forbidden (403), H hidden (404)
  "mediation.open":          { filer: A, clerk: A, mediator: F, judge: F, outsider: H },
  "mediation.read":          { filer: A, clerk: A, mediator: A, judge: A, outsider: H },
  "mediation.accept":        { filer: A, clerk: F, mediator: F, judge: F, outsider: H },
  "mediation.decline":       { filer: A, clerk: F, mediator: F, judge: F, outsider: H },
  "mediation.assign":        { filer: F, clerk: A, mediator: F, judge: F, outsider: H },
  "mediation.messages":      { filer: A, clerk: A, mediator: A, judge: F, outsider: H },
  "mediation.post":          { filer: A, clerk: A, mediator: A, judge: F, outsider: H },
  "mediation.draftAgreement": { filer: F, clerk: F, mediator: A, judge: F, outsider: H },
  "mediation.confirm":       { filer: F, clerk: F, mediator: F, judge: A, outsider: H },
  "mediation.order":         { filer: A, clerk: A, mediator: A, judge: A, outsider: H },
  "mediation.fail":          { filer: F, clerk: A, mediator: A, judge: F, outsider: H },
} as const satisfies Record<string, Record<MediationRelation, Outcome>>;

export type MediationAction = keyof typeof MEDIATION_MATRIX;

/** Actions bound to no mediation: by role alone. */
export const MEDIATION_ROLE_RULES = {
  "mediation.list": ["member", "lawyer", "judge", "clerk", "mediator"],
} as const satisfies Record<string, readonly Role[]>;
export type MediationGlobalAction = keyof typeof MEDIATION_ROLE_RULES;

export type MediationRouteAction = MediationAction | MediationGlobalAction;

export const isMediationAction = (a: MediationRouteAction): a is MediationAction => a in MEDIATION_MATRIX;

/** The outcome of a mediation-bound action; `sentToCourt`: whether the court ever received the filing. */
export function decideMediation(action: MediationAction, relation: MediationRelation, sentToCourt = true): Outcome {
  if ((relation === "clerk" || relation === "judge") && !sentToCourt) return "hidden";
  return MEDIATION_MATRIX[action][relation];
}

export function decideMediationByRole(action: MediationGlobalAction, role: Role): Outcome {
  return (MEDIATION_ROLE_RULES[action] as readonly Role[]).includes(role) ? "allow" : "forbidden";
}

/** The expected outcome of any mediation route for a caller: the table a route x caller walk checks against. */
export function expectedOutcome(action: MediationRouteAction, who: { relation?: MediationRelation; role: Role; sentToCourt?: boolean }): Outcome {
  if (isMediationAction(action)) return decideMediation(action, who.relation ?? "outsider", who.sentToCourt ?? true);
  return decideMediationByRole(action, who.role);
}

export interface MediationRouteSpec {
  method: "get" | "post";
  base: "/api/mediations";
  path: string;
  action: MediationRouteAction;
  /** the :id names the filing (opening), not the mediation */
  byFiling?: true;
}

/** Every mediation route; routes.ts registers exactly these, in this order. */
export const MEDIATION_ROUTES: readonly MediationRouteSpec[] = [
  { method: "get", base: "/api/mediations", path: "/", action: "mediation.list" },
  { method: "post", base: "/api/mediations", path: "/by-filing/:id", action: "mediation.open", byFiling: true },
  { method: "get", base: "/api/mediations", path: "/:id", action: "mediation.read" },
  { method: "post", base: "/api/mediations", path: "/:id/accept", action: "mediation.accept" },
  { method: "post", base: "/api/mediations", path: "/:id/decline", action: "mediation.decline" },
  { method: "post", base: "/api/mediations", path: "/:id/mediator", action: "mediation.assign" },
  { method: "get", base: "/api/mediations", path: "/:id/messages", action: "mediation.messages" },
  { method: "post", base: "/api/mediations", path: "/:id/messages", action: "mediation.post" },
  { method: "post", base: "/api/mediations", path: "/:id/agreement", action: "mediation.draftAgreement" },
  { method: "post", base: "/api/mediations", path: "/:id/confirmation", action: "mediation.confirm" },
  { method: "get", base: "/api/mediations", path: "/:id/confirmation", action: "mediation.order" },
  { method: "post", base: "/api/mediations", path: "/:id/fail", action: "mediation.fail" },
];
