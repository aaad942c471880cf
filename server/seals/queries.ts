// The one question signing asks of seals, read at the moment of signing (so a revocation or a
// retirement stops the very next signature): which live seal of this kind of the organisation does
// this person hold a live grant for?
import type { Db, Tx } from "../db/client";

export async function authorisedSeal(db: Db, organizationId: string, kind: string, userId: string) {
  const grant = await db.sealGrant.findFirst({
    where: { userId, revokedAt: null, seal: { organizationId, kind, retiredAt: null } },
    include: { seal: { include: { organization: true } } },
    orderBy: { grantedAt: "asc" },
  });
  return grant ? grant.seal : null;
}

/**
 * The members who may sign for an organisation with a seal of this kind now: active accounts of
 * the organisation holding a live grant of a live seal of that kind (an organisation named as a
 * contract's signer: each of them is invited, the first to sign signs for it).
 */
export async function authorisedMembers(db: Pick<Tx, "sealGrant" | "user">, organizationId: string, kind: string): Promise<{ id: string; name: string; email: string; status: string }[]> {
  const grants = await db.sealGrant.findMany({ where: { revokedAt: null, seal: { organizationId, kind, retiredAt: null } }, select: { userId: true } });
  if (!grants.length) return [];
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(grants.map((g) => g.userId))] }, organizationId, disabledAt: null, status: "active" },
    select: { id: true, name: true, email: true, status: true },
    orderBy: { id: "asc" },
  });
  return users;
}
