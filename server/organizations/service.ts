// Organisations (enterprises, law firms, courts) and their members. The platform administrator
// creates an organisation and invites its first administrator; organisation administrators invite,
// remove and re-role their own members within what the organisation's kind may hold. Every change
// is one transaction with its audit entry and the mails it causes.
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../db/client";
import type { Principal, Role } from "../accounts/roles";
import { roleNotAllowed, type AccountService, type PublicUser } from "../accounts/service";
import { DEFAULT_ROLE, mayHold, ROLES_OF_KIND, type OrganizationKind } from "../accounts/organization-kinds";
import { changeWithAudit, type AuditEvent } from "../audit/service";
import { ApiError, badRequest, forbidden, notFound } from "../http/errors";
import { isValidCreditCode } from "../core/credit-code";
import type { Invitations } from "../invitations/service";
import { WORKSPACE } from "../invitations/landing";
import { enqueueMail } from "../notifications/outbox";
import { decideOrg, relationTo, type OrgAction } from "./access";

type OrgRow = NonNullable<Awaited<ReturnType<Db["organization"]["findUnique"]>>>;

/** What other features show of an organisation (its members' contracts, its certificates). */
export interface OrganizationViews {
  contracts(memberIds: string[]): Promise<unknown[]>;
  certificates(organizationId: string): Promise<unknown[]>;
}

export interface NewOrganization {
  name: string;
  kind: OrganizationKind;
  creditCode?: string;
  admin?: { email: string; name: string; role?: Role };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message));

export const presentOrganization = (o: OrgRow) => ({ id: o.id, name: o.name, creditCode: o.creditCode, kind: o.kind, createdAt: o.createdAt });

export class OrganizationsService {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly invitations: Invitations,
    private readonly views: OrganizationViews,
  ) {}

  /** The organisation in the path, if the principal may do this with it: 404 for an outsider, 403 for a plain member. */
  async authorize(action: OrgAction, p: Principal, id: string): Promise<OrgRow> {
    const org = UUID.test(id) ? await this.db.organization.findUnique({ where: { id } }) : null;
    if (!org) throw notFound("organisation");
    const outcome = decideOrg(action, relationTo(p, org.id));
    if (outcome === "hidden") throw notFound("organisation");
    if (outcome === "forbidden") throw forbidden("only an administrator of the organisation may do this");
    return org;
  }

  private change<T>(run: (tx: Tx, audit: (e: AuditEvent) => void) => Promise<T>): Promise<T> {
    return changeWithAudit(this.db, run);
  }

  async create(p: Principal, input: NewOrganization) {
    if (input.creditCode && !isValidCreditCode(input.creditCode)) {
      throw badRequest("invalid_credit_code", `the unified social credit code ${input.creditCode} fails its check character (GB 32100-2015)`);
    }
    if (input.creditCode && (await this.db.organization.findUnique({ where: { creditCode: input.creditCode } }))) {
      throw new ApiError(409, "duplicate", "an organisation with this credit code exists");
    }
    const adminRole = input.admin?.role ?? DEFAULT_ROLE[input.kind];
    if (input.admin && !mayHold(input.kind, adminRole)) throw roleNotAllowed(input.kind);
    if (input.admin && (await this.accounts.userByEmail(input.admin.email))) {
      // The platform administrator may know who has an account; an existing account is not moved.
      throw new ApiError(409, "duplicate", "a user with this e-mail exists: invite a new address, or change that user's organisation in the users list");
    }
    const id = randomUUID();
    try {
      return await this.change(async (tx, audit) => {
        const org = await tx.organization.create({ data: { id, name: input.name, kind: input.kind, creditCode: input.creditCode ?? null } });
        audit({ actorId: p.userId, action: "organization.created", subject: id, details: { name: org.name, kind: org.kind, creditCode: org.creditCode } });
        let admin: PublicUser | null = null;
        if (input.admin) {
          ({ user: admin } = await this.invitations.invite(tx, {
            ...input.admin,
            role: adminRole,
            organizationId: id,
            orgAdmin: true,
            invitedBy: { id: p.userId, name: p.name },
            context: { kind: "organization" },
            landing: WORKSPACE,
            topic: `organization:${id}`,
          }));
        }
        return { ...presentOrganization(org), admin };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ApiError(409, "duplicate", "an organisation with this credit code, or a user with this e-mail, exists");
      throw e;
    }
  }

  /** The platform administrator: every organisation; anyone else: their own. */
  async list(p: Principal) {
    const rows = await this.db.organization.findMany({
      where: p.role === "admin" ? {} : { id: p.organizationId ?? "-" },
      orderBy: { createdAt: "asc" },
      include: { _count: { select: { users: true } } },
    });
    return rows.map((o) => ({ ...presentOrganization(o), members: o._count.users, roles: ROLES_OF_KIND[o.kind as OrganizationKind] ?? [] }));
  }

  async read(org: OrgRow) {
    return { ...presentOrganization(org), roles: ROLES_OF_KIND[org.kind as OrganizationKind] ?? [] };
  }

  async members(org: OrgRow) {
    return this.accounts.listUsers({ organizationId: org.id });
  }

  /**
   * Invites a member. A new address gets a pending account and the invitation; an address that
   * already has an account is told so by mail and nothing changes. The answer is the same either
   * way, so that it does not tell who has an account.
   */
  async invite(p: Principal, org: OrgRow, input: { email: string; name: string; role?: Role; orgAdmin?: boolean }) {
    const role = input.role ?? DEFAULT_ROLE[org.kind as OrganizationKind] ?? "member";
    if (!mayHold(org.kind, role)) throw roleNotAllowed(org.kind);
    await this.change(async (tx, audit) => {
      const { created } = await this.invitations.invite(tx, {
        email: input.email,
        name: input.name,
        role,
        organizationId: org.id,
        orgAdmin: input.orgAdmin,
        invitedBy: { id: p.userId, name: p.name },
        context: { kind: "organization" },
        landing: WORKSPACE,
        topic: `organization:${org.id}`,
      });
      if (!created) {
        await enqueueMail(tx, [{ template: "account-exists", params: { invitedBy: p.name, organization: org.name }, to: input.email.trim().toLowerCase(), topic: `organization:${org.id}` }]);
      }
      audit({ actorId: p.userId, action: "organization.member-invited", subject: org.id, details: { role, orgAdmin: !!input.orgAdmin } });
    });
    return { invited: input.email.trim().toLowerCase() };
  }

  private async member(org: OrgRow, userId: string): Promise<PublicUser> {
    const u = UUID.test(userId) ? (await this.accounts.usersByIds([userId])).get(userId) : undefined;
    if (!u || u.organizationId !== org.id) throw notFound("member");
    return u;
  }

  /** Whether taking the administrator's right from `userId` would leave the organisation with none. */
  private async lastAdmin(org: OrgRow, userId: string): Promise<boolean> {
    const admins = await this.db.user.findMany({ where: { organizationId: org.id, orgAdmin: true, disabledAt: null }, select: { id: true } });
    return admins.length === 1 && admins[0].id === userId;
  }

  async update(p: Principal, org: OrgRow, userId: string, change: { role?: Role; orgAdmin?: boolean }) {
    const m = await this.member(org, userId);
    if (change.role && !mayHold(org.kind, change.role)) throw roleNotAllowed(org.kind);
    if (change.orgAdmin === false && m.orgAdmin && (await this.lastAdmin(org, userId))) {
      throw new ApiError(409, "last_admin", "the organisation's only administrator keeps the right: make another member an administrator first");
    }
    return this.accounts.updateUser(userId, change, p.userId);
  }

  /** Removes a member: the account is disabled (its sessions end); its history stays. */
  async remove(p: Principal, org: OrgRow, userId: string): Promise<void> {
    const m = await this.member(org, userId);
    if (m.orgAdmin && (await this.lastAdmin(org, userId))) throw new ApiError(409, "last_admin", "the organisation's only administrator cannot be removed");
    if (m.disabled) return;
    await this.accounts.setDisabled(userId, true, p.userId);
  }

  async resendInvitation(p: Principal, org: OrgRow, userId: string): Promise<void> {
    await this.member(org, userId);
    await this.invitations.resend(p, userId);
  }

  async contracts(org: OrgRow) {
    const ids = (await this.db.user.findMany({ where: { organizationId: org.id }, select: { id: true } })).map((u) => u.id);
    return this.views.contracts(ids);
  }

  certificates(org: OrgRow) {
    return this.views.certificates(org.id);
  }
}
