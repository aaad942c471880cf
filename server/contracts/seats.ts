// Whom a signer's invitations go to. A person signer: that person. An organisation named as the
// signer: each member holding a live grant of a live seal of the kind wanted, at the moment the
// invitations are issued (the step opens, or the sender reissues them); whether the member still
// holds it is asked again when they sign.
import type { Tx } from "../db/client";
import { authorisedMembers } from "../seals/queries";
import type { SignerRow } from "./model";

export async function recipientsOf(tx: Pick<Tx, "sealGrant" | "user">, s: SignerRow): Promise<string[]> {
  if (s.userId) return [s.userId];
  if (!s.sealOrganizationId || !s.sealKind) return [];
  return (await authorisedMembers(tx, s.sealOrganizationId, s.sealKind)).map((u) => u.id);
}
