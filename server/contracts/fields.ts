// Fields placed on a contract's document: each signer's signature (or seal) box, and text and date
// fields assigned to a signer. The sender places them on a draft (replacing the layout as a whole);
// the signer fills theirs when signing, and the values are drawn into that signer's own signed
// revision (pdf/signer-appearances.ts), so their signature covers them. A personal signer may also
// sign with a drawn (PNG) or typed signature instead of the framed name.
import { randomUUID } from "node:crypto";
import { PngEmbedder } from "pdf-lib";
import type { Db, Tx } from "../db/client";
import type { Principal } from "../accounts/roles";
import { withAuditRetry } from "../audit/service";
import { badRequest } from "../http/errors";
import { loadCjkFont } from "../pdf/fonts";
import { fitFieldText } from "../pdf/field-text";
import type { FilledField } from "../pdf/signer-appearances";
import { appendEvents, type RequestMeta } from "./events";
import { conflict, said, type Loaded, type SignerRow } from "./model";
import type { SignatureBox } from "./render";
import { checkUploadedPdf, type PdfPages } from "./upload";
import type { ContractDocuments } from "./documents";

export const FIELD_KINDS = ["text", "date"] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];
/** a text field's longest value unless the sender says otherwise */
export const DEFAULT_TEXT_MAX = 200;
/** a drawn signature's PNG: a signature pad's strokes fit in far less */
export const MAX_SIGNATURE_PNG_BYTES = 32 * 1024;
const MAX_SIGNATURE_PNG_SIDE = 2000;

export interface PlacedField {
  signerId: string;
  kind: FieldKind;
  box: SignatureBox;
  label?: string;
  required?: boolean;
  maxLength?: number;
}

export interface LayoutInput {
  /** signature boxes to move (signers not named keep theirs) */
  signatures?: { signerId: string; box: SignatureBox }[];
  /** the text and date fields, replacing those placed before */
  fields: PlacedField[];
}

export interface FillInput {
  /** field id -> value (a date as YYYY-MM-DD) */
  values?: Record<string, string>;
  signature?: { kind: "drawn"; png: string } | { kind: "typed"; text: string };
}

/** What a signer's signature adds, checked before the one-time code is spent. */
export interface PreparedFill {
  fields: (FilledField & { id: string })[];
  personal: { png?: Buffer; typed?: string } | null;
  /** for the signed event */
  summary: Record<string, unknown>;
}

type FieldRow = Awaited<ReturnType<Db["contractField"]["findMany"]>>[number];

const presentField = (f: FieldRow) => ({
  id: f.id,
  signerId: f.signerId,
  kind: f.kind as FieldKind,
  box: JSON.parse(f.box) as SignatureBox,
  label: f.label,
  required: f.required,
  maxLength: f.maxLength,
  value: f.value,
  filledAt: f.filledAt?.toISOString() ?? null,
});

/** A box must lie on its page: 400 outside_page otherwise. */
function onPage(pages: PdfPages, box: SignatureBox, where: string): void {
  const size = pages.sizes[box.page];
  if (!size) throw badRequest("outside_page", `${where}.page: the document has ${pages.sizes.length} pages (0-based index)`);
  const [w, h] = size;
  if (box.x + box.w > w + 0.01 || box.y + box.h > h + 0.01) {
    throw badRequest("outside_page", `${where}: the box does not lie within page ${box.page} (${w} x ${h} points)`);
  }
}

/** YYYY-MM-DD naming a real day. */
function isDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** A drawn signature: a PNG within the size limit that pdf-lib can embed. */
async function readSignaturePng(base64: string): Promise<Buffer> {
  const clean = base64.replace(/^data:image\/png;base64,/, "");
  const bytes = Buffer.from(clean, "base64");
  if (bytes.length === 0 || bytes.toString("base64").replace(/=+$/, "") !== clean.replace(/=+$/, "")) throw badRequest("invalid_input", "body.signature.png: must be base64");
  if (bytes.length > MAX_SIGNATURE_PNG_BYTES) throw badRequest("image_too_large", `body.signature.png: at most ${MAX_SIGNATURE_PNG_BYTES} bytes`);
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw badRequest("unsupported_image", "body.signature.png: must be a PNG");
  let img;
  try {
    img = await PngEmbedder.for(bytes);
  } catch {
    throw badRequest("unsupported_image", "body.signature.png: the file cannot be read as a PNG");
  }
  if (img.width > MAX_SIGNATURE_PNG_SIDE || img.height > MAX_SIGNATURE_PNG_SIDE) throw badRequest("image_too_large", `body.signature.png: at most ${MAX_SIGNATURE_PNG_SIDE} pixels a side`);
  return bytes;
}

/** Field names in the PDF: ASCII, unique per signer and field. */
const pdfFieldName = (s: SignerRow, seq: number) => `fld-${s.step}-${s.position}-${seq}`;

export class ContractFields {
  constructor(
    private readonly db: Db,
    private readonly documents: ContractDocuments,
    private readonly now: () => Date,
  ) {}

  private rows(contractId: string) {
    return this.db.contractField.findMany({ where: { contractId }, orderBy: { seq: "asc" } });
  }

  /** Where everything goes: each signer's signature box and every field (with its value once filled). */
  async layout(c: Loaded) {
    return {
      signatures: c.signers.map((s) => ({ signerId: s.id, name: s.name, step: s.step, seal: !!s.sealOrganizationId, box: JSON.parse(s.field) as SignatureBox })),
      fields: (await this.rows(c.id)).map(presentField),
    };
  }

  /** The signer's own fields, for the signing page. */
  async forSigner(signerId: string) {
    return (await this.db.contractField.findMany({ where: { signerId }, orderBy: { seq: "asc" } })).map(presentField);
  }

  /** Replaces a draft's layout (sender only, checked by the service). */
  async place(p: Principal, c: Loaded, input: LayoutInput, meta: RequestMeta): Promise<void> {
    if (c.status !== "draft") throw conflict("not_a_draft", `the contract is ${said(c.status)}: fields are placed on a draft only`);
    const signerIds = new Set(c.signers.map((s) => s.id));
    const known = (id: string, where: string) => {
      if (!signerIds.has(id)) throw badRequest("unknown_signer", `${where}.signerId: not a signer of this contract`);
    };
    const pages = checkUploadedPdf(await this.documents.read(c.currentSha256));
    const seen = new Set<string>();
    for (const [i, s] of (input.signatures ?? []).entries()) {
      known(s.signerId, `body.signatures[${i}]`);
      if (seen.has(s.signerId)) throw badRequest("invalid_input", `body.signatures[${i}]: this signer's box is given twice`);
      seen.add(s.signerId);
      onPage(pages, s.box, `body.signatures[${i}].box`);
    }
    for (const [i, f] of input.fields.entries()) {
      known(f.signerId, `body.fields[${i}]`);
      onPage(pages, f.box, `body.fields[${i}].box`);
      if (f.label && loadCjkFont().missingCharacters(f.label).length) throw badRequest("unrenderable_text", `body.fields[${i}].label: the font has no glyph for some of it`);
    }
    const at = this.now();
    await withAuditRetry(() =>
      this.db.$transaction(async (tx) => {
        // still a draft: a send that landed meanwhile fixed the layout its signers were invited to
        const u = await tx.contract.updateMany({ where: { id: c.id, status: "draft" }, data: { status: "draft" } });
        if (u.count === 0) throw conflict("not_a_draft", "the contract was sent or voided meanwhile");
        for (const s of input.signatures ?? []) await tx.contractSigner.update({ where: { id: s.signerId }, data: { field: JSON.stringify(s.box) } });
        await tx.contractField.deleteMany({ where: { contractId: c.id } });
        await tx.contractField.createMany({
          data: input.fields.map((f, i) => ({
            id: randomUUID(),
            contractId: c.id,
            signerId: f.signerId,
            seq: i + 1,
            kind: f.kind,
            box: JSON.stringify(f.box),
            label: f.label ?? null,
            required: f.required ?? true,
            maxLength: f.kind === "text" ? (f.maxLength ?? DEFAULT_TEXT_MAX) : null,
          })),
        });
        await appendEvents(tx, c.id, [
          {
            action: "fields_placed",
            actorId: p.userId,
            fromStatus: "draft",
            toStatus: "draft",
            documentSha256: c.currentSha256,
            meta,
            at,
            details: { signatures: input.signatures?.length ?? 0, fields: input.fields.length },
          },
        ]);
      }),
    );
  }

  /**
   * The signer's values and signature checked against their fields (every 4xx before the one-time
   * code is spent): each value theirs, required ones given, within its length, a real date, in the
   * font's glyphs and fitting its box.
   */
  async prepare(signer: SignerRow, input: FillInput): Promise<PreparedFill> {
    const rows = await this.db.contractField.findMany({ where: { signerId: signer.id }, orderBy: { seq: "asc" } });
    const values = input.values ?? {};
    for (const id of Object.keys(values)) {
      if (!rows.some((r) => r.id === id)) throw badRequest("unknown_field", `body.values.${id}: not one of your fields`);
    }
    const font = loadCjkFont();
    const measure = await font.newSubsetEmbedder();
    const fields: PreparedFill["fields"] = [];
    for (const r of rows) {
      const v = (values[r.id] ?? "").trim();
      const where = `body.values.${r.id}${r.label ? ` (${r.label})` : ""}`;
      if (!v) {
        if (r.required) throw badRequest("field_required", `${where}: this ${r.kind} field must be filled`);
        continue;
      }
      if (r.kind === "date" && !isDate(v)) throw badRequest("invalid_date", `${where}: a date as YYYY-MM-DD`);
      if (r.kind === "text" && Array.from(v).length > (r.maxLength ?? DEFAULT_TEXT_MAX)) throw badRequest("value_too_long", `${where}: at most ${r.maxLength ?? DEFAULT_TEXT_MAX} characters`);
      const missing = font.missingCharacters(v.replace(/\n/g, ""));
      if (missing.length) throw badRequest("unrenderable_text", `${where}: the font has no glyph for: ${missing.slice(0, 20).join(" ")}`);
      const box = JSON.parse(r.box) as SignatureBox;
      if (!fitFieldText(v, box.w, box.h, measure)) throw badRequest("value_does_not_fit", `${where}: the text does not fit the field's box legibly; shorten it`);
      fields.push({ id: r.id, name: pdfFieldName(signer, r.seq), page: box.page, rect: [box.x, box.y, box.w, box.h], value: v });
    }
    let personal: PreparedFill["personal"] = null;
    if (input.signature) {
      if (signer.sealOrganizationId) throw badRequest("seal_signer", "body.signature: you sign for an organisation: its seal is drawn at the field");
      if (input.signature.kind === "drawn") personal = { png: await readSignaturePng(input.signature.png) };
      else {
        const missing = font.missingCharacters(input.signature.text);
        if (missing.length) throw badRequest("unrenderable_text", `body.signature.text: the font has no glyph for: ${missing.slice(0, 20).join(" ")}`);
        personal = { typed: input.signature.text };
      }
    }
    return {
      fields,
      personal,
      summary: {
        ...(fields.length ? { filled: fields.map((f) => ({ fieldId: f.id, value: f.value })) } : {}),
        appearance: signer.sealOrganizationId ? "seal" : personal?.png ? "drawn" : personal?.typed ? "typed" : "name",
      },
    };
  }

  /** The filled values recorded with the signature, in its transaction. */
  async record(tx: Tx, fill: PreparedFill, at: Date): Promise<void> {
    for (const f of fill.fields) await tx.contractField.update({ where: { id: f.id }, data: { value: f.value, filledAt: at } });
  }
}
