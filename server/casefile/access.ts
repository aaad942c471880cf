// Who may see and export a case's electronic file: one explicit table, enforced for every case
// file route by the route layer (routes.ts registers exactly CASEFILE_ROUTES and decides first).
//
// Relations (what the signed-in user is to the case):
//   judge     a judge of this case
//   clerk     a filing clerk (立案庭) of the court the case is before (CourtCase.courtId)
//   party     a member of one of the case's parties (its lawyers, members of its organisation)
//   outsider  anyone else signed in: another judge, another court's clerk, the platform administrator
// Outsiders learn nothing (404). Parties read the file in the part they may see (ENTRY_VISIBILITY)
// but may not export it or read its exports (403): an export holds every entry, drafts included.
import type { Visibility } from "./entry";

export const RELATIONS = ["judge", "clerk", "party", "outsider"] as const;
export type Relation = (typeof RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const MATRIX = {
  // A allow, F forbidden (403), H hidden (404)
  "file.read":          { judge: A, clerk: A, party: A, outsider: H },
  "file.export":        { judge: A, clerk: F, party: F, outsider: H },
  "file.exports.list":  { judge: A, clerk: A, party: F, outsider: H },
  "file.exports.read":  { judge: A, clerk: A, party: F, outsider: H },
} as const satisfies Record<string, Record<Relation, Outcome>>;

export type CaseFileAction = keyof typeof MATRIX;

export function decide(action: CaseFileAction, relation: Relation): Outcome {
  return MATRIX[action][relation];
}

/**
 * Which entries a reader sees in the file, by the entry's visibility rule and what the reader is to
 * it: `own` when the entry's party is the reader's own, `other` when it is another party's. Judges
 * and the court's clerks see every entry.
 */
export const ENTRY_VISIBILITY = {
  // the reader is:          judge, clerk,  party: own / other
  case:              { judge: true, clerk: true, own: true, other: true },
  "own-submission":  { judge: true, clerk: true, own: true, other: false },
  "served-on":       { judge: true, clerk: true, own: true, other: false },
  "own-record":      { judge: true, clerk: true, own: true, other: false },
} as const satisfies Record<Visibility["rule"], { judge: boolean; clerk: boolean; own: boolean; other: boolean }>;

export function sees(relation: Exclude<Relation, "outsider">, ownPartyId: string | null, v: Visibility): boolean {
  const row = ENTRY_VISIBILITY[v.rule];
  if (relation !== "party") return row[relation];
  if (v.rule === "case") return row.other;
  return v.partyId === ownPartyId ? row.own : row.other;
}

export interface CaseFileRouteSpec {
  method: "get" | "post";
  /** mount point in the app (a router with mergeParams: :id is the case) */
  base: "/api/cases/:id/file";
  path: string;
  action: CaseFileAction;
}

/** Every case file route. routes.ts registers exactly these; the test walks them for every relation. */
export const CASEFILE_ROUTES: readonly CaseFileRouteSpec[] = [
  { method: "get", base: "/api/cases/:id/file", path: "/", action: "file.read" },
  { method: "post", base: "/api/cases/:id/file", path: "/exports", action: "file.export" },
  { method: "get", base: "/api/cases/:id/file", path: "/exports", action: "file.exports.list" },
  { method: "get", base: "/api/cases/:id/file", path: "/exports/:version", action: "file.exports.read" },
];
