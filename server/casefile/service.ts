// The electronic case file (电子卷宗): every document of a case gathered from its sources in time
// order, seen by each reader in the part access.ts gives them, and exported on demand as one sealed
// PDF that is itself anchored as evidence (a new version each time; every version stays).
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { PDFDocument } from "pdf-lib";
import type { Db } from "../db/client";
import type { Principal } from "../accounts/roles";
import type { EvidenceService } from "../evidence/service";
import type { IdentityService } from "../identity/service";
import type { ContentStore } from "../storage/content-store";
import { changeWithAudit } from "../audit/service";
import { canonicalBytes } from "../core/jcs";
import { ApiError, forbidden, notFound } from "../http/errors";
import { signPdf } from "../pdf/pades";
import { chinaTime } from "../contracts/format";
import { decide, sees, type CaseFileAction, type Relation } from "./access";
import { byTime, presentEntry, type CaseFileEntry } from "./entry";
import { SOURCES } from "./sources";
import { renderCaseFile, SEAL_RECT, type ExportEntry } from "./render";
import { KeyedLock } from "../contracts/locks";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type CaseRow = NonNullable<Awaited<ReturnType<Db["courtCase"]["findUnique"]>>>;

export interface CaseFileAccess {
  action: CaseFileAction;
  courtCase: CaseRow;
  relation: Exclude<Relation, "outsider">;
  ownPartyId: string | null;
}

/** A stored file whose bytes no longer hash to the digest it was accepted under: never exported. */
export class StoredFileChanged extends ApiError {
  constructor(evidenceId: string) {
    super(500, "stored_file_changed", `the stored file of evidence item ${evidenceId} no longer matches its SHA-256: the case file is not exported`);
  }
}

export class CaseFileService {
  /** One export at a time per case in this process; across instances the (case, version) key decides. */
  private readonly exporting = new KeyedLock();

  constructor(
    private readonly db: Db,
    private readonly store: ContentStore,
    private readonly evidence: EvidenceService,
    private readonly identity: IdentityService,
    private readonly publicUrl: string,
    /** the most original bytes one export embeds; files beyond it are listed with their digests only */
    private readonly embedMaxBytes: number = DEFAULT_EMBED_MAX_BYTES,
  ) {}

  /** What the principal is to the case, decided by access.ts; 404 for outsiders, 403 when not allowed. */
  async authorize(action: CaseFileAction, principal: Principal, caseId: string): Promise<CaseFileAccess> {
    const courtCase = UUID.test(caseId) ? await this.db.courtCase.findUnique({ where: { id: caseId } }) : null;
    if (!courtCase) throw notFound("case");
    const [judge, member] = await Promise.all([
      this.db.caseJudge.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
      this.db.casePartyMember.findUnique({ where: { caseId_userId: { caseId, userId: principal.userId } } }),
    ]);
    const clerk = principal.role === "clerk" && courtCase.courtId !== null && principal.organizationId === courtCase.courtId;
    const relation: Relation = judge ? "judge" : clerk ? "clerk" : member ? "party" : "outsider";
    const outcome = decide(action, relation);
    if (outcome === "hidden" || relation === "outsider") throw notFound("case");
    if (outcome === "forbidden") throw forbidden("your part in this case does not allow this");
    return { action, courtCase, relation, ownPartyId: relation === "party" ? member!.partyId : null };
  }

  /** Every entry of the case, in time order (before any visibility filter). */
  private async allEntries(courtCase: CaseRow): Promise<CaseFileEntry[]> {
    const parties = await this.db.caseParty.findMany({ where: { caseId: courtCase.id }, orderBy: { position: "asc" } });
    const ctx = {
      db: this.db,
      caseId: courtCase.id,
      filingId: courtCase.filingId,
      parties: new Map(parties.map((p) => [p.id, { name: p.name, kind: p.kind }])),
    };
    const lists = await Promise.all(SOURCES.map((s) => s(ctx)));
    return lists.flat().sort(byTime);
  }

  async view(access: CaseFileAccess) {
    const c = access.courtCase;
    const visible = (await this.allEntries(c)).filter((e) => sees(access.relation, access.ownPartyId, e.visibility));
    return {
      caseId: c.id,
      number: c.number,
      you: { relation: access.relation, partyId: access.ownPartyId },
      entries: visible.map((e, i) => presentEntry(e, i + 1)),
    };
  }

  async listExports(access: CaseFileAccess) {
    const rows = await this.db.caseFileExport.findMany({ where: { caseId: access.courtCase.id }, orderBy: { version: "asc" } });
    return { caseId: access.courtCase.id, exports: rows.map(presentExport) };
  }

  /** The stored PDF of one export, its digest checked again as it is read. */
  async exportPdf(access: CaseFileAccess, versionParam: string): Promise<{ pdf: Buffer; version: number }> {
    const version = /^[1-9]\d{0,8}$/.test(versionParam) ? Number(versionParam) : NaN;
    const row = Number.isFinite(version)
      ? await this.db.caseFileExport.findUnique({ where: { caseId_version: { caseId: access.courtCase.id, version } } })
      : null;
    if (!row) throw notFound("export");
    const pdf = await this.readVerified(row.evidenceId, row.sha256);
    if (!pdf) throw notFound("export file");
    return { pdf, version };
  }

  /**
   * Exports the whole file (every entry: an export is for the court) as version n+1: the catalogue
   * record anchored first (the cover's QR code names it), then the PDF rendered, sealed, anchored,
   * and recorded with its audit entry.
   */
  export(principal: Principal, access: CaseFileAccess) {
    return this.exporting.run(access.courtCase.id, () => this.exportNow(principal, access));
  }

  private async exportNow(principal: Principal, access: CaseFileAccess) {
    const c = access.courtCase;
    const entries = await this.allEntries(c);
    const last = await this.db.caseFileExport.findFirst({ where: { caseId: c.id }, orderBy: { version: "desc" }, select: { version: true } });
    const version = (last?.version ?? 0) + 1;
    const exportedAt = new Date();

    // The whole export is made in memory (pdf-lib), so what it embeds is bounded: files that do not
    // fit are never read, and the catalogue says where their originals are.
    const embedded = planEmbedding(entries.map((e) => (e.sha256 ? e.size : null)), this.embedMaxBytes);
    const withFiles: ExportEntry[] = [];
    for (const [i, e] of entries.entries()) {
      const bytes = embedded[i] && e.sha256 ? await this.readVerified(e.evidenceId, e.sha256) : null;
      withFiles.push({
        entry: e,
        bytes,
        pdf: bytes ? await asPdf(bytes, e.mediaType) : null,
        attachmentName: bytes ? attachmentName(i + 1, e) : null,
        notEmbedded: !embedded[i] && e.size !== null && !!e.sha256,
      });
    }

    const catalogue = canonicalBytes({
      type: "case-file-catalogue",
      caseId: c.id,
      number: c.number,
      version,
      exportedAt: exportedAt.toISOString(),
      entries: entries.map((e, i) => ({ number: i + 1, key: e.key, kind: e.kind, title: e.title, at: e.at.toISOString(), evidenceId: e.evidenceId, sha256: e.sha256 })),
    });
    const catalogueSha = "0x" + createHash("sha256").update(catalogue).digest("hex");
    const catalogueItem = await this.accept(principal, catalogue, {
      title: `电子卷宗目录 Case file catalogue ${c.number} v${version}`,
      source: `casefile:${c.id}:v${version}:catalogue`,
      fileName: `casefile-${c.id}-v${version}-catalogue.json`,
      mediaType: "application/json",
    });

    const parties = await this.db.caseParty.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" } });
    const rendered = await renderCaseFile({
      courtCase: { id: c.id, number: c.number, court: c.court, causeOfAction: c.causeOfAction, status: c.status, parties },
      version,
      exportedAt,
      exportedBy: principal.name,
      entries: withFiles,
      catalogue: { json: catalogue, sha256: catalogueSha },
      verifyUrl: `${this.publicUrl}/?sha256=${catalogueSha}`,
    });
    const sealed = await signPdf(rendered, this.identity.sealSigner(), {
      fieldName: "platform-seal",
      reason: `电子卷宗 Electronic case file ${c.number}, version ${version}`,
      signingTime: exportedAt,
      stamp: { page: 0, rect: SEAL_RECT, lines: ["Evidence Platform 电子证据平台", "平台签章 Platform seal", chinaTime(exportedAt, false)] },
      timestamp: (signatureValue) => this.identity.timestamp(createHash("sha256").update(signatureValue).digest()),
    });
    const item = await this.accept(principal, sealed, {
      title: `电子卷宗 Electronic case file ${c.number} v${version}`,
      source: `casefile:${c.id}:v${version}`,
      fileName: `casefile-${c.number}-v${version}.pdf`,
      mediaType: "application/pdf",
    });

    const id = randomUUID();
    try {
      const row = await changeWithAudit(this.db, async (tx, audit) => {
        const created = await tx.caseFileExport.create({
          data: { id, caseId: c.id, version, evidenceId: item.id, sha256: item.sha256, entries: entries.length, createdById: principal.userId, createdAt: exportedAt },
        });
        audit({
          actorId: principal.userId,
          action: "casefile.exported",
          subject: c.id,
          details: { version, exportId: id, evidenceId: item.id, sha256: item.sha256, entries: entries.length, catalogueEvidenceId: catalogueItem.id, catalogueSha256: catalogueSha },
        });
        return created;
      });
      return { ...presentExport(row), catalogueSha256: catalogueSha, catalogueEvidenceId: catalogueItem.id };
    } catch (e) {
      if ((e as { code?: string })?.code === "P2002" || /Unique constraint/i.test(String((e as Error)?.message))) {
        throw new ApiError(409, "concurrent_export", `another export took version ${version} meanwhile: export again`);
      }
      throw e;
    }
  }

  /** A file of the content store, its SHA-256 recomputed as it is read; null when the store has none. */
  private async readVerified(evidenceId: string, sha256: string): Promise<Buffer | null> {
    if (!this.store.has(sha256)) return null;
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    for await (const chunk of fs.createReadStream(this.store.pathOf(sha256)) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      chunks.push(chunk);
    }
    if ("0x" + hash.digest("hex") !== sha256) throw new StoredFileChanged(evidenceId);
    return Buffer.concat(chunks);
  }

  private async accept(principal: Principal, bytes: Buffer, meta: { title: string; source: string; fileName: string; mediaType: string }) {
    const staged = await this.store.stage(Readable.from([bytes]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: bytes.length });
    try {
      return await this.evidence.acceptFile(principal, staged, { ...meta, restricted: true });
    } catch (e) {
      await staged.discard();
      throw e;
    }
  }
}

export const DEFAULT_EMBED_MAX_BYTES = 256 * 1024 ** 2;

/**
 * Which files one export embeds, in file order: each whose size still fits under the budget. A file
 * too large for what is left is skipped, not the rest, so that one video does not push the
 * documents after it out of the export. null sizes (digest-only items) embed nothing.
 */
export function planEmbedding(sizes: (number | null)[], budget: number): boolean[] {
  let left = budget;
  return sizes.map((size) => {
    if (size === null || size > left) return false;
    left -= size;
    return true;
  });
}

/** A PDF the file can copy pages from; an encrypted or unreadable one is attached only. */
async function asPdf(bytes: Buffer, mediaType: string | null): Promise<PDFDocument | null> {
  const looksPdf = bytes.subarray(0, 1024).includes("%PDF-");
  if (!looksPdf && mediaType !== "application/pdf") return null;
  try {
    const doc = await PDFDocument.load(new Uint8Array(bytes), { updateMetadata: false });
    return doc.getPageCount() > 0 ? doc : null;
  } catch {
    return null;
  }
}

function attachmentName(n: number, e: CaseFileEntry): string {
  const base = (e.fileName ?? e.evidenceId).replace(/[\u0000-\u001f\u007f/\\]/g, "_").slice(0, 120);
  return `${String(n).padStart(3, "0")}-${base}`;
}

function presentExport(r: { id: string; caseId: string; version: number; evidenceId: string; sha256: string; entries: number; createdById: string; createdAt: Date }) {
  return {
    id: r.id,
    caseId: r.caseId,
    version: r.version,
    evidenceId: r.evidenceId,
    sha256: r.sha256,
    entries: r.entries,
    createdBy: r.createdById,
    createdAt: r.createdAt.toISOString(),
    pdf: `/api/cases/${r.caseId}/file/exports/${r.version}`,
  };
}
