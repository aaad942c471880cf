// The signer's side, everything through the invitation link: resolving it (bound to its signer,
// single-use, expiring), opening it, reading the document, signing after the one-time code, and
// declining. A signature is made on the revision the contract stands at and written only if no
// other signature landed meanwhile; otherwise it is made again on the new revision.
import { CROSS_PAGE_SEAL_SIZE } from "../seals/kinds";
import { authorisedSeal } from "../seals/queries";
import type { SealKind } from "../seals/kinds";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { AccountService } from "../accounts/service";
import type { IdentityService } from "../identity/service";
import { withAuditRetry } from "../audit/service";
import { ApiError, forbidden, notFound } from "../http/errors";
import { appendEvents, NO_REQUEST, type ContractEventInput, type RequestMeta } from "./events";
import { signingBlocked } from "./flow";
import { applyExpiry, conflict, gone, loadContract, refused, said, type InvitationRow, type Loaded, type SignerRow } from "./model";
import type { SignatureBox } from "./render";
import { fieldNameOf, signContract, stampLines } from "./signing";
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS, codeMatches, hashCode, hashInvitationToken, isInvitationToken } from "./tokens";
import type { ContractDocuments } from "./documents";
import type { KeyedLock } from "./locks";
import type { LinkSecrets } from "../core/link-token";
import { enqueueMail } from "../notifications/outbox";
import { openStep } from "./flow";
import type { ContractNotices } from "./notices";
import type { ContractFields, FillInput, PreparedFill } from "./fields";
import { recipientsOf } from "./seats";

/** A signer asks for a new code at most this often (each one is a mail). */
export const CODE_RESEND_MS = 60_000;

/** a***@example.com: enough to recognise one's own address, not to harvest it. */
export function maskAddress(email: string): string {
  const at = email.lastIndexOf("@");
  return at <= 0 ? "***" : `${email[0]}***${email.slice(at)}`;
}

const signedByAnother = () => gone("signed_by_another_member", "another member has already signed for the organisation: this invitation is closed");

/** A retry of the signing transaction: a parallel signer's signature landed first. */
class StaleRevision extends Error {}

export interface SignerSideDeps {
  db: Db;
  accounts: AccountService;
  identity: IdentityService;
  documents: ContractDocuments;
  now: () => Date;
  lock: KeyedLock;
  secrets: LinkSecrets;
  notices: ContractNotices;
  fields: ContractFields;
  /** hours a new invitation link stays valid (never beyond the contract's expiry) */
  invitationTtlHours: number;
}

export class SignerSide {
  constructor(private readonly d: SignerSideDeps) {}

  /**
   * The invitation behind a link, checked in this order: a token we issued (404), bound to the
   * signer logged in (403, the sender included), still valid (410: replaced, used, expired), on a
   * contract still open (410).
   */
  private async resolve(p: Principal, token: string): Promise<{ invitation: InvitationRow; signer: SignerRow; contract: Loaded }> {
    const { db } = this.d;
    if (!isInvitationToken(token)) throw notFound("invitation");
    const invitation = await db.contractInvitation.findUnique({ where: { tokenHash: hashInvitationToken(token) } });
    if (!invitation) throw notFound("invitation");
    const signer = (await db.contractSigner.findUnique({ where: { id: invitation.signerId } }))!;
    let contract = (await loadContract(db, signer.contractId))!;
    // bound to the person it was sent to: the signer, or one member of an organisation signer
    if ((invitation.userId ?? signer.userId) !== p.userId) {
      throw forbidden(
        p.userId === contract.senderId
          ? "this invitation belongs to a signer: the sender cannot use it"
          : "this invitation belongs to another person: log in as the signer it was sent to",
      );
    }
    contract = await applyExpiry(db, contract, this.d.now());
    // an organisation signer is signed once, by the first of its members: the others' links close
    if (!signer.userId && signer.status === "signed" && signer.signedByUserId !== p.userId) throw signedByAnother();
    if (invitation.revokedAt) throw gone("invitation_revoked", "this invitation was replaced by a newer one");
    if (invitation.usedAt) throw gone("invitation_used", "this invitation has been used");
    if (this.d.now() > invitation.expiresAt) throw gone("invitation_expired", "this invitation has expired: ask the sender for a new one");
    if (contract.status !== "in_progress") throw gone(`contract_${contract.status}`, `the contract is ${said(contract.status)}`);
    return { invitation, signer, contract };
  }

  /** What the link shows: the contract, the signer's seat, whether it is their turn; the first opening is recorded. */
  async open(p: Principal, token: string, meta: RequestMeta) {
    const { db, now } = this.d;
    const { invitation, signer, contract } = await this.resolve(p, token);
    if (!invitation.openedAt) {
      const at = now();
      await withAuditRetry(() =>
        db.$transaction(async (tx) => {
          const u = await tx.contractInvitation.updateMany({ where: { id: invitation.id, openedAt: null }, data: { openedAt: at } });
          if (u.count === 0) return;
          await appendEvents(tx, contract.id, [
            { action: "opened", actorId: p.userId, signerId: signer.id, fromStatus: contract.status, toStatus: contract.status, documentSha256: contract.currentSha256, meta, at },
          ]);
        }),
      );
    }
    const blocked = signingBlocked(contract.status, contract.signers, signer.id);
    const sender = await this.d.accounts.getUser(contract.senderId);
    return {
      contract: {
        id: contract.id,
        title: contract.title,
        status: contract.status,
        sender: sender?.name ?? null,
        document: { sha256: contract.currentSha256, revision: contract.revision },
        expiresAt: contract.expiresAt?.toISOString() ?? null,
      },
      signer: {
        id: signer.id,
        step: signer.step,
        role: signer.role,
        // an organisation signer: the member signs in their own name, for the organisation
        name: signer.userId ? signer.name : p.name,
        organization: signer.organization,
        box: JSON.parse(signer.field) as SignatureBox,
        forOrganization: !!signer.sealOrganizationId,
        /** person | organization: the organisation itself is the signer, and you sign for it */
        kind: signer.userId ? "person" : "organization",
        ...(signer.sealOrganizationId ? { seal: { organizationId: signer.sealOrganizationId, organization: signer.organization, kind: signer.sealKind } } : {}),
      },
      /** the text and date fields this signer fills before signing */
      fields: await this.d.fields.forSigner(signer.id),
      yourTurn: blocked === null,
      ...(blocked ? { waiting: blocked.message } : {}),
      /** whether a one-time code is waiting to be entered */
      codeIssued: !!(invitation.codeHash && invitation.codeExpiresAt && invitation.codeExpiresAt > now() && invitation.codeAttempts < CODE_MAX_ATTEMPTS),
      /** email: the signer asks for the code here and it is mailed to them; out-of-band: the sender hands it over */
      codeDelivery: signer.codeDelivery,
      invitationExpiresAt: invitation.expiresAt.toISOString(),
    };
  }

  async document(p: Principal, token: string) {
    const { contract } = await this.resolve(p, token);
    const { documents } = this.d;
    return { sha256: contract.currentSha256, size: documents.size(contract.currentSha256), stream: documents.open(contract.currentSha256), fileName: `contract-${contract.id}.pdf` };
  }

  /** Signs; returns the contract's id, the document's new digest, and whether this signature completed it. */
  async sign(p: Principal, token: string, code: string, meta: RequestMeta, input: FillInput = {}): Promise<{ contractId: string; sha256: string; completed: boolean }> {
    const { invitation, signer, contract } = await this.resolve(p, token);
    const blocked = signingBlocked(contract.status, contract.signers, signer.id);
    if (blocked) throw blocked.code === "not_your_turn" ? conflict(blocked.code, blocked.message) : gone(blocked.code, blocked.message);
    // a value refused costs no attempt at the code
    const fill = await this.d.fields.prepare(signer, input);
    await this.checkCode(invitation, code);
    const result = await this.d.lock.run(contract.id, async () => {
      for (let attempt = 0; attempt < 8; attempt++) {
        try {
          return await this.applySignature(p, contract.id, signer.id, invitation.id, meta, fill);
        } catch (e) {
          if (!(e instanceof StaleRevision)) throw e;
        }
      }
      throw conflict("busy", "the contract is being signed by others right now; retry");
    });
    return { contractId: contract.id, ...result };
  }

  /**
   * The signer asks for their one-time code: it is mailed to their own address (never shown to the
   * sender). At most one per CODE_RESEND_MS; a new code replaces the previous one.
   */
  async requestCode(p: Principal, token: string, meta: RequestMeta) {
    const { db } = this.d;
    const { invitation, signer, contract } = await this.resolve(p, token);
    const blocked = signingBlocked(contract.status, contract.signers, signer.id);
    if (blocked) throw blocked.code === "not_your_turn" ? conflict(blocked.code, blocked.message) : gone(blocked.code, blocked.message);
    if (signer.codeDelivery !== "email") throw conflict("code_out_of_band", "your one-time code is given to you by the contract's sender, not by e-mail");
    const now = this.d.now();
    if (invitation.codeExpiresAt) {
      const issuedAt = invitation.codeExpiresAt.getTime() - CODE_TTL_MS;
      const wait = issuedAt + CODE_RESEND_MS - now.getTime();
      if (wait > 0) throw new ApiError(429, "code_recently_sent", `a code was sent less than a minute ago: check your e-mail, or ask again in ${Math.ceil(wait / 1000)} s`, { "Retry-After": String(Math.ceil(wait / 1000)) });
    }
    const code = this.d.secrets.code(invitation.id, now.getTime());
    const hash = await hashCode(code);
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    await withAuditRetry(() =>
      db.$transaction(async (tx) => {
        const u = await tx.contractInvitation.updateMany({
          where: { id: invitation.id, usedAt: null, revokedAt: null, codeExpiresAt: invitation.codeExpiresAt },
          data: { codeHash: hash, codeExpiresAt: expiresAt, codeAttempts: 0 },
        });
        if (u.count === 0) throw conflict("busy", "a code was just issued: check your e-mail");
        await enqueueMail(
          tx,
          [
            {
              template: "contract-code",
              params: { name: signer.userId ? signer.name : p.name, title: contract.title, invitationId: invitation.id, issuedAtMs: now.getTime(), expiresAt: expiresAt.toISOString() },
              to: p.email,
              recipientId: p.userId,
              topic: `contract:${contract.id}`,
            },
          ]);
        await appendEvents(tx, contract.id, [
          { action: "code_issued", actorId: p.userId, signerId: signer.id, fromStatus: contract.status, toStatus: contract.status, documentSha256: contract.currentSha256, meta, at: now, details: { channel: "email" } },
        ]);
      }),
    );
    return { sentTo: maskAddress(p.email), expiresAt: expiresAt.toISOString(), attemptsAllowed: CODE_MAX_ATTEMPTS, delivery: "email" as const };
  }

  /** Counts the attempt first (atomically), then compares: at most CODE_MAX_ATTEMPTS tries per code. */
  private async checkCode(invitation: InvitationRow, code: string): Promise<void> {
    if (!invitation.codeHash || !invitation.codeExpiresAt) throw conflict("code_not_issued", "no one-time code has been issued: ask the sender for one");
    if (this.d.now() > invitation.codeExpiresAt) throw refused("code_expired", "the one-time code has expired: ask the sender for a new one");
    const counted = await this.d.db.contractInvitation.updateMany({
      where: { id: invitation.id, codeHash: invitation.codeHash, codeAttempts: { lt: CODE_MAX_ATTEMPTS } },
      data: { codeAttempts: { increment: 1 } },
    });
    if (counted.count === 0) throw new ApiError(429, "code_locked", "too many wrong codes: ask the sender for a new one");
    if (!(await codeMatches(code, invitation.codeHash))) {
      const left = CODE_MAX_ATTEMPTS - invitation.codeAttempts - 1;
      throw refused("wrong_code", left > 0 ? `wrong one-time code (${left} attempt${left === 1 ? "" : "s"} left)` : "wrong one-time code: no attempts left, ask the sender for a new one");
    }
  }

  /** Signs the current revision and records it, unless another signature landed first (StaleRevision). */
  private async applySignature(p: Principal, contractId: string, signerId: string, invitationId: string, meta: RequestMeta, fill: PreparedFill) {
    const { db, identity, documents } = this.d;
    const c = (await loadContract(db, contractId))!;
    const signer = c.signers.find((s) => s.id === signerId)!;
    const blocked = signingBlocked(c.status, c.signers, signerId);
    if (blocked && !signer.userId && signer.status === "signed" && signer.signedByUserId !== p.userId) throw signedByAnother();
    if (blocked) throw blocked.code === "not_your_turn" ? conflict(blocked.code, blocked.message) : gone(blocked.code, blocked.message);
    // the name signed in: the person's; for an organisation signer, the member's who signs for it
    const name = signer.userId ? signer.name : p.name;
    // For an organisation: its seal's certificate, while this person holds a live grant of such a seal.
    const seal = signer.sealOrganizationId && signer.sealKind ? await authorisedSeal(db, signer.sealOrganizationId, signer.sealKind, p.userId) : null;
    // an organisation named as the signer is signed for by its own members only
    if (signer.sealOrganizationId && (!seal || (!signer.userId && p.organizationId !== signer.sealOrganizationId))) {
      throw refused("not_authorised_for_seal", `you hold no authorisation to apply a live ${signer.sealKind} seal of the organisation you sign for`);
    }
    if (seal && seal.form !== "drawn" && signer.sealCrossPage) {
      throw conflict("cross_page_needs_drawn_seal", "a cross-page seal is cut from the drawn seal: this seal is an uploaded image");
    }
    const own = seal ? await identity.signerForOrganizationCert(seal.certificateId) : await identity.signerForUser(p.userId);
    if (!own) {
      throw conflict(
        seal ? "seal_certificate_unusable" : "platform_key_required",
        seal ? "the seal's organisation certificate is revoked or expired" : "your current certificate's key is held by you; contract signatures need a certificate whose key the platform holds",
      );
    }
    const pdf = await documents.read(c.currentSha256);
    const at = this.d.now();
    const signed = await signContract({
      pdf,
      signer: own,
      fieldName: fieldNameOf(signer.step, signer.position),
      box: JSON.parse(signer.field) as SignatureBox,
      name,
      organization: signer.organization,
      role: signer.role,
      contractTitle: c.title,
      signingTime: at,
      timestamp: (digest) => identity.timestamp(digest),
      longTerm: identity.longTermOptions(false),
      ...(seal ? { seal: { organization: seal.organization.name, kind: seal.kind as SealKind, code: seal.code } } : {}),
      ...(seal && signer.sealCrossPage ? { crossPageSize: CROSS_PAGE_SEAL_SIZE } : {}),
      filledFields: fill.fields,
      personal: fill.personal,
      ...(seal?.form === "image" && seal.image ? { sealImage: { bytes: seal.image, type: seal.imageType === "image/png" ? ("image/png" as const) : ("image/jpeg" as const) } } : {}),
    });
    const stored = await documents.put(signed);
    const completed = c.signers.every((s) => s.id === signerId || s.status === "signed");
    await withAuditRetry(() =>
      db.$transaction(async (tx) => {
        const u = await tx.contract.updateMany({
          where: { id: c.id, revision: c.revision, status: "in_progress" },
          data: { currentSha256: stored.sha256, revision: c.revision + 1, ...(completed ? { status: "completed", endedAt: at } : {}) },
        });
        if (u.count === 0) throw new StaleRevision();
        const used = await tx.contractInvitation.updateMany({ where: { id: invitationId, usedAt: null, revokedAt: null }, data: { usedAt: at } });
        if (used.count === 0) throw gone("invitation_used", "this invitation has been used");
        await tx.contractSigner.update({ where: { id: signerId }, data: { status: "signed", signedAt: at, signedSha256: stored.sha256, certId: own.certId, signedByUserId: p.userId } });
        // the organisation has signed: the other members' invitations close (410 signed_by_another_member)
        if (!signer.userId) await tx.contractInvitation.updateMany({ where: { signerId, id: { not: invitationId }, usedAt: null, revokedAt: null }, data: { revokedAt: at } });
        await this.d.fields.record(tx, fill, at);
        const events: ContractEventInput[] = [
          {
            action: "signed",
            actorId: p.userId,
            signerId,
            fromStatus: "in_progress",
            toStatus: "in_progress",
            documentSha256: stored.sha256,
            meta,
            at,
            details: { step: signer.step, certId: own.certId, ...(seal ? { sealId: seal.id, onBehalfOf: seal.organizationId, signedBy: p.name, signedByUserId: p.userId, signerKind: signer.userId ? "person" : "organization" } : {}), field: fieldNameOf(signer.step, signer.position), stamp: stampLines(name, signer.organization, at), ...fill.summary },
          },
        ];
        if (completed) {
          events.push({ action: "completed", actorId: null, fromStatus: "in_progress", toStatus: "completed", documentSha256: stored.sha256, meta: NO_REQUEST, at });
        }
        await appendEvents(tx, c.id, events);
        const after = c.signers.map((s) => (s.id === signerId ? { ...s, status: "signed", signedByUserId: p.userId } : s));
        if (completed) await this.d.notices.completed(tx, c, after, stored.sha256, at);
        else if (openStep(after) !== signer.step) await this.openNextStep(tx, c, after, at);
      }),
    );
    return { sha256: stored.sha256, completed };
  }

  /**
   * The step after a completed one: each of its signers is told, with their live invitation link
   * (one issued afresh if theirs has expired meanwhile).
   */
  private async openNextStep(tx: Parameters<Parameters<Db["$transaction"]>[0]>[0], c: Loaded, signers: SignerRow[], at: Date): Promise<void> {
    const step = openStep(signers);
    const seats = [];
    for (const s of signers.filter((x) => x.step === step && x.status === "pending")) {
      // a person: their invitation; an organisation: one for each member holding a live grant now
      const to = await recipientsOf(tx, s);
      if (!to.length) await this.d.notices.noAuthorisedMember(tx, c, s, at);
      for (const userId of to) {
        const mine = s.userId ? {} : { userId };
        let inv = await tx.contractInvitation.findFirst({ where: { signerId: s.id, usedAt: null, revokedAt: null, expiresAt: { gt: at }, ...mine }, orderBy: { createdAt: "desc" } });
        if (!inv) {
          const id = randomUUID();
          const expiresAt = new Date(Math.min(c.expiresAt!.getTime(), at.getTime() + this.d.invitationTtlHours * 3_600_000));
          await tx.contractInvitation.updateMany({ where: { signerId: s.id, usedAt: null, revokedAt: null, ...(s.userId ? {} : { userId }) }, data: { revokedAt: at } });
          inv = await tx.contractInvitation.create({ data: { id, signerId: s.id, userId, tokenHash: hashInvitationToken(this.d.secrets.token("contract-invitation", id)), createdAt: at, expiresAt } });
        }
        seats.push({ signer: s, userId, invitationId: inv.id, expiresAt: inv.expiresAt });
      }
    }
    await this.d.notices.stepOpened(tx, c, seats, false, at);
  }

  /** Declines with a reason: the contract is declined. Returns the contract's id. */
  async decline(p: Principal, token: string, reason: string, meta: RequestMeta): Promise<string> {
    const { db } = this.d;
    const { invitation, signer, contract } = await this.resolve(p, token);
    if (signer.status !== "pending") throw gone(`already_${signer.status}`, `this signer has already ${signer.status}`);
    const at = this.d.now();
    await this.d.lock.run(contract.id, () =>
      withAuditRetry(() =>
        db.$transaction(async (tx) => {
          const u = await tx.contract.updateMany({ where: { id: contract.id, status: "in_progress" }, data: { status: "declined", endedAt: at, endReason: reason } });
          if (u.count === 0) throw gone("contract_closed", "the contract is no longer in progress");
          const used = await tx.contractInvitation.updateMany({ where: { id: invitation.id, usedAt: null, revokedAt: null }, data: { usedAt: at } });
          if (used.count === 0) throw gone("invitation_used", "this invitation has been used");
          await tx.contractSigner.update({ where: { id: signer.id }, data: { status: "declined" } });
          await appendEvents(tx, contract.id, [
            { action: "declined", actorId: p.userId, signerId: signer.id, fromStatus: "in_progress", toStatus: "declined", documentSha256: contract.currentSha256, meta, at, details: { reason } },
          ]);
          await this.d.notices.ended(tx, contract, "declined", p.userId, reason, contract.signers, at);
        }),
      ),
    );
    return contract.id;
  }
}
