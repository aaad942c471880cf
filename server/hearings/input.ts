// What a judge and a party send about a hearing, checked at the edge (400 with the field named).
import { z } from "zod";

export const HEARING_KINDS = ["trial", "pretrial", "mediation", "pronouncement"] as const;
export type HearingKind = (typeof HEARING_KINDS)[number];
export const KIND_LABELS: Record<HearingKind, { zh: string; en: string }> = {
  trial: { zh: "开庭审理", en: "trial hearing" },
  pretrial: { zh: "庭前会议", en: "pre-trial meeting" },
  mediation: { zh: "调解", en: "mediation session" },
  pronouncement: { zh: "宣判", en: "pronouncement of judgment" },
};

/** The longest a hearing (or an offered slot) may last, and how many slots one offer may hold. */
export const MAX_HEARING_MS = 12 * 3600_000;
export const MAX_SLOTS = 10;

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const interval = z
  .object({ startsAt: instant, endsAt: instant })
  .strict()
  .refine((t) => t.endsAt.getTime() > t.startsAt.getTime(), { message: "endsAt must be after startsAt", path: ["endsAt"] })
  .refine((t) => t.endsAt.getTime() - t.startsAt.getTime() <= MAX_HEARING_MS, { message: "a hearing lasts at most 12 hours", path: ["endsAt"] });
export type Interval = z.infer<typeof interval>;

const onlineUrl = z
  .url({ protocol: /^https$/ })
  .max(500);

/** When: one time, or 2 to 10 times the parties choose from (在线预约). */
const when = {
  startsAt: instant.optional(),
  endsAt: instant.optional(),
  slots: z.array(interval).min(2).max(MAX_SLOTS).optional(),
};

function oneWhen(v: { startsAt?: Date; endsAt?: Date; slots?: Interval[] }, ctx: z.RefinementCtx) {
  const fixed = v.startsAt !== undefined || v.endsAt !== undefined;
  if (fixed && v.slots) ctx.addIssue({ code: "custom", message: "give either startsAt and endsAt, or slots, not both", path: ["slots"] });
  else if (!fixed && !v.slots) ctx.addIssue({ code: "custom", message: "give startsAt and endsAt, or 2 to 10 slots for the parties to choose from", path: ["startsAt"] });
  else if (fixed) {
    // zod runs this refinement even when a field failed to parse: judge the interval only on real dates
    if (!(v.startsAt instanceof Date) || !(v.endsAt instanceof Date)) {
      if (v.startsAt === undefined || v.endsAt === undefined) ctx.addIssue({ code: "custom", message: "give both startsAt and endsAt", path: [v.startsAt === undefined ? "startsAt" : "endsAt"] });
      return;
    }
    const r = interval.safeParse({ startsAt: v.startsAt?.toISOString(), endsAt: v.endsAt?.toISOString() });
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message, path: i.path.length ? i.path : ["startsAt"] });
  }
}

export const createBody = z
  .object({
    kind: z.enum(HEARING_KINDS),
    room: z.string().trim().min(1).max(100).optional(),
    onlineUrl: onlineUrl.optional(),
    notes: z.string().trim().max(2000).optional(),
    ...when,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.room && !v.onlineUrl) ctx.addIssue({ code: "custom", message: "give a room, an online link (https), or both", path: ["room"] });
    oneWhen(v, ctx);
  });
export type CreateInput = z.infer<typeof createBody>;

export const rescheduleBody = z
  .object({
    room: z.string().trim().min(1).max(100).optional(),
    onlineUrl: onlineUrl.optional(),
    reason: z.string().trim().min(1).max(1000).optional(),
    ...when,
  })
  .strict()
  .superRefine(oneWhen);
export type RescheduleInput = z.infer<typeof rescheduleBody>;

export const respondBody = z
  .object({
    response: z.enum(["confirmed", "reschedule"]),
    reason: z.string().trim().min(1).max(1000).optional(),
  })
  .strict()
  .refine((v) => v.response !== "reschedule" || !!v.reason, { message: "a request to reschedule needs a reason", path: ["reason"] });
export type RespondInput = z.infer<typeof respondBody>;

export const cancelBody = z.object({ reason: z.string().trim().min(1).max(1000) }).strict();

export const summonsBody = z
  .object({ parties: z.array(z.uuid()).min(1).max(50).optional() })
  .strict();

export const calendarQuery = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict();
