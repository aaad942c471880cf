// A judge or a court room is in one place at a time: a new hearing, an offered slot or a new time
// is refused (409 hearing_conflict) when it overlaps a scheduled hearing or a still-open offered
// slot of the same judge, or of the same room of the same court. Intervals are half-open
// [start, end): one hearing may begin the minute the previous one ends.
// Two judges booking at once: on PostgreSQL each booking takes transaction-scoped advisory locks on
// its judge and its room (in a fixed order, so two bookings cannot deadlock) before it reads; SQLite
// runs one write transaction at a time.
import type { Tx } from "../db/client";
import { ApiError } from "../http/errors";
import type { Interval } from "./input";

export interface Resources {
  judgeId: string;
  courtId: string | null;
  room: string | null;
}

/** Rooms are compared as people write them: full-width forms folded, case and spacing ignored. */
export function roomKey(room: string): string {
  return room.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

const overlaps = (a: Interval, b: { startsAt: Date; endsAt: Date }) =>
  a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();

export async function lockResources(tx: Tx, provider: string, r: Resources): Promise<void> {
  if (provider !== "postgresql") return;
  const keys = [`hearing-judge:${r.judgeId}`, ...(r.courtId && r.room ? [`hearing-room:${r.courtId}:${roomKey(r.room)}`] : [])].sort();
  for (const key of keys) await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l`, key);
}

export interface Conflict {
  hearingId: string;
  caseId: string;
  with: "judge" | "room";
  startsAt: string;
  endsAt: string;
}

/** The first booking the intervals collide with, or null. `exclude` is the hearing being rescheduled. */
export async function findConflict(tx: Tx, r: Resources, intervals: Interval[], exclude: string | null): Promise<Conflict | null> {
  if (!intervals.length) return null;
  const from = new Date(Math.min(...intervals.map((i) => i.startsAt.getTime())));
  const to = new Date(Math.max(...intervals.map((i) => i.endsAt.getTime())));
  const who = [{ judgeId: r.judgeId }, ...(r.courtId && r.room ? [{ courtId: r.courtId, room: { not: null } }] : [])];
  const candidates = await tx.hearing.findMany({
    where: { status: { in: ["scheduled", "offered"] }, OR: who, ...(exclude ? { id: { not: exclude } } : {}) },
    select: { id: true, caseId: true, judgeId: true, courtId: true, room: true, status: true, startsAt: true, endsAt: true },
  });
  const key = r.room ? roomKey(r.room) : null;
  const clash = (h: (typeof candidates)[number]): "judge" | "room" | null =>
    h.judgeId === r.judgeId ? "judge" : key && h.courtId === r.courtId && h.room && roomKey(h.room) === key ? "room" : null;
  const relevant = candidates.filter((h) => clash(h));
  const offered = relevant.filter((h) => h.status === "offered").map((h) => h.id);
  const slots = offered.length
    ? await tx.hearingSlot.findMany({ where: { hearingId: { in: offered }, startsAt: { lt: to }, endsAt: { gt: from } } })
    : [];
  for (const i of intervals) {
    for (const h of relevant) {
      const times =
        h.status === "scheduled" && h.startsAt && h.endsAt
          ? [{ startsAt: h.startsAt, endsAt: h.endsAt }]
          : slots.filter((s) => s.hearingId === h.id);
      const hit = times.find((t) => overlaps(i, t));
      if (hit) return { hearingId: h.id, caseId: h.caseId, with: clash(h)!, startsAt: hit.startsAt.toISOString(), endsAt: hit.endsAt.toISOString() };
    }
  }
  return null;
}

export function conflictError(c: Conflict): ApiError {
  const who = c.with === "judge" ? "the judge already has a hearing" : "the room is already booked";
  return new ApiError(409, "hearing_conflict", `${who} from ${c.startsAt} to ${c.endsAt} (hearing ${c.hearingId})`);
}
