// What an organisation is decides which roles its members may hold: a court holds judges and
// filing clerks and the mediators of its mediation centre, a mediation committee mediators, a law
// firm lawyers, an enterprise members. The platform administrator is no
// organisation's member.
import type { Role } from "../accounts/roles";

export const ORGANIZATION_KINDS = ["enterprise", "law_firm", "court", "mediation"] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const ROLES_OF_KIND: Record<OrganizationKind, readonly Role[]> = {
  enterprise: ["member"],
  law_firm: ["lawyer"],
  court: ["judge", "clerk", "mediator"],
  mediation: ["mediator"],
};

/** The role a new member gets when none is named. */
export const DEFAULT_ROLE: Record<OrganizationKind, Role> = { enterprise: "member", law_firm: "lawyer", court: "judge", mediation: "mediator" };

export const isKind = (k: string): k is OrganizationKind => (ORGANIZATION_KINDS as readonly string[]).includes(k);

export function mayHold(kind: string, role: Role): boolean {
  return isKind(kind) && ROLES_OF_KIND[kind].includes(role);
}
