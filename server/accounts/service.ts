// Accounts: organisations, users, login sessions and machine tokens. Tokens are random 256-bit
// values; only their SHA-256 is stored, so a leaked database does not leak usable tokens.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../http/errors";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import type { Principal, Role } from "./roles";
import type { AuditService } from "../audit/service";

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
  createdAt: Date;
}

const publicUser = (u: PublicUser): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  organizationId: u.organizationId,
  createdAt: u.createdAt,
});

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

  async createOrganization(input: { name: string; creditCode?: string }, actorId?: string) {
    if (input.creditCode) {
      const clash = await this.db.organization.findUnique({ where: { creditCode: input.creditCode } });
      if (clash) throw new ApiError(409, "duplicate", "an organisation with this credit code exists");
    }
    const org = await this.db.organization.create({ data: { id: randomUUID(), name: input.name, creditCode: input.creditCode ?? null } });
    await this.audit.record({ actorId: actorId ?? null, action: "organization.created", subject: org.id, details: { name: org.name, creditCode: org.creditCode } });
    return org;
  }

  listOrganizations() {
    return this.db.organization.findMany({ orderBy: { createdAt: "asc" } });
  }

  async createUser(input: { email: string; name: string; password: string; role: Role; organizationId?: string }, actorId?: string) {
    const email = input.email.toLowerCase();
    if (await this.db.user.findUnique({ where: { email } })) {
      throw new ApiError(409, "duplicate", "a user with this email exists");
    }
    if (input.organizationId && !(await this.db.organization.findUnique({ where: { id: input.organizationId } }))) {
      throw notFound("organisation");
    }
    const user = await this.db.user.create({
      data: {
        id: randomUUID(),
        email,
        name: input.name,
        role: input.role,
        organizationId: input.organizationId ?? null,
        passwordHash: await hashPassword(input.password),
      },
    });
    await this.audit.record({ actorId: actorId ?? null, action: "user.created", subject: user.id, details: { email, role: input.role, organizationId: user.organizationId } });
    return publicUser(user);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.db.user.findMany({ orderBy: { createdAt: "asc" } })).map(publicUser);
  }

  async login(emailRaw: string, password: string): Promise<{ token: string; expiresAt: Date }> {
    const user = await this.db.user.findUnique({ where: { email: emailRaw.toLowerCase() } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !ok || user.disabledAt) throw new ApiError(401, "invalid_credentials", "wrong email or password");
    const expiresAt = new Date(Date.now() + this.sessionTtlHours * 3600_000);
    const token = newToken();
    const session = await this.db.apiToken.create({
      data: { id: randomUUID(), tokenHash: hashToken(token), kind: "session", userId: user.id, expiresAt },
    });
    await this.audit.record({ actorId: user.id, action: "session.created", subject: session.id });
    return { token, expiresAt };
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
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now()) || row.user.disabledAt) {
      return null;
    }
    return {
      userId: row.user.id,
      email: row.user.email,
      name: row.user.name,
      role: row.user.role as Role,
      organizationId: row.user.organizationId,
      tokenId: row.id,
    };
  }

  async getUser(id: string) {
    const u = await this.db.user.findUnique({ where: { id } });
    return u ? publicUser(u) : null;
  }

  /** The users with these ids that exist (disabled ones included), by id. */
  async usersByIds(ids: string[]): Promise<Map<string, PublicUser & { disabled: boolean }>> {
    if (!ids.length) return new Map();
    const rows = await this.db.user.findMany({ where: { id: { in: [...new Set(ids)] } } });
    return new Map(rows.map((u) => [u.id, { ...publicUser(u), disabled: u.disabledAt !== null }]));
  }

  getOrganization(id: string) {
    return this.db.organization.findUnique({ where: { id } });
  }

  /** The users with these e-mail addresses (compared in lower case) that exist, by lower-cased address. */
  async usersByEmails(emails: string[]): Promise<Map<string, PublicUser & { disabled: boolean }>> {
    if (!emails.length) return new Map();
    const rows = await this.db.user.findMany({ where: { email: { in: [...new Set(emails.map((e) => e.trim().toLowerCase()))] } } });
    return new Map(rows.map((u) => [u.email.toLowerCase(), { ...publicUser(u), disabled: u.disabledAt !== null }]));
  }
}
