// Who may do what with an organisation: one explicit table, enforced for every organisation route
// by the route layer (routes.ts registers exactly ORGANIZATION_ROUTES and decides before any handler).
//
// Relations of the signed-in user to the organisation in the path:
//   platformAdmin  the platform's administrator (role admin): every organisation
//   orgAdmin       an administrator of this organisation
//   member         any other member of this organisation
//   outsider       anyone else: another organisation's administrator included. An outsider may not
//                  learn that the organisation exists (404), so administrators cannot reach other
//                  organisations.
// Roles an organisation may hold are organization-kinds.ts's; granting another is 403 role_not_allowed.
export const ORG_RELATIONS = ["platformAdmin", "orgAdmin", "member", "outsider"] as const;
export type OrgRelation = (typeof ORG_RELATIONS)[number];
export type OrgOutcome = "allow" | "forbidden" | "hidden";

const A = "allow" as const;
const F = "forbidden" as const;
const H = "hidden" as const;

export const ORG_MATRIX = {
  "organization.read":         { platformAdmin: A, orgAdmin: A, member: A, outsider: H },
  "members.list":              { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "members.invite":            { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "members.update":            { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "members.remove":            { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "members.resendInvitation":  { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "contracts.list":            { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "certificates.list":         { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  // Webhooks (server/webhooks/access.ts lists their routes): the organisation's administrators
  // manage them; the platform's administrator may look (deliveries included), not act for it.
  "webhooks.read":             { platformAdmin: A, orgAdmin: A, member: F, outsider: H },
  "webhooks.manage":           { platformAdmin: F, orgAdmin: A, member: F, outsider: H },
  // Seals (server/seals/routes.ts): the organisation's own administrators make and entrust them;
  // the platform's administrator sees them but does not apply or hand out another's seal.
  "seals.list":                { platformAdmin: A, orgAdmin: A, member: A, outsider: H },
  "seals.read":                { platformAdmin: A, orgAdmin: A, member: A, outsider: H },
  "seals.create":              { platformAdmin: F, orgAdmin: A, member: F, outsider: H },
  "seals.grant":               { platformAdmin: F, orgAdmin: A, member: F, outsider: H },
  "seals.revoke":              { platformAdmin: F, orgAdmin: A, member: F, outsider: H },
  "seals.retire":              { platformAdmin: F, orgAdmin: A, member: F, outsider: H },
} as const satisfies Record<string, Record<OrgRelation, OrgOutcome>>;

export type OrgAction = keyof typeof ORG_MATRIX;

export interface OrgRouteSpec {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  /** null: not about one organisation (creating one: platform administrator only; listing: by relation) */
  action: Exclude<OrgAction, "webhooks.read" | "webhooks.manage" | `seals.${string}`> | "organization.create" | "organization.list";
}

/** Every route under /api/organizations (but its webhooks: webhooks/access.ts). The access test walks each for every kind of user. */
export const ORGANIZATION_ROUTES: readonly OrgRouteSpec[] = [
  { method: "post", path: "/", action: "organization.create" },
  { method: "get", path: "/", action: "organization.list" },
  { method: "get", path: "/:id", action: "organization.read" },
  { method: "get", path: "/:id/members", action: "members.list" },
  { method: "post", path: "/:id/members", action: "members.invite" },
  { method: "patch", path: "/:id/members/:userId", action: "members.update" },
  { method: "delete", path: "/:id/members/:userId", action: "members.remove" },
  { method: "post", path: "/:id/members/:userId/invitation", action: "members.resendInvitation" },
  { method: "get", path: "/:id/contracts", action: "contracts.list" },
  { method: "get", path: "/:id/certificates", action: "certificates.list" },
];

export function relationTo(p: { role: string; organizationId: string | null; orgAdmin: boolean }, organizationId: string): OrgRelation {
  if (p.role === "admin") return "platformAdmin";
  if (p.organizationId !== organizationId) return "outsider";
  return p.orgAdmin ? "orgAdmin" : "member";
}

export const decideOrg = (action: OrgAction, relation: OrgRelation): OrgOutcome => ORG_MATRIX[action][relation];
