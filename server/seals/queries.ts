// The one question signing asks of seals, read at the moment of signing (so a revocation or a
// retirement stops the very next signature): which live seal of this kind of the organisation does
// this person hold a live grant for?
import type { Db } from "../db/client";

export async function authorisedSeal(db: Db, organizationId: string, kind: string, userId: string) {
  const grant = await db.sealGrant.findFirst({
    where: { userId, revokedAt: null, seal: { organizationId, kind, retiredAt: null } },
    include: { seal: { include: { organization: true } } },
    orderBy: { grantedAt: "asc" },
  });
  return grant ? grant.seal : null;
}
