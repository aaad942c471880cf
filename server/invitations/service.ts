// Invitations and password resets: single-use links sent by e-mail. Inviting someone who has no
// account creates a pending account (no password) and mails a link from which the person sets
// their name and password and lands on what they were invited to. A link is a token derived from
// its row (server/core/link-token.ts); only the token's hash is kept. Links expire, are spent by
// their first use, and a newer reset replaces an older one. Nothing answered to an anonymous
// caller tells whether an address has an account.
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../db/client";
import type { Principal, Role } from "../accounts/roles";
import { presentUser, type AccountService, type PublicUser } from "../accounts/service";
import { appendAudit, withAuditRetry } from "../audit/service";
import { ApiError, notFound } from "../http/errors";
import { LinkSecrets, tokenHash } from "../core/link-token";
import { enqueueMail } from "../notifications/outbox";
import type { TemplateParams } from "../notifications/templates";
import { landingUrl, parseLanding, WORKSPACE, type Landing } from "./landing";

export type LinkPurpose = "account" | "password-reset";

export interface InvitationSettings {
  accountLinkTtlHours: number;
  passwordResetTtlHours: number;
  passwordResetPerAddressPerHour: number;
}

export interface InviteInput {
  email: string;
  name: string;
  role: Role;
  organizationId?: string | null;
  orgAdmin?: boolean;
  invitedBy: { id: string | null; name: string };
  context: TemplateParams["account-invitation"]["context"];
  landing: Landing;
  /** what the mail is about, for the people it concerns ("contract:<id>", "case:<id>") */
  topic?: string;
}

const gone = (code: string, message: string) => new ApiError(410, code, message);
const isLinkToken = (t: string) => /^acl_[A-Za-z0-9_-]{43}$/.test(t);

export class Invitations {
  /** The service's clock (tests move it to expire links). */
  clock: () => Date = () => new Date();

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly secrets: LinkSecrets,
    private readonly settings: InvitationSettings,
  ) {}

  /** A new link for an account, in the caller's transaction. */
  async issueLink(tx: Tx, input: { userId: string; purpose: LinkPurpose; createdById: string | null; landing: Landing }): Promise<{ id: string; expiresAt: Date }> {
    const now = this.clock();
    const hours = input.purpose === "account" ? this.settings.accountLinkTtlHours : this.settings.passwordResetTtlHours;
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + hours * 3_600_000);
    // A newer reset replaces an older one; several account links may be live (a person invited to
    // two contracts can start from either mail), and accepting one spends them all.
    if (input.purpose === "password-reset") {
      await tx.accountLink.updateMany({ where: { userId: input.userId, purpose: input.purpose, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
    }
    await tx.accountLink.create({
      data: {
        id,
        userId: input.userId,
        purpose: input.purpose,
        tokenHash: tokenHash(this.secrets.token("account-link", id)),
        createdById: input.createdById,
        createdAt: now,
        expiresAt,
        landing: JSON.stringify(input.landing),
      },
    });
    return { id, expiresAt };
  }

  /**
   * Invites a person by e-mail inside the caller's transaction. No account yet: a pending one, a
   * link and the invitation mail (created: true). An account exists: it is returned untouched and
   * nothing is sent (created: false): the caller decides what that means for it.
   */
  async invite(tx: Tx, input: InviteInput): Promise<{ user: PublicUser; created: boolean }> {
    const email = input.email.trim().toLowerCase();
    const existing = await tx.user.findUnique({ where: { email } });
    if (existing) return { user: presentUser(existing), created: false };
    const user = await this.accounts.createPendingUser(tx, { email, name: input.name, role: input.role, organizationId: input.organizationId, orgAdmin: input.orgAdmin });
    await this.mailAccountLink(tx, user, input.invitedBy, input.context, input.landing, input.topic);
    await appendAudit(tx, [
      {
        actorId: input.invitedBy.id,
        action: "user.invited",
        subject: user.id,
        details: { email, role: input.role, organizationId: input.organizationId ?? null, orgAdmin: user.orgAdmin, context: input.context.kind },
      },
    ]);
    return { user, created: true };
  }

  /** invite() in a transaction of its own. */
  inviteAlone(input: InviteInput): Promise<{ user: PublicUser; created: boolean }> {
    return withAuditRetry(() => this.db.$transaction((tx) => this.invite(tx, input)));
  }

  /** A new account link for a pending account, mailed (inside the caller's transaction). */
  async mailAccountLink(
    tx: Tx,
    user: { id: string; email: string; name: string; organizationId: string | null },
    invitedBy: { id: string | null; name: string },
    context: TemplateParams["account-invitation"]["context"],
    landing: Landing,
    topic?: string,
  ): Promise<void> {
    const link = await this.issueLink(tx, { userId: user.id, purpose: "account", createdById: invitedBy.id, landing });
    const org = user.organizationId ? await tx.organization.findUnique({ where: { id: user.organizationId } }) : null;
    await enqueueMail(
      tx,
      [
        {
          template: "account-invitation",
          params: { name: user.name, invitedBy: invitedBy.name, organization: org?.name ?? null, linkId: link.id, expiresAt: link.expiresAt.toISOString(), context },
          to: user.email,
          recipientId: user.id,
          topic: topic ?? `user:${user.id}`,
        },
      ]);
  }

  /** Mails a pending account's invitation again (a new link, landing where the last one did). */
  async resend(actor: Principal, userId: string): Promise<void> {
    const user = await this.db.user.findUnique({ where: { id: userId } });
    if (!user) throw notFound("user");
    if (user.status !== "pending") throw new ApiError(409, "not_pending", "the account is already set up: send a password reset instead");
    if (user.disabledAt) throw new ApiError(409, "disabled", "the account is disabled");
    const last = await this.db.accountLink.findFirst({ where: { userId, purpose: "account" }, orderBy: { createdAt: "desc" } });
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        await this.mailAccountLink(tx, user, { id: actor.userId, name: actor.name }, { kind: "organization" }, last ? parseLanding(last.landing) : WORKSPACE);
        await appendAudit(tx, [{ actorId: actor.userId, action: "user.invitation-resent", subject: userId }]);
      }),
    );
  }

  /**
   * A password reset asked for an address. Whatever the address, the caller answers the same; an
   * active account gets a reset link (at most passwordResetPerAddressPerHour an hour), a pending one
   * its invitation again, anything else nothing.
   */
  async requestPasswordReset(emailRaw: string, requestedBy: Principal | null = null): Promise<void> {
    const user = await this.db.user.findUnique({ where: { email: emailRaw.trim().toLowerCase() } });
    if (!user || user.disabledAt) return;
    const now = this.clock();
    const recent = await this.db.accountLink.count({ where: { userId: user.id, createdAt: { gt: new Date(now.getTime() - 3_600_000) } } });
    if (recent >= this.settings.passwordResetPerAddressPerHour) return;
    const actor = requestedBy ? { id: requestedBy.userId, name: requestedBy.name } : { id: null, name: user.name };
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        if (user.status === "pending") {
          const last = await tx.accountLink.findFirst({ where: { userId: user.id, purpose: "account" }, orderBy: { createdAt: "desc" } });
          await this.mailAccountLink(tx, user, actor, { kind: "organization" }, last ? parseLanding(last.landing) : WORKSPACE);
        } else {
          const link = await this.issueLink(tx, { userId: user.id, purpose: "password-reset", createdById: actor.id, landing: WORKSPACE });
          await enqueueMail(
            tx,
            [{ template: "password-reset", params: { name: user.name, linkId: link.id, expiresAt: link.expiresAt.toISOString() }, to: user.email, recipientId: user.id, topic: `user:${user.id}` }]);
        }
        await appendAudit(tx, [{ actorId: actor.id, action: "password-reset.requested", subject: user.id }]);
      }),
    );
  }

  /** The live link behind a token: 404 for a token we did not issue, 410 for a spent, replaced or expired one. */
  private async live(token: string) {
    if (!isLinkToken(token)) throw notFound("link");
    const link = await this.db.accountLink.findUnique({ where: { tokenHash: tokenHash(token) }, include: { user: true } });
    if (!link) throw notFound("link");
    if (link.usedAt) throw gone("link_used", "this link has been used: log in, or ask for a new one");
    if (link.revokedAt) throw gone("link_replaced", "this link was replaced by a newer one: use the latest e-mail");
    if (this.clock() > link.expiresAt) throw gone("link_expired", "this link has expired: ask for a new one");
    if (link.user.disabledAt) throw gone("account_disabled", "this account is disabled");
    return link;
  }

  /** What a link is for, shown before the person sets a password. */
  async inspect(token: string) {
    const link = await this.live(token);
    const org = link.user.organizationId ? await this.db.organization.findUnique({ where: { id: link.user.organizationId } }) : null;
    return {
      purpose: link.purpose as LinkPurpose,
      email: link.user.email,
      name: link.user.name,
      role: link.user.role,
      organization: org ? { name: org.name, kind: org.kind } : null,
      expiresAt: link.expiresAt.toISOString(),
    };
  }

  /**
   * Spends a link: sets the password (and, for an invitation, the name), activates the account,
   * ends its other sessions and spends its other links, then logs the person in.
   */
  async accept(token: string, input: { password: string; name?: string }) {
    const link = await this.live(token);
    const now = this.clock();
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const spent = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null, revokedAt: null }, data: { usedAt: now } });
        if (spent.count !== 1) throw gone("link_used", "this link has been used: log in, or ask for a new one");
        await tx.accountLink.updateMany({ where: { userId: link.userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
        await this.accounts.setPasswordFromLink(tx, link.userId, input.password, link.purpose === "account" ? input.name : undefined);
        await appendAudit(tx, [{ actorId: link.userId, action: link.purpose === "account" ? "user.activated" : "password.reset", subject: link.userId, details: { linkId: link.id } }]);
      }),
    );
    const session = await this.accounts.startSession(link.userId);
    const landing = parseLanding(link.landing);
    return { ...session, landing: { ...landing, url: landingUrl(landing, this.secrets) } };
  }
}
