// The directory: people and organisations found by name, e-mail or unified social credit code,
// within what the asker may see (visibility.ts). Disabled accounts are never found.
import type { Db } from "../db/client";
import type { Principal, Role } from "../accounts/roles";
import { peopleScope } from "./visibility";

/** A substring match that ignores letter case on both databases: SQLite's LIKE already does for
 *  ASCII, PostgreSQL's needs Prisma's insensitive mode (which the SQLite client does not know). */
function containsText(q: string, provider: "sqlite" | "postgresql") {
  return (provider === "postgresql" ? { contains: q, mode: "insensitive" } : { contains: q }) as { contains: string };
}

export interface PeopleQuery {
  q?: string;
  role?: Role;
  organizationId?: string;
  limit: number;
}

export class DirectoryService {
  constructor(
    private readonly db: Db,
    private readonly provider: "sqlite" | "postgresql",
  ) {}

  private match(q: string) {
    return containsText(q, this.provider);
  }

  async people(p: Principal, query: PeopleQuery) {
    const scope = peopleScope(p);
    if (!scope.all && !scope.organizationId) return [];
    const q = query.q?.trim();
    const rows = await this.db.user.findMany({
      where: {
        disabledAt: null,
        role: query.role ? query.role : { not: "admin" },
        ...(scope.all ? {} : { organizationId: scope.organizationId }),
        ...(query.organizationId ? { AND: [{ organizationId: query.organizationId }] } : {}),
        ...(q ? { OR: [{ email: { contains: q.toLowerCase() } }, { name: this.match(q) }, { organization: { name: this.match(q) } }] } : {}),
      },
      include: { organization: true },
      orderBy: [{ name: "asc" }, { email: "asc" }],
      take: query.limit,
    });
    return rows.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.role,
      status: u.status,
      organization: u.organization ? { id: u.organization.id, name: u.organization.name, kind: u.organization.kind } : null,
    }));
  }

  async organizations(query: { q?: string; kind?: string; limit: number }) {
    const q = query.q?.trim();
    const rows = await this.db.organization.findMany({
      where: {
        ...(query.kind ? { kind: query.kind } : {}),
        ...(q ? { OR: [{ name: this.match(q) }, { creditCode: { contains: q.toUpperCase() } }] } : {}),
      },
      orderBy: { name: "asc" },
      take: query.limit,
    });
    return rows.map((o) => ({ id: o.id, name: o.name, kind: o.kind, creditCode: o.creditCode }));
  }
}
