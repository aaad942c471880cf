// Who may do what with a case's service address confirmations (送达地址确认书): one explicit table in
// the style of server/cases/access.ts. routes.ts registers exactly ADDRESS_ROUTES and runs
// `decideAddresses` (through ServiceAddressesService.authorize) before any handler.
//
// Relations (what the signed-in user is to the case):
//   judge     a judge of the case: sees every party's confirmations and their documents
//   clerk     a filing clerk (立案庭) of the court the case is before (CourtCase.courtId): the same view
//   party     a member of a party of the case (its lawyers, members of its organisation): confirms its
//             own party's addresses; sees its own party's confirmations only (another party's
//             confirmation is hidden from it, 404, as an outsider's view of the case)
//   outsider  anyone else signed in, the platform administrator included: the case does not exist (404)
// Outcomes: allow; forbidden (403: knows the case, may not do this); hidden (404).
// State rules come after access: a closed case takes no new confirmation (409 case_closed).
//
// Two routes are outside the case table: the link mailed to a confirmed e-mail address (the link's
// token is the credential, as a signing link's is) and the text messages kept for lack of an SMS
// gateway (administrators, who run the platform's outboxes).

export const ADDRESS_RELATIONS = ["judge", "clerk", "party", "outsider"] as const;
export type AddressRelation = (typeof ADDRESS_RELATIONS)[number];
export type Outcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const ADDRESS_MATRIX = {
  // changes: refused with 409 case_closed once the case is closed
  "addresses.confirm":  { judge: F, clerk: F, party: A, outsider: H, changes: true },
  "addresses.list":     { judge: A, clerk: A, party: A, outsider: H, changes: false },
  "addresses.document": { judge: A, clerk: A, party: A, outsider: H, changes: false },
} as const satisfies Record<string, Record<AddressRelation, Outcome> & { changes: boolean }>;

export type AddressAction = keyof typeof ADDRESS_MATRIX;

export function decideAddresses(action: AddressAction, relation: AddressRelation): Outcome {
  return ADDRESS_MATRIX[action][relation];
}

/** Which parties' confirmations a reader sees: the court every party's, a party member its own. */
export function seesParty(relation: Exclude<AddressRelation, "outsider">, ownPartyId: string | null, partyId: string): boolean {
  return relation === "party" ? partyId === ownPartyId : true;
}

export interface AddressRouteSpec {
  method: "get" | "post";
  base: "/api/cases";
  path: string;
  action: AddressAction;
}

/** Every case-bound route of the room; the access walk test iterates these for every relation. */
export const ADDRESS_ROUTES: readonly AddressRouteSpec[] = [
  { method: "post", base: "/api/cases", path: "/:id/service-addresses", action: "addresses.confirm" },
  { method: "get", base: "/api/cases", path: "/:id/service-addresses", action: "addresses.list" },
  { method: "get", base: "/api/cases", path: "/:id/service-addresses/:cid/document", action: "addresses.document" },
];

/** The routes outside the case table, with who may use them. */
export const OUTSIDE_ROUTES = [
  // the token mailed to a confirmed address; no sign-in (the recipient may have no account)
  { method: "get", base: "/api/service-links", path: "/:token", who: "link holder" },
  { method: "get", base: "/api/text-messages", path: "/", who: "admin" },
] as const;
