// The columns of a bulk send's CSV for one template, and one row turned into a draft's input.
// Template fields: a text or date field is a column of its name ("purpose"); a party is one column
// per part ("partyB.name", "partyB.creditCode", "partyB.address", "partyB.representative"); an
// amount is "penalty.value" and "penalty.currency"; clauses are one cell, a clause per line.
// Signers: "signer1.email", "signer1.name", "signer1.role", "signer1.step", "signer1.codeDelivery",
// then signer2… (step defaults to the signer's number: they sign in column order). "title" is
// optional. An empty cell is an absent value. Each row is checked with zod; its first problem is
// the refusal, named by its column, so that a spreadsheet user finds the cell.
import { z } from "zod";
import { ApiError } from "../../http/errors";
import { emailInput, personName } from "../../accounts/inputs";
import { templateValuesSchema, type ContractTemplate } from "../templates";
import type { SignerInput } from "../drafting";

export interface Refusal {
  /** the column of the offending cell, or null when the row as a whole is refused */
  column: string | null;
  code: string;
  message: string;
}

export interface RowPlan {
  title: string | null;
  values: Record<string, unknown>;
  /** the row's own signers, in column order */
  signers: SignerInput[];
  /** each signer's email column, for refusals the drafting names by signer */
  signerColumns: string[];
}

const MAX_SIGNERS = 20;
const SIGNER_COLUMN = /^signer([1-9]\d?)\.(email|name|role|step|codeDelivery)$/;
const PARTY_PARTS = ["name", "creditCode", "address", "representative"] as const;
const AMOUNT_PARTS = ["value", "currency"] as const;
// Text PostgreSQL cannot store (NUL); the file is valid UTF-8, so no lone surrogate reaches here.
const UNSTORABLE = /\u0000/;

const headerError = (code: string, message: string) => new ApiError(422, code, message);

/** Every column a template's CSV may have besides the signers' and "title". */
function fieldColumns(t: ContractTemplate): Map<string, { field: string; part: string | null; required: boolean }> {
  const out = new Map<string, { field: string; part: string | null; required: boolean }>();
  for (const f of t.fields) {
    const parts = f.kind === "party" ? PARTY_PARTS : f.kind === "amount" ? AMOUNT_PARTS : null;
    if (!parts) out.set(f.name, { field: f.name, part: null, required: f.required });
    else parts.forEach((p, i) => out.set(`${f.name}.${p}`, { field: f.name, part: p, required: f.required && i === 0 }));
  }
  return out;
}

/** The header checked against the template: what makes every row fail is refused for the file. */
export function checkHeader(t: ContractTemplate, header: string[], fixedSigners: number): void {
  const fields = fieldColumns(t);
  const seen = new Set<string>();
  const signerNumbers = new Set<number>();
  for (const [i, h] of header.entries()) {
    if (!h) throw headerError("unnamed_column", `column ${i + 1} has no name`);
    if (seen.has(h)) throw headerError("duplicate_column", `the column "${h}" appears twice`);
    seen.add(h);
    const s = SIGNER_COLUMN.exec(h);
    if (s && Number(s[1]) <= MAX_SIGNERS) signerNumbers.add(Number(s[1]));
    else if (h !== "title" && !fields.has(h)) {
      throw headerError("unknown_column", `the column "${h}" is not a field of the template "${t.id}" (its columns: title, ${[...fields.keys()].join(", ")}, signer1.email, signer1.name, …)`);
    }
  }
  for (const [name, c] of fields) if (c.required && !seen.has(name)) throw headerError("missing_column", `the template "${t.id}" needs the column "${name}"`);
  for (const k of signerNumbers) if (!seen.has(`signer${k}.email`)) throw headerError("missing_column", `the signer${k} columns need "signer${k}.email"`);
  if (signerNumbers.size === 0 && fixedSigners === 0) throw headerError("missing_column", "no signer: give a column signer1.email (or signers in the request)");
}

const text = (max: number) => z.string().max(max, `at most ${max} characters`);
const signerSchema = z
  .object({
    email: emailInput,
    name: personName.optional(),
    role: text(64).optional(),
    step: z.coerce.number().int("must be a whole number").min(1).max(20),
    codeDelivery: z.enum(["email", "out-of-band"]).optional(),
  })
  .strict();

/** A zod issue's reason code: what a client can act on without reading the message. */
function reasonCode(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined) return "required";
  if (issue.code === "too_big") return "too_long";
  if (issue.code === "unrecognized_keys") return "unknown_field";
  return "invalid_value";
}

/** One row as a draft's title, template values and signers, or the refusal of its first problem. */
export function planRow(t: ContractTemplate, header: string[], cells: string[]): { plan: RowPlan } | { refusal: Refusal } {
  if (cells.length !== header.length) {
    return { refusal: { column: null, code: "wrong_column_count", message: `the row has ${cells.length} cells; the header has ${header.length} columns` } };
  }
  const fields = fieldColumns(t);
  const values: Record<string, unknown> = {};
  const signers = new Map<number, Record<string, string>>();
  let title: string | null = null;
  for (const [i, raw] of cells.entries()) {
    const h = header[i];
    if (UNSTORABLE.test(raw)) return { refusal: { column: h, code: "unstorable_text", message: "the cell holds a NUL character" } };
    const cell = raw.trim();
    if (!cell) continue;
    const s = SIGNER_COLUMN.exec(h);
    if (s) {
      const k = Number(s[1]);
      signers.set(k, { ...(signers.get(k) ?? {}), [s[2]]: cell });
      continue;
    }
    if (h === "title") {
      if (cell.length > 200) return { refusal: { column: h, code: "too_long", message: "at most 200 characters" } };
      title = cell;
      continue;
    }
    const c = fields.get(h)!;
    const kind = t.fields.find((f) => f.name === c.field)!.kind;
    if (c.part) values[c.field] = { ...((values[c.field] as object) ?? {}), [c.part]: cell };
    else values[c.field] = kind === "clauses" ? cell.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : cell;
  }
  const checked = templateValuesSchema(t).safeParse(values);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const [field, part] = issue.path as (string | number)[];
    const f = t.fields.find((x) => x.name === field);
    // A party or an amount missing whole is reported at its first column.
    const sub = typeof part === "string" ? part : f?.kind === "party" ? "name" : f?.kind === "amount" ? "value" : null;
    const column = f && (f.kind === "party" || f.kind === "amount") ? `${field}.${sub}` : String(field ?? "") || null;
    return { refusal: { column, code: reasonCode(issue), message: issue.message } };
  }
  const out: SignerInput[] = [];
  const signerColumns: string[] = [];
  const emails = new Map<string, number>();
  for (const k of [...signers.keys()].sort((a, b) => a - b)) {
    const parsed = signerSchema.safeParse({ step: String(k), ...signers.get(k) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { refusal: { column: `signer${k}.${String(issue.path[0] ?? "email")}`, code: reasonCode(issue), message: issue.message } };
    }
    const earlier = emails.get(parsed.data.email);
    if (earlier !== undefined) return { refusal: { column: `signer${k}.email`, code: "duplicate_signer", message: `the same address as signer${earlier}` } };
    emails.set(parsed.data.email, k);
    out.push(parsed.data);
    signerColumns.push(`signer${k}.email`);
  }
  return { plan: { title, values: checked.data, signers: out, signerColumns } };
}
