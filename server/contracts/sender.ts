// The sender's actions on a contract the service has checked is theirs: sending (an invitation
// link per signer, returned once), voiding, one-time codes for a signer whose step is open, and a
// new link for a pending signer.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import { withAuditRetry } from "../audit/service";
import { notFound } from "../http/errors";
import { appendEvents, type RequestMeta } from "./events";
import { ENDED, mayVoid, signingBlocked } from "./flow";
import { bySeat, conflict, said, type InvitationRow, type Loaded, type SignerRow } from "./model";
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS, hashCode } from "./tokens";
import type { KeyedLock } from "./locks";
import { tokenHash, type LinkSecrets } from "../core/link-token";
import { openStep } from "./flow";
import type { ContractNotices } from "./notices";
import { recipientsOf } from "./seats";

export interface SenderSideDeps {
  db: Db;
  now: () => Date;
  lock: KeyedLock;
  publicUrl: string;
  /** days from sending until an unfinished contract expires, unless the sender says */
  expiryDays: number;
  /** hours an invitation link stays valid (never beyond the contract's expiry) */
  invitationTtlHours: number;
  secrets: LinkSecrets;
  notices: ContractNotices;
}

export interface InvitationView {
  signerId: string;
  /** whom the invitation is for: the person signer, or one authorised member of an organisation signer */
  userId: string;
  /** an organisation signer: the organisation the member signs for, and the seal kind */
  forOrganization?: { id: string; name: string; sealKind: string };
  name: string;
  step: number;
  role: string | null;
  token: string;
  /** the API address of the invitation (GET it with the signer's bearer token) */
  url: string;
  /** the signing page for a person: the token travels in the fragment, never sent to the server or in a Referer */
  signUrl: string;
  expiresAt: string;
}

export class SenderSide {
  constructor(private readonly d: SenderSideDeps) {}

  /** A new invitation's id and token: the token is derived from the id (server/core/link-token.ts), only its hash is kept. */
  private newInvitation(): { id: string; token: string; hash: string } {
    const id = randomUUID();
    const token = this.d.secrets.token("contract-invitation", id);
    return { id, token, hash: tokenHash(token) };
  }

  /**
   * draft -> in_progress; the invitation links (only their hashes are kept), and the signers of
   * the first step told by mail, in the same transaction.
   */
  async send(p: Principal, c: Loaded, opts: { expiresInDays?: number; reminderIntervalHours?: number }, meta: RequestMeta): Promise<InvitationView[]> {
    if (c.status !== "draft") throw conflict("not_a_draft", `the contract is ${said(c.status)}: only a draft is sent`);
    const now = this.d.now();
    const expiresAt = new Date(now.getTime() + (opts.expiresInDays ?? this.d.expiryDays) * 86_400_000);
    // one invitation per person signer; one per authorised member for an organisation signer
    const issued: { signer: SignerRow; userId: string; id: string; token: string; hash: string; expiresAt: Date }[] = [];
    const unreachable: SignerRow[] = [];
    for (const s of [...c.signers].sort(bySeat)) {
      const to = await recipientsOf(this.d.db, s);
      if (!to.length) unreachable.push(s);
      for (const userId of to) issued.push({ signer: s, userId, ...this.newInvitation(), expiresAt: this.invitationExpiry(now, expiresAt) });
    }
    const first = openStep(c.signers);
    await withAuditRetry(() =>
      this.d.db.$transaction(async (tx) => {
        const u = await tx.contract.updateMany({
          where: { id: c.id, status: "draft" },
          data: { status: "in_progress", sentAt: now, expiresAt, reminderIntervalHours: opts.reminderIntervalHours ?? null },
        });
        if (u.count === 0) throw conflict("not_a_draft", "the contract was sent or voided meanwhile");
        await tx.contractInvitation.createMany({
          data: issued.map((i) => ({ id: i.id, signerId: i.signer.id, userId: i.userId, tokenHash: i.hash, createdAt: now, expiresAt: i.expiresAt })),
        });
        for (const s of unreachable.filter((x) => x.step === first)) await this.d.notices.noAuthorisedMember(tx, c, s, now);
        await this.d.notices.stepOpened(
          tx,
          c,
          issued.filter((i) => i.signer.step === first).map((i) => ({ signer: i.signer, userId: i.userId, invitationId: i.id, expiresAt: i.expiresAt })),
          true,
          now,
        );
        await appendEvents(tx, c.id, [
          {
            action: "sent",
            actorId: p.userId,
            fromStatus: "draft",
            toStatus: "in_progress",
            documentSha256: c.currentSha256,
            meta,
            at: now,
            details: { expiresAt: expiresAt.toISOString(), signers: issued.length, ...(opts.reminderIntervalHours ? { reminderIntervalHours: opts.reminderIntervalHours } : {}) },
          },
        ]);
      }),
    );
    return issued.map((i) => this.view(i.signer, i.userId, i.token, i.expiresAt));
  }

  private invitationExpiry(now: Date, contractExpiry: Date): Date {
    return new Date(Math.min(contractExpiry.getTime(), now.getTime() + this.d.invitationTtlHours * 3_600_000));
  }

  private view(s: SignerRow, userId: string, token: string, expiresAt: Date): InvitationView {
    return {
      signerId: s.id,
      userId,
      ...(!s.userId && s.sealOrganizationId ? { forOrganization: { id: s.sealOrganizationId, name: s.organization ?? s.name, sealKind: s.sealKind ?? "" } } : {}),
      name: s.name,
      step: s.step,
      role: s.role,
      token,
      url: `${this.d.publicUrl}/api/sign/${token}`,
      signUrl: `${this.d.publicUrl}/sign/#token=${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** A draft or a contract in progress -> voided, with the sender's reason. */
  async void(p: Principal, c: Loaded, reason: string, meta: RequestMeta): Promise<void> {
    if (!mayVoid(c.status)) throw conflict("not_voidable", `the contract is ${said(c.status)}: only a draft or a contract in progress is voided`);
    const now = this.d.now();
    await this.d.lock.run(c.id, () =>
      withAuditRetry(() =>
        this.d.db.$transaction(async (tx) => {
          const u = await tx.contract.updateMany({ where: { id: c.id, status: c.status }, data: { status: "voided", endedAt: now, endReason: reason } });
          if (u.count === 0) throw conflict("not_voidable", "the contract changed meanwhile; read it again");
          await appendEvents(tx, c.id, [
            { action: "voided", actorId: p.userId, fromStatus: c.status, toStatus: "voided", documentSha256: c.currentSha256, meta, at: now, details: { reason } },
          ]);
          if (c.status === "in_progress") await this.d.notices.ended(tx, c, "voided", p.userId, reason, c.signers, now);
        }),
      ),
    );
  }

  /** A signer of this contract, pending, in the open step, and their live invitation (if any). */
  private async pendingSigner(c: Loaded, signerId: string): Promise<{ signer: SignerRow; invitation: InvitationRow | null }> {
    if (ENDED.has(c.status) || c.status === "draft") throw conflict(`contract_${c.status}`, `the contract is ${said(c.status)}`);
    const signer = c.signers.find((s) => s.id === signerId);
    if (!signer) throw notFound("signer");
    const blocked = signingBlocked(c.status, c.signers, signer.id);
    if (blocked) throw conflict(blocked.code, blocked.message);
    const invitation = await this.d.db.contractInvitation.findFirst({
      where: { signerId, usedAt: null, revokedAt: null, expiresAt: { gt: this.d.now() } },
      orderBy: { createdAt: "desc" },
    });
    return { signer, invitation };
  }

  /**
   * A one-time code for a signer whose turn it is and whose code goes out of band (a signer without
   * e-mail, chosen when the contract was drafted): returned to the sender once (only its hash is
   * kept) to read out on the phone or send by text message. Any other signer asks for their code
   * on the signing page and receives it at their own address: the sender never sees it.
   * A new code replaces the previous one.
   */
  async issueCode(p: Principal, c: Loaded, signerId: string, meta: RequestMeta) {
    const { signer, invitation } = await this.pendingSigner(c, signerId);
    if (signer.codeDelivery !== "out-of-band") {
      throw conflict("code_by_email", "this signer receives the one-time code at their own e-mail address, asked for on the signing page: the sender cannot see it");
    }
    if (!invitation) throw conflict("no_active_invitation", "the signer has no valid invitation: reissue it first");
    const now = this.d.now();
    const code = this.d.secrets.code(invitation.id, now.getTime());
    const hash = await hashCode(code);
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    await withAuditRetry(() =>
      this.d.db.$transaction(async (tx) => {
        const u = await tx.contractInvitation.updateMany({
          where: { id: invitation.id, usedAt: null, revokedAt: null },
          data: { codeHash: hash, codeExpiresAt: expiresAt, codeAttempts: 0 },
        });
        if (u.count === 0) throw conflict("no_active_invitation", "the invitation was used or replaced meanwhile");
        await appendEvents(tx, c.id, [
          { action: "code_issued", actorId: p.userId, signerId: signer.id, fromStatus: c.status, toStatus: c.status, documentSha256: c.currentSha256, meta, at: now, details: { channel: "out-of-band" } },
        ]);
      }),
    );
    return { signerId: signer.id, code, expiresAt: expiresAt.toISOString(), attemptsAllowed: CODE_MAX_ATTEMPTS, delivery: "out-of-band" as const };
  }

  /**
   * A new invitation link for a pending signer; the previous ones stop working (410). For an
   * organisation signer, one for each member holding a live grant of the seal now (all of them in
   * `invitations`, the first also as the answer itself).
   */
  async reissueInvitation(p: Principal, c: Loaded, signerId: string, meta: RequestMeta): Promise<InvitationView & { invitations?: InvitationView[] }> {
    if (c.status !== "in_progress") throw conflict(`contract_${c.status}`, `the contract is ${said(c.status)}`);
    const signer = c.signers.find((s) => s.id === signerId);
    if (!signer) throw notFound("signer");
    if (signer.status !== "pending") throw conflict(`already_${signer.status}`, `this signer has already ${signer.status}`);
    const now = this.d.now();
    const to = await recipientsOf(this.d.db, signer);
    if (!to.length) throw conflict("no_authorised_member", "no member of the organisation holds a live grant of the seal wanted: ask it to grant one first");
    const all = to.map((userId) => ({ userId, ...this.newInvitation(), expiresAt: this.invitationExpiry(now, c.expiresAt!) }));
    const turn = signingBlocked(c.status, c.signers, signer.id) === null;
    await withAuditRetry(() =>
      this.d.db.$transaction(async (tx) => {
        await tx.contractInvitation.updateMany({ where: { signerId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
        await tx.contractInvitation.createMany({ data: all.map((i) => ({ id: i.id, signerId, userId: i.userId, tokenHash: i.hash, createdAt: now, expiresAt: i.expiresAt })) });
        // The signer whose turn it is gets the new link by mail too.
        if (turn) await this.d.notices.stepOpened(tx, c, all.map((i) => ({ signer, userId: i.userId, invitationId: i.id, expiresAt: i.expiresAt })), false, now);
        await appendEvents(tx, c.id, [
          { action: "invitation_reissued", actorId: p.userId, signerId, fromStatus: c.status, toStatus: c.status, documentSha256: c.currentSha256, meta, at: now },
        ]);
      }),
    );
    const views = all.map((i) => this.view(signer, i.userId, i.token, i.expiresAt));
    return signer.userId ? views[0] : { ...views[0], invitations: views };
  }
}
