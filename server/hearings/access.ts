// Who may do what with a case's hearings: one explicit table in the style of server/cases/access.ts.
// routes.ts is to register exactly HEARING_ROUTES and run `decideHearing` before any handler.
//
// Relations (what the signed-in user is to the hearing's case):
//   judge     a judge of the case: schedules, offers slots, reschedules, cancels, issues the summons
//   party     a member of a party of the case (its lawyers, members of its organisation): chooses a
//             slot, answers (confirm / ask to reschedule), reads and downloads the calendar file
//   outsider  anyone else signed in, the platform administrator included: the case's hearings do
//             not exist for them (404)
// Outcomes: allow; forbidden (403: knows the case, may not do this); hidden (404).
// State rules come after access: a closed case refuses every change (409 case_closed).

export const HEARING_RELATIONS = ["judge", "party", "outsider"] as const;
export type HearingRelation = (typeof HEARING_RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const HEARING_MATRIX = {
  // changes: refused with 409 case_closed once the case is closed
  "hearing.create":   { judge: A, party: F, outsider: H, changes: true },
  "hearing.list":     { judge: A, party: A, outsider: H, changes: false },
  "hearing.read":     { judge: A, party: A, outsider: H, changes: false },
  "hearing.choose":   { judge: F, party: A, outsider: H, changes: true },
  "hearing.respond":  { judge: F, party: A, outsider: H, changes: true },
  "hearing.reschedule": { judge: A, party: F, outsider: H, changes: true },
  "hearing.cancel":   { judge: A, party: F, outsider: H, changes: true },
  "hearing.calendar": { judge: A, party: A, outsider: H, changes: false },
  "hearing.summons":  { judge: A, party: F, outsider: H, changes: true },
} as const satisfies Record<string, Record<HearingRelation, Outcome> & { changes: boolean }>;

export type HearingAction = keyof typeof HEARING_MATRIX;

export function decideHearing(action: HearingAction, relation: HearingRelation): Outcome {
  return HEARING_MATRIX[action][relation];
}

export interface HearingRouteSpec {
  method: "get" | "post";
  base: "/api/cases";
  path: string;
  action: HearingAction;
}

/** Every hearing route; the access walk test iterates these for every relation. */
export const HEARING_ROUTES: readonly HearingRouteSpec[] = [
  { method: "post", base: "/api/cases", path: "/:id/hearings", action: "hearing.create" },
  { method: "get", base: "/api/cases", path: "/:id/hearings", action: "hearing.list" },
  { method: "get", base: "/api/cases", path: "/:id/hearings/:hid", action: "hearing.read" },
  { method: "post", base: "/api/cases", path: "/:id/hearings/:hid/slots/:slotId/choose", action: "hearing.choose" },
  { method: "post", base: "/api/cases", path: "/:id/hearings/:hid/responses", action: "hearing.respond" },
  { method: "post", base: "/api/cases", path: "/:id/hearings/:hid/reschedule", action: "hearing.reschedule" },
  { method: "post", base: "/api/cases", path: "/:id/hearings/:hid/cancel", action: "hearing.cancel" },
  { method: "get", base: "/api/cases", path: "/:id/hearings/:hid/calendar.ics", action: "hearing.calendar" },
  { method: "post", base: "/api/cases", path: "/:id/hearings/:hid/summons", action: "hearing.summons" },
];

/**
 * GET /api/hearings: the signed-in user's own calendar across cases (hearings of cases they judge or
 * act for a party in). Bound to no case: every signed-in user may ask, and sees only their own.
 */
export const HEARING_CALENDAR_ROUTE = { method: "get", base: "/api/hearings", path: "/" } as const;
