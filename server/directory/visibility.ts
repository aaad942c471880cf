// Whom a signed-in user may find in the directory. Courts pick parties, lawyers and judges from
// everyone, so the platform administrator, judges and clerks see every account; anyone else sees
// the people of their own organisation only (an unknown address typed in becomes an invitation,
// which says nothing about whether it has an account). Organisations are public registry entries
// (name, kind, unified social credit code): everyone signed in may find them.
import type { Principal } from "../accounts/roles";

export type PeopleScope = { all: true } | { all: false; organizationId: string | null };

export function peopleScope(p: Principal): PeopleScope {
  if (p.role === "admin" || p.role === "judge" || p.role === "clerk" || p.role === "mediator") return { all: true };
  return { all: false, organizationId: p.organizationId };
}
