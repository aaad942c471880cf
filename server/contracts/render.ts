// A template and its values rendered to PDF with pdf-lib: Chinese and English text in the embedded
// CJK font subset (fonts.ts: Noto Sans SC, SIL OFL 1.1), a signature page with one box per signer
// where that signer's visible stamp will go. Returns the PDF and the boxes.
import { PDFDocument, rgb } from "pdf-lib";
import { embedCjkFont, loadCjkFont } from "../pdf/fonts";
import { amountText, dateText } from "./format";
import { GREY, TextFlow } from "../pdf/layout";
import type { AmountValue, Bilingual, ContractTemplate, FieldValue, FieldValues, PartyValue } from "./templates";

/** Where a signer's stamp goes: 0-based page, lower-left corner and size in PDF points. */
export interface SignatureBox {
  page: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SignerLabel {
  name: string;
  organization: string | null;
  role: string | null;
}

export const BOX = { w: 220, h: 84 };

/** Characters of `text` the CJK font cannot draw (the caller refuses them with a 400). */
export function unrenderable(text: string): string[] {
  return loadCjkFont().missingCharacters(text);
}

function fieldText(t: ContractTemplate, values: FieldValues, name: string, lang: keyof Bilingual): string {
  const field = t.fields.find((f) => f.name === name);
  const v: FieldValue | undefined = values[name];
  if (!field || v === undefined) return "";
  switch (field.kind) {
    case "party":
      return (v as PartyValue).name;
    case "amount":
      return amountText((v as AmountValue).value, (v as AmountValue).currency)[lang];
    case "date":
      return dateText(v as string)[lang];
    case "clauses":
      return (v as string[]).join(lang === "zh" ? "；" : "; ");
    default:
      return v as string;
  }
}

const fill = (t: ContractTemplate, values: FieldValues, text: string, lang: keyof Bilingual) =>
  text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => fieldText(t, values, name, lang));

/** Every string the rendered document will contain that comes from the caller (checked for glyphs). */
export function callerText(values: FieldValues, signers: SignerLabel[], title: string): string {
  const parts: string[] = [title];
  const walk = (v: unknown) => {
    if (typeof v === "string") parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(values);
  for (const s of signers) parts.push(s.name, s.organization ?? "", s.role ?? "");
  return parts.join("");
}

export async function renderTemplate(input: {
  contractId: string;
  title: string;
  template: ContractTemplate;
  values: FieldValues;
  signers: SignerLabel[];
  createdAt: Date;
}): Promise<{ pdf: Buffer; boxes: SignatureBox[] }> {
  const { template: t, values } = input;
  const doc = await PDFDocument.create();
  doc.setTitle(input.title, { showInWindowTitleBar: true });
  doc.setSubject(`${t.title.zh} ${t.title.en}`);
  doc.setCreator("Evidence Platform contracts");
  doc.setProducer("pdf-lib");
  doc.setCreationDate(input.createdAt);
  doc.setModificationDate(input.createdAt);
  doc.setLanguage("zh-CN");
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font);

  flow.text(input.title, { size: 20, align: "center", leading: 1.6 });
  flow.text(`${t.title.zh} · ${t.title.en}`, { size: 10, align: "center", color: GREY });
  flow.gap(12);

  const boxes: SignatureBox[] = [];
  let article = 0;
  for (const block of t.blocks) {
    if ("when" in block && block.when && values[block.when] === undefined) continue;
    switch (block.kind) {
      case "parties":
        for (const name of block.fields) {
          const field = t.fields.find((f) => f.name === name)!;
          const p = values[name] as PartyValue | undefined;
          if (!p) continue;
          flow.text(`${field.label.zh}：${p.name}`, { size: 11.5 });
          flow.text(field.label.en, { size: 8.5, color: GREY, leading: 1.3 });
          const details: [string, string | undefined][] = [
            ["统一社会信用代码 Unified social credit code", p.creditCode],
            ["住所 Address", p.address],
            ["法定代表人 Legal representative", p.representative],
          ];
          for (const [label, v] of details) if (v) flow.text(`${label}：${v}`, { size: 9.5, indent: 14 });
          flow.gap(6);
        }
        break;
      case "heading":
        article++;
        flow.gap(6);
        flow.ensure(40);
        flow.text(`第${chineseNumber(article)}条 ${block.text.zh}  Article ${article} ${block.text.en}`, { size: 12.5 });
        break;
      case "paragraph":
        flow.text(fill(t, values, block.text.zh, "zh"), { size: 11 });
        if (block.text.en) flow.text(fill(t, values, block.text.en, "en"), { size: 9.5, color: GREY });
        flow.gap(4);
        break;
      case "clauses":
        (values[block.field] as string[]).forEach((c, i) => flow.text(`${i + 1}. ${c}`, { size: 11, hanging: 14 }));
        flow.gap(4);
        break;
      case "signatures":
        boxes.push(...signaturePage(flow, input.signers));
        break;
    }
  }
  if (!t.blocks.some((b) => b.kind === "signatures")) boxes.push(...signaturePage(flow, input.signers));
  flow.footers((i, n) => `合同编号 Contract No. ${input.contractId}  ·  第 ${i} 页 / 共 ${n} 页  Page ${i} of ${n}`);
  return { pdf: Buffer.from(await doc.save({ useObjectStreams: false })), boxes };
}

/** 1..99 in Chinese numerals: 一, 十, 十一, 二十三. */
export function chineseNumber(n: number): string {
  const d = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
  if (n < 10) return d[n];
  const tens = Math.floor(n / 10);
  return `${tens > 1 ? d[tens] : ""}十${n % 10 ? d[n % 10] : ""}`;
}

/** The signature section: a labelled box per signer, two to a row, where the stamp goes. */
function signaturePage(flow: TextFlow, signers: SignerLabel[]): SignatureBox[] {
  flow.gap(12);
  flow.ensure(40 + BOX.h + 40);
  flow.text("签署 Signatures", { size: 12.5 });
  flow.rule();
  const boxes: SignatureBox[] = [];
  const colGap = flow.width - 2 * BOX.w;
  for (let i = 0; i < signers.length; i += 2) {
    const row = signers.slice(i, i + 2);
    const labelHeight = 30;
    flow.ensure(labelHeight + BOX.h + 24);
    const top = flow.y;
    row.forEach((s, k) => {
      const x = flow.left + k * (BOX.w + colGap);
      const label = s.role ?? "签署方 Signer";
      flow.page.drawText(fit(flow, label, 10.5, BOX.w), { x, y: top - 13, size: 10.5, font: flow.font });
      const who = s.organization ? `${s.name}（${s.organization}）` : s.name;
      flow.page.drawText(fit(flow, who, 9, BOX.w), { x, y: top - 26, size: 9, font: flow.font, color: GREY });
      const y = top - labelHeight - BOX.h;
      flow.page.drawRectangle({
        x,
        y,
        width: BOX.w,
        height: BOX.h,
        borderColor: rgb(0.7, 0.7, 0.7),
        borderWidth: 0.6,
        borderDashArray: [3, 2],
      });
      flow.page.drawText("电子签名 Electronic signature", { x, y: y - 11, size: 7.5, font: flow.font, color: GREY });
      boxes.push({ page: flow.pageIndex, x, y, w: BOX.w, h: BOX.h });
    });
    flow.y = top - labelHeight - BOX.h - 24;
  }
  return boxes;
}

/** The text cut (with an ellipsis) to fit `width` at `size`. */
function fit(flow: TextFlow, text: string, size: number, width: number): string {
  if (flow.font.widthOfTextAtSize(text, size) <= width) return text;
  const chars = Array.from(text);
  while (chars.length > 1 && flow.font.widthOfTextAtSize(chars.join("") + "…", size) > width) chars.pop();
  return chars.join("") + "…";
}
