// What a filing says (Filing.draft): parties, claims, facts, amount, citations of anchored evidence.
// A draft may be incomplete while it is written; a submission needs it complete (`completeDraft`).
import { z } from "zod";
import { normalizeHex32 } from "../core/hex";
import { ApiError } from "../http/errors";
import { PARTY_KINDS } from "../cases/service";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const uuid = z.string().regex(UUID_RE, "must be an id");
/** One line of text: no control characters. */
export const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
export const longText = (max: number) => z.string().trim().min(1).max(max);

const party = z
  .object({
    kind: z.enum(PARTY_KINDS),
    name: line(200),
    organizationId: uuid.optional(),
    idType: line(50).optional(),
    idNumber: line(100).optional(),
    address: line(500).optional(),
    phone: line(50).optional(),
    email: line(254).optional(),
    representative: line(200).optional(),
  })
  .strict();

/** A citation as the filer writes it: by evidence id or by SHA-256 (resolved to an id on save). */
const citationInput = z
  .object({
    evidenceId: uuid.optional(),
    sha256: z
      .string()
      .transform((v, ctx) => {
        const hex = normalizeHex32(v);
        if (!hex) ctx.addIssue({ code: "custom", message: "must be 64 hex digits (optionally 0x-prefixed)" });
        return hex ?? "";
      })
      .optional(),
    purpose: longText(2000),
  })
  .strict()
  .refine((c) => (c.evidenceId === undefined) !== (c.sha256 === undefined), "name the evidence by evidenceId or by sha256, not both");
export type CitationInput = z.infer<typeof citationInput>;

/** Amount in dispute: yuan as a decimal string, at most two decimals. */
const amount = z.string().trim().regex(/^(0|[1-9]\d{0,14})(\.\d{1,2})?$/, "must be yuan as a decimal string, e.g. \"12000.50\"");

const draftFields = {
  title: line(300),
  parties: z.array(party).min(1).max(50),
  claims: z.array(longText(2000)).min(1).max(50),
  facts: longText(50_000),
  amount: amount.optional(),
  causeOfAction: line(200).optional(),
  citations: z.array(citationInput).max(200),
  filerPartyIndex: z.number().int().min(0).max(49),
  mediationRequested: z.boolean(),
};

/** POST /api/filings: the court and whatever of the draft is written so far. */
/** PATCH /api/filings/:id: the fields given replace those of the draft. */
export const editFilingBody = z.object(draftFields).partial().strict();
export const newFilingBody = editFilingBody.extend({ courtId: uuid }).strict();
export type DraftInput = z.infer<typeof editFilingBody>;

export interface Citation {
  evidenceId: string;
  purpose: string;
}
export type Party = z.infer<typeof party>;

/** The stored draft (the shape other rooms read). */
export interface FilingDraft {
  title?: string;
  parties?: Party[];
  claims?: string[];
  facts?: string;
  amount?: string;
  causeOfAction?: string;
  citations: Citation[];
  filerPartyIndex?: number;
}

export function parseDraft(stored: string): FilingDraft {
  const d = JSON.parse(stored) as FilingDraft;
  return { ...d, citations: d.citations ?? [] };
}

export type CompleteDraft = Required<Omit<FilingDraft, "amount" | "causeOfAction">> & Pick<FilingDraft, "amount" | "causeOfAction">;

/** The draft as a submission needs it: every part present, a plaintiff and a defendant, the filer's party among them. */
export function completeDraft(d: FilingDraft): CompleteDraft {
  const missing = (["title", "parties", "claims", "facts", "filerPartyIndex"] as const).filter((k) => d[k] === undefined);
  if (missing.length) throw new ApiError(400, "incomplete_filing", `the filing lacks: ${missing.join(", ")}`);
  const parties = d.parties!;
  if (!parties.some((p) => p.kind === "plaintiff") || !parties.some((p) => p.kind === "defendant")) {
    throw new ApiError(400, "incomplete_filing", "a filing needs a plaintiff and a defendant");
  }
  if (d.filerPartyIndex! >= parties.length) throw new ApiError(400, "invalid_input", "filerPartyIndex names no party of the filing");
  return d as CompleteDraft;
}
