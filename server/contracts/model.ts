// The rows the contract services work with, the errors they answer with, and the deadline rule
// every reader applies (an unfinished contract past its expiry becomes expired).
import type { Db } from "../db/client";
import { ApiError } from "../http/errors";
import { withAuditRetry } from "../audit/service";
import { appendEvents, NO_REQUEST } from "./events";

export type ContractRow = NonNullable<Awaited<ReturnType<Db["contract"]["findUnique"]>>>;
export type SignerRow = NonNullable<Awaited<ReturnType<Db["contractSigner"]["findUnique"]>>>;
export type InvitationRow = NonNullable<Awaited<ReturnType<Db["contractInvitation"]["findUnique"]>>>;
export type Loaded = ContractRow & { signers: SignerRow[] };

export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const gone = (code: string, message: string) => new ApiError(410, code, message);
export const refused = (code: string, message: string) => new ApiError(403, code, message);

/** "in progress" for "in_progress" in messages. */
export const said = (status: string) => status.replace("_", " ");

/** Who a signer is, as the API and the webhook events show it. */
export function signerParty(s: SignerRow, names: ReadonlyMap<string, string>) {
  return {
    /** person, or organization: the organisation itself signs, through one of its authorised members */
    kind: s.userId ? ("person" as const) : ("organization" as const),
    userId: s.userId,
    name: s.name,
    organization: s.organization,
    organizationId: s.sealOrganizationId,
    sealKind: s.sealKind,
    role: s.role,
    /** who signed: the person, or the member who signed for the organisation */
    signedBy: s.signedByUserId ? { userId: s.signedByUserId, name: names.get(s.signedByUserId) ?? null } : null,
  };
}

export const bySeat = (a: { step: number; position: number }, b: { step: number; position: number }) => a.step - b.step || a.position - b.position;

export function loadContract(db: Db, id: string): Promise<Loaded | null> {
  return db.contract.findUnique({ where: { id }, include: { signers: true } });
}

/** An unfinished contract past its expiry becomes expired (recorded as done by the system, at the deadline). */
export async function applyExpiry(db: Db, c: Loaded, now: Date): Promise<Loaded> {
  if (c.status !== "in_progress" || !c.expiresAt || now <= c.expiresAt) return c;
  const at = c.expiresAt;
  await withAuditRetry(() =>
    db.$transaction(async (tx) => {
      const u = await tx.contract.updateMany({ where: { id: c.id, status: "in_progress" }, data: { status: "expired", endedAt: at } });
      if (u.count === 0) return;
      await appendEvents(tx, c.id, [
        { action: "expired", actorId: null, fromStatus: "in_progress", toStatus: "expired", documentSha256: c.currentSha256, meta: NO_REQUEST, at },
      ]);
    }),
  );
  return (await loadContract(db, c.id))!;
}
