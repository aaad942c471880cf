// The audit log: every state-changing action appends an entry chained to the previous one, inside
// the same transaction as the action where the action is transactional.
import { providerOf, type Db, type Tx } from "../db/client";
import { chainEntries, firstBreak, type ChainBreak, type ChainedEntry } from "../core/audit-chain";

export interface AuditEvent {
  actorId: string | null;
  action: string;
  subject?: string | null;
  details?: Record<string, unknown>;
}

type Client = Db | Tx;

// One key for the whole chain: every append on PostgreSQL holds it until its transaction ends.
const AUDIT_LOCK_KEY = 72707370;

/**
 * Appends events after the current head. On PostgreSQL several instances append at once: each
 * takes a transaction-scoped advisory lock before it reads the head, so the appends queue instead
 * of colliding on the sequence number (under load, retrying collisions ran out of attempts and the
 * request failed). SQLite runs one write transaction at a time. A collision that still happens
 * (an append outside a transaction) fails the transaction, which `withAuditRetry` runs again.
 */
export async function appendAudit(client: Client, events: AuditEvent[], now = new Date()): Promise<void> {
  if (!events.length) return;
  if (providerOf(client) === "postgresql") await client.$queryRawUnsafe(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})) AS l`);
  const head = await client.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const chained = chainEntries(
    head,
    events.map((e) => ({ at: now.toISOString(), actorId: e.actorId, action: e.action, subject: e.subject ?? null, details: e.details ?? {} })),
  );
  await client.auditEntry.createMany({
    data: chained.map((c) => ({ ...c, at: new Date(c.at), details: JSON.stringify(c.details) })),
  });
}

// A sequence number taken by another writer, or PostgreSQL breaking a deadlock between the audit
// lock and a row another transaction holds (40P01): both succeed when run again.
const isSeqConflict = (e: unknown) =>
  /Unique constraint|unique constraint|P2002|UNIQUE constraint failed|duplicate key|40P01|deadlock detected|P2034/i.test(
    String((e as Error)?.message ?? e) + String((e as { code?: string })?.code ?? "") + JSON.stringify((e as { meta?: unknown })?.meta ?? ""),
  );

/** Runs a transaction that appends to the audit log, again if another writer took the same sequence number. */
export async function withAuditRetry<T>(run: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await run();
    } catch (e) {
      if (i + 1 >= attempts || !isSeqConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (i + 1)));
    }
  }
}

/**
 * One transaction whose audit events are appended in it, retried when another writer took the same
 * audit sequence number: `run` records events with `audit(e)` as it goes.
 */
export function changeWithAudit<T>(db: Db, run: (tx: Tx, audit: (e: AuditEvent) => void) => Promise<T>): Promise<T> {
  return withAuditRetry(() =>
    db.$transaction(async (tx) => {
      const events: AuditEvent[] = [];
      const result = await run(tx, (e) => events.push(e));
      await appendAudit(tx, events);
      return result;
    }),
  );
}

export class AuditService {
  constructor(private readonly db: Db) {}

  /** Records a standalone event in its own transaction. */
  record(event: AuditEvent): Promise<void> {
    return withAuditRetry(() => this.db.$transaction((tx) => appendAudit(tx, [event])));
  }

  async head(): Promise<{ seq: number; hash: string; at: Date } | null> {
    return this.db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, at: true } });
  }

  /** Entries after a sequence number, oldest first (or newest first); action matches as a prefix ("contract." for every contract event). */
  async list(opts: { afterSeq: number; limit: number; action?: string; actorId?: string; subject?: string; newestFirst?: boolean; beforeSeq?: number }) {
    const rows = await this.db.auditEntry.findMany({
      where: {
        seq: { gt: opts.afterSeq, ...(opts.beforeSeq ? { lt: opts.beforeSeq } : {}) },
        ...(opts.action ? { action: { startsWith: opts.action } } : {}),
        ...(opts.actorId ? { actorId: opts.actorId } : {}),
        ...(opts.subject ? { subject: opts.subject } : {}),
      },
      orderBy: { seq: opts.newestFirst ? "desc" : "asc" },
      take: opts.limit,
    });
    return rows.map(present);
  }

  /**
   * Recomputes the whole chain and checks it against every head anchored so far: returns the first
   * broken link, or null. Deleting the newest entries is caught by the anchored heads.
   */
  async verify(): Promise<{ entries: number; anchoredHeads: number; firstBreak: ChainBreak | null }> {
    let count = 0;
    const byHash = new Map<number, string>();
    const iterate = async function* (db: Db): AsyncGenerator<ChainedEntry> {
      let after = 0;
      for (;;) {
        const rows = await db.auditEntry.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: 2000 });
        if (!rows.length) return;
        for (const r of rows) {
          count++;
          byHash.set(r.seq, r.hash);
          yield present(r);
        }
        after = rows[rows.length - 1].seq;
      }
    };
    const entries: ChainedEntry[] = [];
    for await (const e of iterate(this.db)) entries.push(e);
    const broken = firstBreak(entries);
    const heads = await this.db.leaf.findMany({ where: { kind: "audit-head" }, select: { record: true }, orderBy: { seq: "asc" } });
    if (!broken) {
      for (const h of heads) {
        const rec = JSON.parse(h.record) as { seq: number; hash: string };
        const actual = byHash.get(rec.seq);
        if (actual !== rec.hash) {
          return {
            entries: count,
            anchoredHeads: heads.length,
            firstBreak: { seq: rec.seq, problem: actual ? "the entry differs from the head anchored for it" : "an entry whose head was anchored is missing (deleted)" },
          };
        }
      }
    }
    return { entries: count, anchoredHeads: heads.length, firstBreak: broken };
  }
}

function present(r: { seq: number; at: Date; actorId: string | null; action: string; subject: string | null; details: string; prevHash: string; hash: string }): ChainedEntry {
  return { seq: r.seq, at: r.at.toISOString(), actorId: r.actorId, action: r.action, subject: r.subject, details: JSON.parse(r.details), prevHash: r.prevHash, hash: r.hash };
}
