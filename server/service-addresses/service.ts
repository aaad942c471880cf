// Service address confirmations (送达地址确认书): a member of a party confirms the party's addresses
// and whether it consents to electronic service; the platform renders the confirmation, signs it
// with the confirming person's own certificate (PAdES B-T), keeps it as an evidence item (hashed,
// anchored) and a row. The latest confirmation of a party counts; earlier ones stay, superseded.
// The court reads per party what was confirmed; what service does with it is delivery.ts.
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Db, Tx } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { EvidenceService, AcceptedItem } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import { changeWithAudit } from "../audit/service";
import { ApiError, forbidden, notFound } from "../http/errors";
import { signPdf } from "../pdf/pades";
import { chinaTime } from "../contracts/format";
import { enqueueMail, type MailInput } from "../notifications/outbox";
import { decideAddresses, seesParty, ADDRESS_MATRIX, type AddressAction, type AddressRelation } from "./access";
import { addressesOf, type ConfirmationInput, type ConfirmedAddresses } from "./addresses";
import { renderConfirmation, STAMP_RECT } from "./render";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type CaseRow = NonNullable<Awaited<ReturnType<Db["courtCase"]["findUnique"]>>>;
type ConfirmationRow = NonNullable<Awaited<ReturnType<Db["serviceAddressConfirmation"]["findUnique"]>>>;

const CASE_CLOSED = () => new ApiError(409, "case_closed", "the case is closed: it accepts no more changes");

export interface AddressAccess {
  action: AddressAction;
  courtCase: CaseRow;
  relation: Exclude<AddressRelation, "outsider">;
  ownPartyId: string | null;
}

export interface ServiceAddressesDeps {
  db: Db;
  evidence: EvidenceService;
  identity: IdentityService;
  store: ContentStore;
}

export class ServiceAddressesService {
  constructor(private readonly d: ServiceAddressesDeps) {}

  /** What the principal is to the case, decided by access.ts: 404 for outsiders, 403 when not allowed, 409 for a change to a closed case. */
  async authorize(action: AddressAction, principal: Principal, caseId: string): Promise<AddressAccess> {
    const { db } = this.d;
    const courtCase = UUID.test(caseId) ? await db.courtCase.findUnique({ where: { id: caseId } }) : null;
    if (!courtCase) throw notFound("case");
    const [judge, member] = await Promise.all([
      db.caseJudge.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
      db.casePartyMember.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
    ]);
    const clerk = principal.role === "clerk" && courtCase.courtId !== null && principal.organizationId === courtCase.courtId;
    const relation: AddressRelation = judge ? "judge" : clerk ? "clerk" : member ? "party" : "outsider";
    const outcome = decideAddresses(action, relation);
    if (outcome === "hidden" || relation === "outsider") throw notFound("case");
    if (outcome === "forbidden") throw forbidden("your part in this case does not allow this");
    if (ADDRESS_MATRIX[action].changes && courtCase.status !== "open") throw CASE_CLOSED();
    return { action, courtCase, relation, ownPartyId: relation === "party" ? member!.partyId : null };
  }

  /** Confirms the principal's party's addresses: rendered, signed with the principal's certificate, anchored, recorded. */
  async confirm(principal: Principal, access: AddressAccess, input: ConfirmationInput) {
    const { db, evidence, identity, store } = this.d;
    const c = access.courtCase;
    const partyId = access.ownPartyId!;
    const signer = await identity.signerForUser(principal.userId);
    if (!signer) {
      throw new ApiError(409, "certificate_required", "your current certificate's key is held by you; signing the confirmation needs a certificate whose key the platform holds");
    }
    const party = await db.caseParty.findUniqueOrThrow({ where: { id: partyId } });
    const previous = await this.latest(db, c.id, partyId);
    const organization = principal.organizationId ? ((await db.organization.findUnique({ where: { id: principal.organizationId }, select: { name: true } }))?.name ?? null) : null;
    const id = randomUUID();
    const at = new Date();
    const addresses = addressesOf(input);
    const pdf = await renderConfirmation({
      id,
      courtCase: { number: c.number, court: c.court, causeOfAction: c.causeOfAction },
      party: { name: party.name, kind: party.kind },
      addresses,
      consent: input.consent,
      confirmedBy: { name: principal.name, role: principal.role, organization },
      confirmedAt: at,
      supersedes: previous ? { id: previous.id, confirmedAt: previous.confirmedAt } : null,
    });
    const signed = await signPdf(pdf, signer, {
      fieldName: `address-confirmation-${id.slice(0, 8)}`,
      reason: `送达地址确认 Addresses for service confirmed for ${party.name}`,
      signingTime: at,
      stamp: { page: 0, rect: STAMP_RECT, lines: [principal.name, organization ?? party.name, chinaTime(at, false)] },
      timestamp: (sig) => identity.timestamp(createHash("sha256").update(sig).digest()),
    });
    const staged = await store.stage(Readable.from([signed]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: signed.length });
    let item: AcceptedItem;
    try {
      item = await evidence.acceptFile(principal, staged, {
        title: `送达地址确认书 Address confirmation — ${c.number} — ${party.name}`,
        source: `service address confirmation, case ${c.number}`,
        fileName: `address-confirmation-${id}.pdf`,
        mediaType: "application/pdf",
        restricted: true,
      });
    } catch (e) {
      await staged.discard();
      throw e;
    }
    await changeWithAudit(db, async (tx, audit) => {
      // Writing the case row takes its lock (PostgreSQL): a close waits for this, or this sees the close.
      const { count } = await tx.courtCase.updateMany({ where: { id: c.id, status: "open" }, data: { status: "open" } });
      if (count !== 1) throw CASE_CLOSED();
      await tx.serviceAddressConfirmation.create({
        data: { id, caseId: c.id, partyId, addresses: JSON.stringify(addresses), consent: input.consent, evidenceId: item.id, confirmedById: principal.userId, confirmedAt: at },
      });
      audit({
        actorId: principal.userId,
        action: "case.service-addresses-confirmed",
        subject: id,
        details: {
          caseId: c.id,
          partyId,
          consent: input.consent,
          emails: addresses.emails.length,
          phones: addresses.phones.length,
          postal: !!addresses.postal,
          evidenceId: item.id,
          sha256: item.sha256,
          supersedes: previous?.id ?? null,
        },
      });
      await this.tellJudges(tx, c, party.name, input.consent, at);
    });
    const row = await db.serviceAddressConfirmation.findUniqueOrThrow({ where: { id } });
    return (await this.present([row]))[0];
  }

  private async tellJudges(tx: Tx, c: CaseRow, party: string, consent: boolean, at: Date): Promise<void> {
    const judges = await tx.caseJudge.findMany({ where: { caseId: c.id }, select: { userId: true } });
    const users = await tx.user.findMany({ where: { id: { in: judges.map((j) => j.userId) }, disabledAt: null, status: "active" } });
    const mails: MailInput[] = users.map((u) => ({
      template: "address-confirmed",
      params: { name: u.name, caseId: c.id, caseNumber: c.number, court: c.court, party, consent, confirmedAt: at.toISOString() },
      to: u.email,
      recipientId: u.id,
      topic: `case:${c.id}`,
    }));
    await enqueueMail(tx, mails);
  }

  private latest(db: Db | Tx, caseId: string, partyId: string) {
    return db.serviceAddressConfirmation.findFirst({ where: { caseId, partyId }, orderBy: [{ confirmedAt: "desc" }, { id: "desc" }] });
  }

  /** Per party the reader may see: whether it consents, the confirmation that counts, and the ones it superseded. */
  async list(access: AddressAccess) {
    const { db } = this.d;
    const c = access.courtCase;
    const parties = (await db.caseParty.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" } })).filter((p) =>
      seesParty(access.relation, access.ownPartyId, p.id),
    );
    const rows = await db.serviceAddressConfirmation.findMany({
      where: { caseId: c.id, partyId: { in: parties.map((p) => p.id) } },
      orderBy: [{ confirmedAt: "desc" }, { id: "desc" }],
    });
    const presented = await this.present(rows);
    return {
      caseId: c.id,
      you: { relation: access.relation, partyId: access.ownPartyId },
      parties: parties.map((p) => {
        const mine = presented.filter((r) => r.partyId === p.id);
        const current = mine[0] ?? null;
        return {
          party: { id: p.id, name: p.name, kind: p.kind },
          consent: current ? current.consent : null,
          current,
          superseded: mine.slice(1),
        };
      }),
    };
  }

  private async present(rows: ConfirmationRow[]) {
    const items = await this.d.evidence.itemsByIds(rows.map((r) => r.evidenceId));
    const users = await this.d.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.confirmedById))] } }, select: { id: true, name: true } });
    const names = new Map(users.map((u) => [u.id, u.name]));
    return rows.map((r) => {
      const item = items.get(r.evidenceId);
      return {
        id: r.id,
        caseId: r.caseId,
        partyId: r.partyId,
        consent: r.consent,
        addresses: JSON.parse(r.addresses) as ConfirmedAddresses,
        confirmedBy: { id: r.confirmedById, name: names.get(r.confirmedById) ?? null },
        confirmedAt: r.confirmedAt.toISOString(),
        document: {
          url: `/api/cases/${r.caseId}/service-addresses/${r.id}/document`,
          evidenceId: r.evidenceId,
          sha256: item?.sha256 ?? null,
          size: item?.size ?? null,
          anchoring: item?.status ?? null,
        },
      };
    });
  }

  /** The signed PDF of one confirmation; another party's is hidden from a party member. */
  async document(access: AddressAccess, confirmationId: string) {
    const row = UUID.test(confirmationId)
      ? await this.d.db.serviceAddressConfirmation.findFirst({ where: { id: confirmationId, caseId: access.courtCase.id } })
      : null;
    if (!row || !seesParty(access.relation, access.ownPartyId, row.partyId)) throw notFound("confirmation");
    return this.d.evidence.storedContent(row.evidenceId);
  }
}
