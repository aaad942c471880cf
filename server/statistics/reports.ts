// Analysis reports (统计分析报告): the figures of a scope and range, computed as the signed-in judge
// may see them, with the judge's text; the figures' canonical record (RFC 8785) is anchored first
// (the report's QR code names it), then the PDF is rendered, sealed (PAdES B-T) and anchored, and
// the report recorded with its audit entry. Read by whoever may see the figures of its scope.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
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
import { decideScope, viewerOf } from "./access";
import type { MeasuresQuery, StatisticsService } from "./service";
import { renderReport, REPORT_SEAL_RECT } from "./report-render";

export interface ReportDeps {
  db: Db;
  stats: StatisticsService;
  evidence: EvidenceService;
  identity: IdentityService;
  store: ContentStore;
  publicUrl: string;
}

export interface NewReport extends MeasuresQuery {
  title: string;
  text: string;
}

type ReportRow = NonNullable<Awaited<ReturnType<Db["statisticsReport"]["findUnique"]>>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function present(r: ReportRow) {
  return {
    id: r.id,
    title: r.title,
    courtId: r.courtId,
    judgeId: r.judgeId,
    period: r.period,
    from: r.fromLabel,
    to: r.toLabel,
    causeOfAction: r.causeOfAction,
    evidenceId: r.evidenceId,
    sha256: r.sha256,
    recordEvidenceId: r.recordEvidenceId,
    recordSha256: r.recordSha256,
    createdById: r.createdById,
    createdAt: r.createdAt.toISOString(),
    pdf: `/api/statistics/reports/${r.id}/pdf`,
  };
}

export class StatisticsReports {
  constructor(private readonly d: ReportDeps) {}

  private async viewer(p: Principal) {
    const org = p.organizationId ? await this.d.db.organization.findUnique({ where: { id: p.organizationId }, select: { kind: true, name: true } }) : null;
    return { viewer: viewerOf(p, org?.kind ?? null), orgName: org?.name ?? null };
  }

  /** Judges (of a court, or their own cases) and the platform administrator write reports; clerks read them. */
  async create(p: Principal, input: NewReport) {
    if (p.role !== "judge" && p.role !== "admin") throw forbidden("a report is written by a judge (or the platform administrator)");
    const measures = await this.d.stats.measures(p, input);
    const warnings = await this.d.stats.warnings(p, { period: input.period, latest: input.to, courtId: input.courtId, mine: input.mine });
    const { orgName } = await this.viewer(p);
    const at = new Date();
    const scope = measures.scope;
    const courtName = scope.courtId ? ((await this.d.db.organization.findUnique({ where: { id: scope.courtId }, select: { name: true } }))?.name ?? orgName) : null;
    const scopeLine = [
      courtName ?? (scope.judgeId ? "" : "全部法院 All courts"),
      scope.judgeId ? `承办法官 Judge ${p.name}` : "",
      scope.causeOfAction ? `案由 ${scope.causeOfAction}` : "",
      `${scope.from} – ${scope.to}（${{ month: "按月 monthly", quarter: "按季 quarterly", year: "按年 yearly" }[scope.period]}）`,
    ]
      .filter(Boolean)
      .join(" · ");

    const record = canonicalBytes({ type: "statistics-report", title: input.title, scope, author: { id: p.userId, name: p.name }, at: at.toISOString(), measures, warnings, text: input.text });
    const recordSha = "0x" + createHash("sha256").update(record).digest("hex");
    const recordItem = await this.accept(p, record, { title: `统计分析报告数据 Report figures: ${input.title}`, source: `statistics-report:${scope.courtId ?? "all"}:record`, fileName: "statistics-report.json", mediaType: "application/json" });

    const { pdf: rendered, pages } = await renderReport({ title: input.title, scopeLine, author: p.name, at, text: input.text, measures, warnings, verifyUrl: `${this.d.publicUrl}/?sha256=${recordSha}`, recordSha256: recordSha });
    const sealed = await signPdf(rendered, this.d.identity.sealSigner(), {
      fieldName: "platform-seal",
      reason: `统计分析报告 Analysis report: ${input.title}`,
      signingTime: at,
      stamp: { page: pages - 1, rect: REPORT_SEAL_RECT, lines: ["Evidence Platform 电子证据平台", "平台签章 Platform seal", chinaTime(at, false)] },
      timestamp: (signatureValue) => this.d.identity.timestamp(createHash("sha256").update(signatureValue).digest()),
    });
    const item = await this.accept(p, sealed, { title: `统计分析报告 ${input.title}`, source: `statistics-report:${scope.courtId ?? "all"}`, fileName: "statistics-report.pdf", mediaType: "application/pdf" });

    const id = randomUUID();
    const row = await changeWithAudit(this.d.db, async (tx, audit) => {
      const created = await tx.statisticsReport.create({
        data: {
          id,
          courtId: scope.courtId,
          judgeId: scope.judgeId,
          period: scope.period,
          fromLabel: scope.from,
          toLabel: scope.to,
          causeOfAction: scope.causeOfAction,
          title: input.title,
          evidenceId: item.id,
          sha256: item.sha256,
          recordEvidenceId: recordItem.id,
          recordSha256: recordSha,
          createdById: p.userId,
          createdAt: at,
        },
      });
      audit({ actorId: p.userId, action: "statistics.report_created", subject: id, details: { courtId: scope.courtId, from: scope.from, to: scope.to, evidenceId: item.id, sha256: item.sha256, recordSha256: recordSha } });
      return created;
    });
    return present(row);
  }

  /** The reports the principal may read, newest first. */
  async list(p: Principal) {
    const { viewer } = await this.viewer(p);
    const own = decideScope(p, viewer, {});
    if (!own.ok) throw new ApiError(own.status, "forbidden", own.message);
    const rows = await this.d.db.statisticsReport.findMany({
      where: viewer === "admin" ? {} : viewer === "lone-judge" ? { judgeId: p.userId } : { courtId: own.courtId, OR: [{ judgeId: null }, { judgeId: p.userId }] },
      orderBy: { createdAt: "desc" },
      take: 200,
    });
    return rows.map(present);
  }

  /** One report's sealed PDF, its digest checked as it is read; 404 for what the principal may not see. */
  async pdf(p: Principal, id: string): Promise<{ pdf: Buffer; report: ReturnType<typeof present> }> {
    const row = UUID.test(id) ? await this.d.db.statisticsReport.findUnique({ where: { id } }) : null;
    if (!row) throw notFound("report");
    const { viewer } = await this.viewer(p);
    const own = decideScope(p, viewer, {});
    const sees = own.ok && (viewer === "admin" || (viewer === "lone-judge" ? row.judgeId === p.userId : row.courtId === own.courtId && (row.judgeId === null || row.judgeId === p.userId)));
    if (!sees) throw notFound("report");
    const bytes = await fs.promises.readFile(this.d.store.pathOf(row.sha256));
    if ("0x" + createHash("sha256").update(bytes).digest("hex") !== row.sha256) throw new ApiError(500, "stored_file_changed", "the stored report no longer matches its digest");
    return { pdf: bytes, report: present(row) };
  }

  private async accept(p: Principal, bytes: Buffer, meta: { title: string; source: string; fileName: string; mediaType: string }) {
    const staged = await this.d.store.stage(Readable.from([bytes]), { maxBytes: Number.MAX_SAFE_INTEGER, sizeHint: bytes.length });
    try {
      return await this.d.evidence.acceptFile(p, staged, { ...meta, restricted: true });
    } catch (e) {
      await staged.discard();
      throw e;
    }
  }
}
