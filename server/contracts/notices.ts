// The mail a contract's events cause, queued in the event's own transaction (so the event and its
// notice commit together): a signer's step is open (the signing link; for a person invited by
// e-mail who has no password yet, the account link first, landing on the signing page), the
// contract completed (to the sender and every signer, with the final digest), declined or voided
// (to the sender and everyone who had already signed). Reads go through the transaction too.
import type { Tx } from "../db/client";
import type { Invitations } from "../invitations/service";
import { enqueueMail, type MailInput } from "../notifications/outbox";
import type { SignerRow } from "./model";

interface ContractRef {
  id: string;
  title: string;
  senderId: string;
}

export interface OpenSeat {
  signer: SignerRow;
  invitationId: string;
  expiresAt: Date;
  /** whom this invitation was sent to: the person signer, or one authorised member of an organisation signer */
  userId: string;
}

/** An organisation signer's seal, for the mail asking a member to sign for it. */
export const forOrganization = (s: SignerRow) => (!s.userId && s.organization && s.sealKind ? { name: s.organization, sealKind: s.sealKind } : null);

/** Who took part as a signer: the person, or the member who signed for an organisation. */
const takingPart = (s: SignerRow): string[] => [s.userId ?? s.signedByUserId].filter((x): x is string => !!x);

const topic = (c: ContractRef) => `contract:${c.id}`;

async function people(tx: Tx, ids: string[]) {
  const rows = await tx.user.findMany({ where: { id: { in: [...new Set(ids)] } } });
  return new Map(rows.map((u) => [u.id, u]));
}

export class ContractNotices {
  constructor(private readonly invitations: Invitations) {}

  /** The seats' step is open: each signer is told, and their invitation marked notified. */
  async stepOpened(tx: Tx, c: ContractRef, seats: OpenSeat[], first: boolean, now: Date): Promise<void> {
    if (!seats.length) return;
    const users = await people(tx, [c.senderId, ...seats.map((s) => s.userId)]);
    const sender = users.get(c.senderId)?.name ?? "";
    const mails: MailInput[] = [];
    for (const seat of seats) {
      const u = users.get(seat.userId);
      if (!u || u.disabledAt) continue;
      if (u.status === "pending") {
        await this.invitations.mailAccountLink(tx, u, { id: c.senderId, name: sender }, { kind: "contract", title: c.title }, { kind: "sign", invitationId: seat.invitationId }, topic(c));
      } else {
        mails.push({
          template: "contract-your-turn",
          params: {
            name: seat.signer.userId ? seat.signer.name : u.name,
            title: c.title,
            sender,
            step: seat.signer.step,
            invitationId: seat.invitationId,
            expiresAt: seat.expiresAt.toISOString(),
            first,
            forOrganization: forOrganization(seat.signer),
          },
          to: u.email,
          recipientId: u.id,
          topic: topic(c),
        });
      }
    }
    await enqueueMail(tx, mails);
    await tx.contractInvitation.updateMany({ where: { id: { in: seats.map((s) => s.invitationId) } }, data: { notifiedAt: now } });
  }

  /**
   * An organisation signer's step opened and no member holds a live grant of the seal wanted: the
   * sender hears of it rather than the contract stalling silently.
   */
  async noAuthorisedMember(tx: Tx, c: ContractRef, signer: SignerRow, now: Date): Promise<void> {
    const sender = await tx.user.findUnique({ where: { id: c.senderId } });
    if (!sender || sender.disabledAt) return;
    await enqueueMail(tx, [
      {
        template: "contract-no-authorised-signer",
        params: { name: sender.name, title: c.title, contractId: c.id, organization: signer.organization ?? signer.name, sealKind: signer.sealKind ?? "", step: signer.step },
        to: sender.email,
        recipientId: sender.id,
        topic: topic(c),
        dedupeKey: `no-authorised-member:${signer.id}:${now.getTime()}`,
      },
    ]);
  }

  async completed(tx: Tx, c: ContractRef, signers: SignerRow[], sha256: string, now: Date): Promise<void> {
    const users = await people(tx, [c.senderId, ...signers.flatMap(takingPart)]);
    const mails: MailInput[] = [...users.values()]
      .filter((u) => !u.disabledAt)
      .map((u) => ({ template: "contract-completed", params: { name: u.name, title: c.title, contractId: c.id, sha256 }, to: u.email, recipientId: u.id, topic: topic(c) }));
    await enqueueMail(tx, mails);
  }

  /** Declined or voided: the sender (unless it was they who voided) and those who had signed. */
  async ended(tx: Tx, c: ContractRef, how: "declined" | "voided", byUserId: string, reason: string, signers: SignerRow[], now: Date): Promise<void> {
    const signed = signers.filter((s) => s.status === "signed").flatMap(takingPart);
    const users = await people(tx, [byUserId, c.senderId, ...signed]);
    const by = users.get(byUserId)?.name ?? "";
    const to = new Set([c.senderId, ...signed]);
    to.delete(byUserId);
    const mails: MailInput[] = [...to]
      .map((id) => users.get(id))
      .filter((u): u is NonNullable<typeof u> => !!u && !u.disabledAt && u.status === "active")
      .map((u) => ({
        template: how === "declined" ? "contract-declined" : "contract-voided",
        params: { name: u.name, title: c.title, by, reason },
        to: u.email,
        recipientId: u.id,
        topic: topic(c),
      }));
    await enqueueMail(tx, mails);
  }
}
