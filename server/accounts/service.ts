// Accounts: organisations, users, login sessions and machine tokens. Tokens are random 256-bit
// values; only their SHA-256 is stored, so a leaked database does not leak usable tokens.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db, Tx } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import type { Principal, Role } from "./roles";
import { appendAudit, withAuditRetry, type AuditService } from "../audit/service";
import { mayHold, ROLES_OF_KIND, type OrganizationKind } from "./organization-kinds";

const TOKEN_PREFIX = "eat_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: string;
  organizationId: string | null;
  /** active | pending (invited, no password yet) */
  status: string;
  orgAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
}

type UserRow = Omit<PublicUser, "disabled"> & { disabledAt: Date | null };

/** 403 role_not_allowed: a role an organisation of this kind may not hold. */
export function roleNotAllowed(kind: string): ApiError {
  return new ApiError(403, "role_not_allowed", `an organisation of the kind ${kind} holds the roles ${(ROLES_OF_KIND[kind as OrganizationKind] ?? []).join(", ") || "none"}`);
}

export const presentUser = (u: UserRow): PublicUser => publicUser(u);

const publicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  organizationId: u.organizationId,
  status: u.status,
  orgAdmin: u.orgAdmin,
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt,
});

/** The password hash of an account nobody has set a password for yet: no password matches it. */
export const NO_PASSWORD = "!pending";

export interface UserFilter {
  q?: string;
  role?: Role;
  organizationId?: string;
  status?: "active" | "pending" | "disabled";
  limit?: number;
}

/** How long a token's principal is reused without a database read; revocation on this instance is immediate. */
const PRINCIPAL_CACHE_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;

export class AccountService {
  private readonly principals = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly sessionTtlHours: number,
    private readonly audit: AuditService,
  ) {}

  async userCount(): Promise<number> {
    return this.db.user.count();
  }

  async createUser(input: { email: string; name: string; password: string; role: Role; organizationId?: string; orgAdmin?: boolean }, actorId?: string) {
    const email = input.email.toLowerCase();
    if (await this.db.user.findUnique({ where: { email } })) {
      throw new ApiError(409, "duplicate", "a user with this email exists");
    }
    if (input.organizationId) await this.checkOrganizationRole(input.organizationId, input.role);
    const user = await this.db.user.create({
      data: {
        id: randomUUID(),
        email,
        name: input.name,
        role: input.role,
        organizationId: input.organizationId ?? null,
        orgAdmin: !!(input.orgAdmin && input.organizationId),
        passwordHash: await hashPassword(input.password),
      },
    });
    await this.audit.record({ actorId: actorId ?? null, action: "user.created", subject: user.id, details: { email, role: input.role, organizationId: user.organizationId } });
    return publicUser(user);
  }

  /** 404 for an unknown organisation, 403 for a role its kind may not hold. */
  async checkOrganizationRole(organizationId: string, role: Role): Promise<void> {
    const org = await this.db.organization.findUnique({ where: { id: organizationId } });
    if (!org) throw notFound("organisation");
    if (!mayHold(org.kind, role)) {
      throw roleNotAllowed(org.kind);
    }
  }

  /**
   * A pending account inside the caller's transaction: no password until the person accepts the
   * invitation mailed to them (server/invitations/).
   */
  async createPendingUser(tx: Tx, input: { email: string; name: string; role: Role; organizationId?: string | null; orgAdmin?: boolean }): Promise<PublicUser> {
    const user = await tx.user.create({
      data: {
        id: randomUUID(),
        email: input.email.trim().toLowerCase(),
        name: input.name,
        role: input.role,
        organizationId: input.organizationId ?? null,
        orgAdmin: !!(input.orgAdmin && input.organizationId),
        status: "pending",
        passwordHash: NO_PASSWORD,
      },
    });
    return publicUser(user);
  }

  async listUsers(filter: UserFilter = {}): Promise<PublicUser[]> {
    const q = filter.q?.trim();
    const rows = await this.db.user.findMany({
      where: {
        ...(filter.role ? { role: filter.role } : {}),
        ...(filter.organizationId ? { organizationId: filter.organizationId } : {}),
        ...(filter.status === "disabled" ? { disabledAt: { not: null } } : filter.status ? { status: filter.status, disabledAt: null } : {}),
        ...(q ? { OR: [{ email: { contains: q.toLowerCase() } }, { name: { contains: q } }] } : {}),
      },
      orderBy: { createdAt: "asc" },
      take: filter.limit ?? 1000,
    });
    return rows.map(publicUser);
  }

  /** Changes what an administrator may change of an account; the caller has checked who may. */
  async updateUser(id: string, change: { name?: string; role?: Role; orgAdmin?: boolean; organizationId?: string | null }, actorId: string): Promise<PublicUser> {
    const user = await this.db.user.findUnique({ where: { id } });
    if (!user) throw notFound("user");
    const organizationId = change.organizationId === undefined ? user.organizationId : change.organizationId;
    const role = (change.role ?? user.role) as Role;
    if (role === "admin" && organizationId) throw new ApiError(403, "role_not_allowed", "the platform administrator belongs to no organisation");
    if (organizationId && (change.role !== undefined || change.organizationId !== undefined)) await this.checkOrganizationRole(organizationId, role);
    const updated = await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.user.update({
          where: { id },
          data: {
            ...(change.name !== undefined ? { name: change.name } : {}),
            role,
            organizationId,
            orgAdmin: organizationId ? (change.orgAdmin ?? user.orgAdmin) : false,
          },
        });
        await appendAudit(tx, [{ actorId, action: "user.updated", subject: id, details: { ...change } }]);
        return u;
      }),
    );
    this.forgetUser(id);
    return publicUser(updated);
  }

  /** Disables (every session ends at once) or enables an account. */
  async setDisabled(id: string, disabled: boolean, actorId: string): Promise<PublicUser> {
    const user = await this.db.user.findUnique({ where: { id } });
    if (!user) throw notFound("user");
    if (disabled && id === actorId) throw new ApiError(409, "self", "you cannot disable your own account");
    const now = new Date();
    const updated = await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        const u = await tx.user.update({ where: { id }, data: { disabledAt: disabled ? (user.disabledAt ?? now) : null } });
        if (disabled) await tx.apiToken.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: now } });
        await appendAudit(tx, [{ actorId, action: disabled ? "user.disabled" : "user.enabled", subject: id }]);
        return u;
      }),
    );
    this.forgetUser(id);
    return publicUser(updated);
  }

  async login(emailRaw: string, password: string): Promise<{ token: string; expiresAt: Date }> {
    const user = await this.db.user.findUnique({ where: { email: emailRaw.toLowerCase() } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !ok || user.disabledAt || user.status !== "active") throw new ApiError(401, "invalid_credentials", "wrong email or password");
    return this.startSession(user.id);
  }

  /** A new login session for a user whose identity the caller has established. */
  async startSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.sessionTtlHours * 3600_000);
    const token = newToken();
    const session = await this.db.apiToken.create({
      data: { id: randomUUID(), tokenHash: hashToken(token), kind: "session", userId, expiresAt },
    });
    await this.audit.record({ actorId: userId, action: "session.created", subject: session.id });
    return { token, expiresAt };
  }

  /**
   * Sets a password from an e-mailed link (the caller checked the link) inside its transaction:
   * the account becomes active; every session it had ends.
   */
  async setPasswordFromLink(tx: Tx, userId: string, password: string, name?: string): Promise<void> {
    await tx.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password), status: "active", ...(name ? { name } : {}) } });
    await tx.apiToken.updateMany({ where: { userId, kind: "session", revokedAt: null }, data: { revokedAt: new Date() } });
    this.forgetUser(userId);
  }

  /** Changes a password after checking the current one; every other session of the user ends. */
  async changePassword(userId: string, current: string, next: string, keepTokenId: string): Promise<void> {
    const user = await this.db.user.findUnique({ where: { id: userId } });
    if (!user || !(await verifyPassword(current, user.passwordHash))) {
      throw new ApiError(403, "wrong_password", "the current password is wrong");
    }
    await this.db.$transaction([
      this.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(next) } }),
      this.db.apiToken.updateMany({
        where: { userId, kind: "session", revokedAt: null, NOT: { id: keepTokenId } },
        data: { revokedAt: new Date() },
      }),
    ]);
    this.forgetUser(userId);
    await this.audit.record({ actorId: userId, action: "password.changed", subject: userId });
  }

  async createApiToken(userId: string, name: string, expiresInDays?: number) {
    const token = newToken();
    const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86400_000) : null;
    const row = await this.db.apiToken.create({
      data: { id: randomUUID(), tokenHash: hashToken(token), kind: "api", name, userId, expiresAt },
    });
    await this.audit.record({ actorId: userId, action: "token.created", subject: row.id, details: { name } });
    return { id: row.id, name, token, expiresAt };
  }

  listApiTokens(userId: string) {
    return this.db.apiToken.findMany({
      where: { userId, kind: "api", revokedAt: null },
      select: { id: true, name: true, createdAt: true, expiresAt: true },
      orderBy: { createdAt: "asc" },
    });
  }

  async revokeToken(userId: string, tokenId: string): Promise<void> {
    const { count } = await this.db.apiToken.updateMany({
      where: { id: tokenId, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw notFound("token");
    this.forgetUser(userId);
    await this.audit.record({ actorId: userId, action: "token.revoked", subject: tokenId });
  }

  /** The principal a bearer token stands for, or null when it is unknown, expired or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const tokenHash = hashToken(token);
    const cached = this.principals.get(tokenHash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const principal = await this.lookup(tokenHash);
    if (principal) {
      if (this.principals.size >= PRINCIPAL_CACHE_MAX) this.principals.clear();
      this.principals.set(tokenHash, { principal, until: Date.now() + PRINCIPAL_CACHE_MS });
    } else {
      this.principals.delete(tokenHash);
    }
    return principal;
  }

  /** Forgets cached principals of a user (after a revocation or a password change). */
  private forgetUser(userId: string): void {
    for (const [k, v] of this.principals) if (v.principal.userId === userId) this.principals.delete(k);
  }

  private async lookup(tokenHash: string): Promise<Principal | null> {
    const row = await this.db.apiToken.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now()) || row.user.disabledAt || row.user.status !== "active") {
      return null;
    }
    return {
      userId: row.user.id,
      email: row.user.email,
      name: row.user.name,
      role: row.user.role as Role,
      organizationId: row.user.organizationId,
      orgAdmin: row.user.orgAdmin && row.user.organizationId !== null,
      tokenId: row.id,
    };
  }

  /** The signed-in user, with their organisation. */
  async me(id: string) {
    const u = await this.db.user.findUnique({ where: { id }, include: { organization: true } });
    if (!u) throw notFound("user");
    const o = u.organization;
    return { ...publicUser(u), organization: o ? { id: o.id, name: o.name, kind: o.kind, creditCode: o.creditCode } : null };
  }

  async getUser(id: string) {
    const u = await this.db.user.findUnique({ where: { id } });
    return u ? publicUser(u) : null;
  }

  /** The users with these ids that exist (disabled ones included), by id. */
  async usersByIds(ids: string[]): Promise<Map<string, PublicUser>> {
    if (!ids.length) return new Map();
    const rows = await this.db.user.findMany({ where: { id: { in: [...new Set(ids)] } } });
    return new Map(rows.map((u) => [u.id, publicUser(u)]));
  }

  getOrganization(id: string) {
    return this.db.organization.findUnique({ where: { id } });
  }

  /** The users with these e-mail addresses (compared in lower case) that exist, by lower-cased address. */
  async usersByEmails(emails: string[]): Promise<Map<string, PublicUser>> {
    if (!emails.length) return new Map();
    const rows = await this.db.user.findMany({ where: { email: { in: [...new Set(emails.map((e) => e.trim().toLowerCase()))] } } });
    return new Map(rows.map((u) => [u.email.toLowerCase(), publicUser(u)]));
  }

  async userByEmail(email: string): Promise<PublicUser | null> {
    const u = await this.db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
    return u ? publicUser(u) : null;
  }
}
