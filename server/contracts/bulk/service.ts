// Bulk send: one template, a CSV of recipients and field values, one contract drafted and sent per
// row. The file is checked whole first (readable, within the caps, its header the template's); then
// rows are done one by one, each contract in its own transaction with the record of its row. Not one
// grouped transaction: rows are independent (a bad row must not undo 999 good ones), a grouped
// transaction would hold SQLite's only write lock for the minutes 1,000 renderings take, and a
// row's record written with its contract is what lets a run interrupted by a restart be resumed,
// by the same file with the same idempotency key, without any contract made twice.
import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Db, Tx } from "../../db/client";
import type { Principal } from "../../accounts/roles";
import { ApiError, badRequest, notFound } from "../../http/errors";
import { canonicalize } from "../../core/jcs";
import { appendAudit, withAuditRetry } from "../../audit/service";
import type { RequestMeta } from "../events";
import type { DraftInput, SignerInput } from "../drafting";
import { templateById } from "../templates";
import { readCsv } from "./csv";
import { checkHeader, planRow, type Refusal } from "./columns";

export interface BulkRequest {
  templateId: string;
  /** every contract's title unless the row has a "title" cell (default: the template's title) */
  title?: string;
  /** signers of every contract before the row's own (the sender's company signing each, say) */
  signers: SignerInput[];
  send: { expiresInDays?: number; reminderIntervalHours?: number };
  idempotencyKey?: string;
}

export interface BulkDeps {
  db: Db;
  now: () => Date;
  log: Logger;
  maxRows: number;
  draft(p: Principal, input: DraftInput & { templateId: string; values: unknown }, meta: RequestMeta, within: (tx: Tx, id: string) => Promise<void>): Promise<string>;
  send(p: Principal, contractId: string, opts: BulkRequest["send"], meta: RequestMeta): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002" || /Unique constraint|UNIQUE constraint failed|duplicate key/i.test(String((e as Error)?.message));
const SIGNER_INDEX = /body\.signers\[(\d+)\]/;

export class BulkSends {
  /** Runs going on in this process: a second request with the same key waits for the report instead of running twice. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly d: BulkDeps) {}

  /**
   * Starts (or, for a known idempotency key, resumes or just reports) a bulk send. The file's
   * problems are thrown here; the rows are done in the background (`done` settles when they are).
   */
  async start(p: Principal, csv: Buffer, req: BulkRequest, meta: RequestMeta): Promise<{ id: string; resumed: boolean; finished: boolean; done: Promise<void> }> {
    const template = templateById(req.templateId);
    if (!template) throw badRequest("unknown_template", `no template '${req.templateId}' (GET /api/contracts/templates lists them)`);
    const table = readCsv(csv, this.d.maxRows);
    checkHeader(template, table.header, req.signers.length);
    const { idempotencyKey, ...options } = req;
    const requestSha256 = createHash("sha256").update(csv).update(canonicalize(options)).digest("hex");

    let bulk = idempotencyKey ? await this.byKey(p.userId, idempotencyKey) : null;
    let resumed = !!bulk;
    if (!bulk) {
      const row = { id: randomUUID(), senderId: p.userId, idempotencyKey: idempotencyKey ?? null, templateId: template.id, requestSha256, rowCount: table.rows.length, createdAt: this.d.now() };
      try {
        bulk = await withAuditRetry(() =>
          this.d.db.$transaction(async (tx) => {
            const created = await tx.bulkSend.create({ data: row });
            await appendAudit(tx, [{ actorId: p.userId, action: "contract.bulk_send", subject: row.id, details: { templateId: row.templateId, rows: row.rowCount, requestSha256 } }]);
            return created;
          }),
        );
      } catch (e) {
        // Another request with the same key got there first: this one is its repetition.
        if (!idempotencyKey || !isUniqueViolation(e)) throw e;
        bulk = (await this.byKey(p.userId, idempotencyKey))!;
        resumed = true;
      }
    }
    if (bulk.requestSha256 !== requestSha256) {
      throw new ApiError(409, "idempotency_key_reused", "this idempotency key was used for another file or other options: use a new key for a new send");
    }
    if (bulk.finishedAt) return { id: bulk.id, resumed, finished: true, done: Promise.resolve() };
    const id = bulk.id;
    let done = this.running.get(id);
    if (!done) {
      done = this.rows(p, id, template.id, table.rows, table.header, req, meta)
        .catch((err) => this.d.log.error({ err, bulkSendId: id }, "bulk send stopped; sending the same file with the same key resumes it"))
        .finally(() => this.running.delete(id));
      this.running.set(id, done);
    }
    return { id, resumed, finished: false, done };
  }

  private byKey(senderId: string, idempotencyKey: string) {
    return this.d.db.bulkSend.findUnique({ where: { senderId_idempotencyKey: { senderId, idempotencyKey } } });
  }

  private async rows(p: Principal, bulkSendId: string, templateId: string, rows: ReturnType<typeof readCsv>["rows"], header: string[], req: BulkRequest, meta: RequestMeta): Promise<void> {
    const template = templateById(templateId)!;
    const recorded = new Map((await this.d.db.bulkSendRow.findMany({ where: { bulkSendId } })).map((r) => [r.row, r]));
    const fallbackTitle = req.title ?? `${template.title.zh} ${template.title.en}`;
    for (const r of rows) {
      const before = recorded.get(r.row);
      if (before?.refusal) continue;
      let contractId = before?.contractId ?? null;
      if (!contractId) {
        const planned = planRow(template, header, r.cells);
        if ("refusal" in planned) {
          await this.refuse(bulkSendId, r, planned.refusal);
          continue;
        }
        const { plan } = planned;
        const signers = [...req.signers, ...plan.signers];
        if (!signers.length) {
          await this.refuse(bulkSendId, r, { column: null, code: "no_signer", message: "the row names no signer" });
          continue;
        }
        try {
          contractId = await this.d.draft(p, { title: plan.title ?? fallbackTitle, signers, templateId, values: plan.values }, meta, async (tx, id) => {
            await tx.bulkSendRow.create({ data: { bulkSendId, row: r.row, line: r.line, contractId: id } });
          });
        } catch (e) {
          if (isUniqueViolation(e)) continue; // another instance did this row meanwhile
          if (!(e instanceof ApiError) || e.status >= 500) throw e;
          // The drafting names a signer by its place in the list: the request's come first.
          const i = SIGNER_INDEX.exec(e.message);
          const column = i ? (plan.signerColumns[Number(i[1]) - req.signers.length] ?? null) : null;
          await this.refuse(bulkSendId, r, { column, code: e.code, message: e.message });
          continue;
        }
      }
      try {
        await this.d.send(p, contractId, req.send, meta);
      } catch (e) {
        // Sent already (by the run this one resumes, or another instance): nothing to do.
        if (e instanceof ApiError && e.code === "not_a_draft") continue;
        if (!(e instanceof ApiError) || e.status >= 500) throw e;
        await this.d.db.bulkSendRow.update({ where: { bulkSendId_row: { bulkSendId, row: r.row } }, data: { refusal: JSON.stringify({ column: null, code: e.code, message: e.message }) } });
      }
    }
    await this.d.db.bulkSend.update({ where: { id: bulkSendId }, data: { finishedAt: this.d.now() } });
  }

  private async refuse(bulkSendId: string, r: { row: number; line: number }, refusal: Refusal): Promise<void> {
    try {
      await this.d.db.bulkSendRow.create({ data: { bulkSendId, row: r.row, line: r.line, contractId: null, refusal: JSON.stringify(refusal) } });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }

  /** The report: each row's contract (with its state now) or refusal. The sender's alone: 404 for anyone else. */
  async report(p: Principal, id: string) {
    if (!UUID.test(id)) throw notFound("bulk send");
    const bulk = await this.d.db.bulkSend.findUnique({ where: { id }, include: { rows: { orderBy: { row: "asc" } } } });
    if (!bulk || bulk.senderId !== p.userId) throw notFound("bulk send");
    const ids = bulk.rows.flatMap((r) => (r.contractId ? [r.contractId] : []));
    const contracts = new Map((await this.d.db.contract.findMany({ where: { id: { in: ids } }, select: { id: true, title: true, status: true } })).map((c) => [c.id, c]));
    const created = [];
    const refused = [];
    for (const r of bulk.rows) {
      if (r.refusal) refused.push({ row: r.row, line: r.line, ...(JSON.parse(r.refusal) as Refusal), contractId: r.contractId });
      else if (r.contractId) created.push({ row: r.row, line: r.line, contractId: r.contractId, title: contracts.get(r.contractId)?.title ?? null, status: contracts.get(r.contractId)?.status ?? null });
    }
    return {
      id: bulk.id,
      templateId: bulk.templateId,
      idempotencyKey: bulk.idempotencyKey,
      createdAt: bulk.createdAt.toISOString(),
      finishedAt: bulk.finishedAt?.toISOString() ?? null,
      status: bulk.finishedAt ? "finished" : "running",
      rows: bulk.rowCount,
      counts: { created: created.length, refused: refused.length, pending: bulk.rowCount - created.length - refused.length },
      created,
      refused,
    };
  }

  /** The sender's bulk sends, newest first. */
  async list(p: Principal) {
    const rows = await this.d.db.bulkSend.findMany({ where: { senderId: p.userId }, orderBy: { createdAt: "desc" }, take: 100, include: { _count: { select: { rows: true } } } });
    return rows.map((b) => ({
      id: b.id,
      templateId: b.templateId,
      createdAt: b.createdAt.toISOString(),
      finishedAt: b.finishedAt?.toISOString() ?? null,
      status: b.finishedAt ? "finished" : "running",
      rows: b.rowCount,
      done: b._count.rows,
    }));
  }
}
