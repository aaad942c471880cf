/**
 * A user's one role. clerk: a court's filing clerk (立案庭), held by members of a court. mediator:
 * a mediator of a court's mediation centre or of a mediation committee (pre-litigation mediation).
 */
export const ROLES = ["admin", "member", "lawyer", "judge", "clerk", "mediator"] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  /** an administrator of their organisation (organizationId) */
  orgAdmin: boolean;
  tokenId: string;
}
