export const ROLES = ["admin", "member", "lawyer", "judge"] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  organizationId: string | null;
  tokenId: string;
}
