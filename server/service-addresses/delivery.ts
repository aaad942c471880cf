// Service at the confirmed addresses. When a judge serves a document (cases/service.ts recordService),
// inside the same transaction: the party's latest confirmation is looked up; with its consent each
// confirmed e-mail address gets a mail through the outbox carrying a link (a token derived from the
// delivery's id, core/link-token.ts; only its hash is stored) and each confirmed phone a text
// message. There is no SMS gateway: a text message is kept in TextMessage, not-sent, for a person to
// read. Without consent (or with no confirmation) nothing beyond the inbox is sent, and the service's
// row says so. Opening a mailed link records the receipt once, anchored as an inbox receipt is.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { Db, Tx } from "../db/client";
import type { EvidenceService } from "../evidence/service";
import type { AuditEvent } from "../audit/service";
import { changeWithAudit } from "../audit/service";
import { enqueueLeaves, statusOfBatch } from "../anchoring/queue";
import { bundleForLeaf } from "../anchoring/proof";
import { enqueueMail } from "../notifications/outbox";
import { tokenHash, type LinkSecrets } from "../core/link-token";
import { notFound } from "../http/errors";
import type { ConfirmedAddresses } from "./addresses";

/** The record anchored when a mailed link is first opened (its own leaf, kind "delivery-receipt"). */
export interface AddressReceiptRecord {
  type: "address-delivery-receipt";
  /** the address delivery's id: one receipt per address */
  id: string;
  case: { id: string; number: string };
  service: { id: string; servedAt: string };
  document: { evidenceId: string; sha256: string };
  channel: "email";
  address: string;
  openedAt: string;
  client: { ip: string | null; userAgent: string | null };
}

export interface ServedContext {
  documentId: string;
  courtCase: { id: string; number: string; court: string };
  party: { id: string; name: string };
  title: string;
  servedAt: Date;
}

/** What service did beyond the inbox; "missing": the party has not consented (or confirmed nothing). */
export interface AddressServiceSummary {
  consent: "given" | "missing";
  confirmationId: string | null;
  emails: string[];
  phones: string[];
}

/** A text message's words: no secret in it (it is kept readable), the inbox is where the document is. */
export function textMessageBody(s: ServedContext, publicUrl: string): string {
  return (
    `【电子证据存证平台】${s.courtCase.court}在案件${s.courtCase.number}中向${s.party.name}送达了《${s.title}》。` +
    `请登录平台“送达文书”或打开送达邮件中的链接查看：${publicUrl}/workspace/#/inbox ` +
    `[Court document served in case ${s.courtCase.number}: "${s.title}". Open it in the platform inbox or from the service e-mail.]`
  );
}

class AlreadyOpened extends Error {}

export class AddressDeliveries {
  constructor(
    private readonly db: Db,
    private readonly evidence: EvidenceService,
    private readonly secrets: LinkSecrets,
    private readonly publicUrl: string,
  ) {}

  /** Inside the service's transaction: sends to every confirmed address the party consented to, and records it. */
  async serve(tx: Tx, s: ServedContext, audit: (e: AuditEvent) => void, actorId: string): Promise<AddressServiceSummary> {
    const latest = await tx.serviceAddressConfirmation.findFirst({
      where: { caseId: s.courtCase.id, partyId: s.party.id },
      orderBy: [{ confirmedAt: "desc" }, { id: "desc" }],
    });
    const consent = latest?.consent === true;
    await tx.addressService.create({
      data: { documentId: s.documentId, caseId: s.courtCase.id, partyId: s.party.id, confirmationId: latest?.id ?? null, consent, at: s.servedAt },
    });
    const summary: AddressServiceSummary = { consent: consent ? "given" : "missing", confirmationId: latest?.id ?? null, emails: [], phones: [] };
    if (!latest || !consent) {
      audit({ actorId, action: "case.service-consent-missing", subject: s.documentId, details: { caseId: s.courtCase.id, partyId: s.party.id, confirmationId: latest?.id ?? null } });
      return summary;
    }
    const addresses = JSON.parse(latest.addresses) as ConfirmedAddresses;
    for (const address of addresses.emails) {
      const id = randomUUID();
      const [mailId] = await enqueueMail(tx, [
        {
          template: "address-service",
          params: { deliveryId: id, title: s.title, caseNumber: s.courtCase.number, court: s.courtCase.court, party: s.party.name, servedAt: s.servedAt.toISOString() },
          to: address,
          topic: `case:${s.courtCase.id}`,
        },
      ]);
      await tx.addressDelivery.create({
        data: { id, documentId: s.documentId, channel: "email", address, linkHash: tokenHash(this.secrets.token("service-delivery", id)), mailId, sentAt: s.servedAt },
      });
      summary.emails.push(address);
    }
    for (const phone of addresses.phones) {
      const textId = randomUUID();
      await tx.textMessage.create({
        data: { id: textId, toNumber: phone, body: textMessageBody(s, this.publicUrl), topic: `case:${s.courtCase.id}`, status: "not-sent", createdAt: s.servedAt },
      });
      await tx.addressDelivery.create({
        data: { id: randomUUID(), documentId: s.documentId, channel: "sms", address: phone, textMessageId: textId, sentAt: s.servedAt },
      });
      summary.phones.push(phone);
    }
    audit({
      actorId,
      action: "case.document-sent-to-addresses",
      subject: s.documentId,
      details: { caseId: s.courtCase.id, partyId: s.party.id, confirmationId: latest.id, emails: summary.emails, phones: summary.phones },
    });
    return summary;
  }

  /** Per served document: the consent that held, and per address what was sent, when, and when it was received. */
  async describe(documentIds: string[]) {
    if (!documentIds.length) return new Map<string, AddressServiceView>();
    const [services, deliveries] = await Promise.all([
      this.db.addressService.findMany({ where: { documentId: { in: documentIds } } }),
      this.db.addressDelivery.findMany({ where: { documentId: { in: documentIds } }, orderBy: [{ channel: "asc" }, { address: "asc" }] }),
    ]);
    const mailIds = deliveries.flatMap((d) => (d.mailId ? [d.mailId] : []));
    const textIds = deliveries.flatMap((d) => (d.textMessageId ? [d.textMessageId] : []));
    const [mails, texts, leaves] = await Promise.all([
      this.db.mailMessage.findMany({ where: { id: { in: mailIds } }, select: { id: true, status: true, sentAt: true, lastError: true } }),
      this.db.textMessage.findMany({ where: { id: { in: textIds } } }),
      this.db.leaf.findMany({
        where: { seq: { in: deliveries.flatMap((d) => (d.receiptLeafSeq === null ? [] : [d.receiptLeafSeq])) } },
        select: { seq: true, batch: { select: { status: true } } },
      }),
    ]);
    const mailOf = new Map(mails.map((m) => [m.id, m]));
    const textOf = new Map(texts.map((t) => [t.id, t]));
    const leafOf = new Map(leaves.map((l) => [l.seq, l]));
    const out = new Map<string, AddressServiceView>();
    for (const s of services) {
      const list = [];
      for (const d of deliveries.filter((x) => x.documentId === s.documentId)) {
        const mail = d.mailId ? mailOf.get(d.mailId) : undefined;
        const text = d.textMessageId ? textOf.get(d.textMessageId) : undefined;
        const leaf = d.receiptLeafSeq === null ? undefined : leafOf.get(d.receiptLeafSeq);
        list.push({
          id: d.id,
          channel: d.channel as "email" | "sms",
          address: d.address,
          sentAt: d.sentAt.toISOString(),
          mail: mail ? { id: mail.id, status: mail.status, sentAt: mail.sentAt?.toISOString() ?? null, lastError: mail.lastError } : null,
          text: text ? { id: text.id, status: text.status, body: text.body } : null,
          openedAt: d.openedAt?.toISOString() ?? null,
          ip: d.openedIp,
          userAgent: d.openedUserAgent,
          receipt: d.receiptLeafSeq !== null && leaf ? { status: statusOfBatch(leaf.batch), bundle: await bundleForLeaf(this.db, d.receiptLeafSeq) } : null,
        });
      }
      out.set(s.documentId, { consent: s.consent ? "given" : "missing", confirmationId: s.confirmationId, deliveries: list });
    }
    return out;
  }

  /**
   * Opens a served document from the link mailed to a confirmed address. The first opening records
   * the receipt and queues its record as a leaf, in one transaction; later openings change nothing.
   */
  async open(token: string, client: { ip: string | null; userAgent: string | null }): Promise<{ stream: Readable; item: { id: string; sha256: string; size: number | null; fileName: string | null; mediaType: string | null } }> {
    const d = /^srv_[A-Za-z0-9_-]{43}$/.test(token) ? await this.db.addressDelivery.findUnique({ where: { linkHash: tokenHash(token) } }) : null;
    if (!d) throw notFound("link");
    const doc = await this.db.servedDocument.findUniqueOrThrow({ where: { id: d.documentId }, include: { courtCase: true } });
    if (!d.openedAt) {
      const item = (await this.evidence.itemsByIds([doc.evidenceId])).get(doc.evidenceId);
      if (!item) throw notFound("document");
      try {
        await changeWithAudit(this.db, async (tx, audit) => {
          const openedAt = new Date();
          const record: AddressReceiptRecord = {
            type: "address-delivery-receipt",
            id: d.id,
            case: { id: doc.caseId, number: doc.courtCase.number },
            service: { id: doc.id, servedAt: doc.servedAt.toISOString() },
            document: { evidenceId: item.id, sha256: item.sha256 },
            channel: "email",
            address: d.address,
            openedAt: openedAt.toISOString(),
            client,
          };
          const [seq] = await enqueueLeaves(tx, "delivery-receipt", [record]);
          const { count } = await tx.addressDelivery.updateMany({
            where: { id: d.id, openedAt: null },
            data: { openedAt, openedIp: client.ip, openedUserAgent: client.userAgent, receiptLeafSeq: seq },
          });
          // Opened at the same moment by another request: its receipt stands, this leaf is rolled back.
          if (count !== 1) throw new AlreadyOpened();
          audit({ actorId: null, action: "case.document-opened-by-link", subject: d.id, details: { caseId: doc.caseId, serviceId: doc.id, channel: "email", leafSeq: seq } });
        });
      } catch (e) {
        if (!(e instanceof AlreadyOpened)) throw e;
      }
    }
    return this.evidence.storedContent(doc.evidenceId);
  }

  /** The text messages kept for lack of a gateway, newest first (administrators read them). */
  async textMessages(limit: number) {
    const rows = await this.db.textMessage.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
    return {
      gateway: null,
      messages: rows.map((t) => ({ id: t.id, to: t.toNumber, body: t.body, topic: t.topic, status: t.status, createdAt: t.createdAt.toISOString() })),
    };
  }
}

export interface AddressServiceView {
  consent: "given" | "missing";
  confirmationId: string | null;
  deliveries: {
    id: string;
    channel: "email" | "sms";
    address: string;
    sentAt: string;
    mail: { id: string; status: string; sentAt: string | null; lastError: string | null } | null;
    text: { id: string; status: string; body: string } | null;
    openedAt: string | null;
    ip: string | null;
    userAgent: string | null;
    receipt: { status: string; bundle: unknown } | null;
  }[];
}
