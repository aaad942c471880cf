// Organisation seals: an organisation's administrator creates them (each with its own organisation
// certificate from the platform CA), authorises members to apply them and revokes that, and retires
// a seal; members see them. Every change is one transaction with its audit entry. Signing features
// ask `authorisedSeal` whether a person may apply a seal of a kind now.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import { changeWithAudit } from "../audit/service";
import { ApiError, badRequest, notFound } from "../http/errors";
import type { IdentityService } from "../identity/service";
import type { OrganizationsService } from "../organizations/service";
import type { OrgAction } from "../organizations/access";
import { isValidCreditCode } from "../core/credit-code";
import { sealPreviewPdf } from "./appearance";
import { authorisedSeal } from "./queries";
import type { SealKind } from "./kinds";

type SealRow = NonNullable<Awaited<ReturnType<Db["seal"]["findUnique"]>>>;
type GrantRow = NonNullable<Awaited<ReturnType<Db["sealGrant"]["findUnique"]>>>;
type OrgRow = Awaited<ReturnType<OrganizationsService["authorize"]>>;

export interface NewSeal {
  kind: SealKind;
  name: string;
  code?: string;
  image?: { bytes: Buffer; type: "image/png" | "image/jpeg" };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const presentGrant = (g: GrantRow) => ({
  id: g.id,
  userId: g.userId,
  grantedBy: g.grantedBy,
  grantedAt: g.grantedAt.toISOString(),
  revokedAt: g.revokedAt?.toISOString() ?? null,
  revokedBy: g.revokedBy,
});

const presentSeal = (s: SealRow & { grants?: GrantRow[] }) => ({
  id: s.id,
  organizationId: s.organizationId,
  kind: s.kind,
  name: s.name,
  code: s.code,
  form: s.form,
  certificateId: s.certificateId,
  createdAt: s.createdAt.toISOString(),
  retiredAt: s.retiredAt?.toISOString() ?? null,
  ...(s.grants ? { grants: s.grants.map(presentGrant) } : {}),
});

export class SealsService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrganizationsService,
    private readonly identity: IdentityService,
  ) {}

  authorize(action: OrgAction, p: Principal, organizationId: string): Promise<OrgRow> {
    return this.orgs.authorize(action, p, organizationId);
  }

  private async sealOf(org: OrgRow, sealId: string): Promise<SealRow> {
    const s = UUID.test(sealId) ? await this.db.seal.findUnique({ where: { id: sealId } }) : null;
    if (!s || s.organizationId !== org.id) throw notFound("seal");
    return s;
  }

  async create(p: Principal, org: OrgRow, input: NewSeal) {
    // The certificate names the organisation by its credit code: without a correct one there is no seal.
    if (!org.creditCode) throw new ApiError(409, "credit_code_required", "the organisation has no unified social credit code: a seal's certificate must name it");
    if (!isValidCreditCode(org.creditCode)) {
      throw badRequest("invalid_credit_code", `the organisation's unified social credit code ${org.creditCode} fails its check character (GB 32100-2015)`);
    }
    const cert = await this.identity.issue({ organizationId: org.id }, undefined, p.userId);
    const id = randomUUID();
    const seal = await changeWithAudit(this.db, async (tx, audit) => {
      const row = await tx.seal.create({
        data: {
          id,
          organizationId: org.id,
          kind: input.kind,
          name: input.name,
          code: input.code ?? null,
          form: input.image ? "image" : "drawn",
          image: input.image ? new Uint8Array(input.image.bytes) : null,
          imageType: input.image?.type ?? null,
          certificateId: cert.id,
          createdBy: p.userId,
        },
      });
      audit({ actorId: p.userId, action: "seal.created", subject: id, details: { organizationId: org.id, kind: input.kind, name: input.name, form: row.form, certificateId: cert.id } });
      return row;
    });
    return { ...presentSeal({ ...seal, grants: [] }), certificate: { serialHex: cert.serialHex, subject: cert.subject } };
  }

  async list(org: OrgRow) {
    const rows = await this.db.seal.findMany({ where: { organizationId: org.id }, orderBy: { createdAt: "asc" }, include: { grants: { orderBy: { grantedAt: "asc" } } } });
    return rows.map(presentSeal);
  }

  async get(org: OrgRow, sealId: string) {
    const s = await this.sealOf(org, sealId);
    const grants = await this.db.sealGrant.findMany({ where: { sealId: s.id }, orderBy: { grantedAt: "asc" } });
    return presentSeal({ ...s, grants });
  }

  async appearance(org: OrgRow, sealId: string): Promise<Buffer> {
    const s = await this.sealOf(org, sealId);
    return sealPreviewPdf({ ...s, organization: org.name });
  }

  /** Authorises a member of the organisation to apply the seal (one live grant per member). */
  async grant(p: Principal, org: OrgRow, sealId: string, userId: string) {
    const s = await this.sealOf(org, sealId);
    if (s.retiredAt) throw new ApiError(409, "seal_retired", "the seal is retired");
    const user = UUID.test(userId) ? await this.db.user.findUnique({ where: { id: userId } }) : null;
    if (!user || user.organizationId !== org.id) throw badRequest("not_a_member", "userId: not a member of this organisation");
    if (user.disabledAt) throw new ApiError(409, "member_disabled", "the member's account is disabled");
    return changeWithAudit(this.db, async (tx, audit) => {
      const live = await tx.sealGrant.findFirst({ where: { sealId: s.id, userId, revokedAt: null } });
      if (live) throw new ApiError(409, "already_granted", "the member already holds a live authorisation for this seal");
      const g = await tx.sealGrant.create({ data: { id: randomUUID(), sealId: s.id, userId, grantedBy: p.userId } });
      audit({ actorId: p.userId, action: "seal.granted", subject: s.id, details: { organizationId: org.id, userId, grantId: g.id } });
      return presentGrant(g);
    });
  }

  /** Ends a member's authorisation at once: the next signature with the seal is refused. */
  async revoke(p: Principal, org: OrgRow, sealId: string, userId: string) {
    const s = await this.sealOf(org, sealId);
    return changeWithAudit(this.db, async (tx, audit) => {
      const at = new Date();
      const u = await tx.sealGrant.updateMany({ where: { sealId: s.id, userId, revokedAt: null }, data: { revokedAt: at, revokedBy: p.userId } });
      if (u.count === 0) throw notFound("live authorisation");
      audit({ actorId: p.userId, action: "seal.revoked", subject: s.id, details: { organizationId: org.id, userId } });
    });
  }

  /** Retires a seal: nobody applies it any more; it stays listed for the documents it sealed. */
  async retire(p: Principal, org: OrgRow, sealId: string) {
    const s = await this.sealOf(org, sealId);
    return changeWithAudit(this.db, async (tx, audit) => {
      const at = new Date();
      const u = await tx.seal.updateMany({ where: { id: s.id, retiredAt: null }, data: { retiredAt: at, retiredBy: p.userId } });
      if (u.count === 0) throw new ApiError(409, "seal_retired", "the seal is already retired");
      audit({ actorId: p.userId, action: "seal.retired", subject: s.id, details: { organizationId: org.id } });
      return presentSeal({ ...s, retiredAt: at, retiredBy: p.userId });
    });
  }

  /** The live seal of `kind` the person may apply now, or null (queries.ts). */
  authorisedSeal(organizationId: string, kind: string, userId: string) {
    return authorisedSeal(this.db, organizationId, kind, userId);
  }
}
