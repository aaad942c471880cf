// Contract templates: named fields (parties, amounts, dates, texts, clauses) and the blocks of text
// they fill, in Chinese and English. The built-in templates are data; render.ts lays them out.
import { z } from "zod";
import { AMOUNT_PATTERN, CURRENCIES, parseDate, type Currency } from "./format";

export interface Bilingual {
  zh: string;
  en: string;
}

export type FieldKind = "party" | "text" | "amount" | "date" | "clauses";

export interface TemplateField {
  name: string;
  kind: FieldKind;
  label: Bilingual;
  required: boolean;
}

/**
 * Blocks of a template, in order. Paragraph text names fields as {{name}}: a party reads as its name,
 * an amount and a date in the language of the text around it. A block with `when` is left out
 * unless that field has a value.
 */
export type Block =
  | { kind: "parties"; fields: string[] }
  /** an article heading, numbered in order by the renderer: 第一条 / Article 1 */
  | { kind: "heading"; text: Bilingual; when?: string }
  | { kind: "paragraph"; text: Bilingual; when?: string }
  | { kind: "clauses"; field: string; when?: string }
  | { kind: "signatures" };

export interface ContractTemplate {
  id: string;
  version: number;
  title: Bilingual;
  fields: TemplateField[];
  blocks: Block[];
}

export interface PartyValue {
  name: string;
  creditCode?: string;
  address?: string;
  representative?: string;
}
export interface AmountValue {
  value: string;
  currency: Currency;
}
export type FieldValue = PartyValue | AmountValue | string | string[];
export type FieldValues = Record<string, FieldValue>;

const party = (name: string, zh: string, en: string): TemplateField => ({ name, kind: "party", label: { zh, en }, required: true });

const ELECTRONIC_SIGNATURE: Block = {
  kind: "paragraph",
  text: {
    zh: "本合同以电子签名方式签署，自各方均签署之日起生效。各方确认，依照《中华人民共和国电子签名法》第十四条，可靠的电子签名与手写签名或者盖章具有同等的法律效力。",
    en: "This contract is signed electronically and takes effect when every party has signed. The parties confirm that, under Article 14 of the Electronic Signature Law of the PRC, a reliable electronic signature has the same legal effect as a handwritten signature or seal.",
  },
};

export const TEMPLATES: ContractTemplate[] = [
  {
    id: "service-agreement",
    version: 1,
    title: { zh: "服务合同", en: "Service Agreement" },
    fields: [
      party("partyA", "甲方（委托方）", "Party A (client)"),
      party("partyB", "乙方（服务方）", "Party B (provider)"),
      { name: "service", kind: "text", label: { zh: "服务内容", en: "Services" }, required: true },
      { name: "amount", kind: "amount", label: { zh: "合同金额", en: "Contract price" }, required: true },
      { name: "startDate", kind: "date", label: { zh: "服务开始日期", en: "Start date" }, required: true },
      { name: "endDate", kind: "date", label: { zh: "服务结束日期", en: "End date" }, required: true },
      { name: "paymentTerms", kind: "text", label: { zh: "付款方式", en: "Payment terms" }, required: false },
      { name: "clauses", kind: "clauses", label: { zh: "其他约定", en: "Further terms" }, required: false },
      { name: "place", kind: "text", label: { zh: "签订地点", en: "Place of signing" }, required: false },
    ],
    blocks: [
      { kind: "parties", fields: ["partyA", "partyB"] },
      {
        kind: "paragraph",
        text: {
          zh: "甲乙双方经友好协商，就乙方向甲方提供服务事宜，订立本合同，以资共同遵守。",
          en: "Party A and Party B, after friendly consultation, conclude this contract for services Party B provides to Party A.",
        },
      },
      { kind: "heading", text: { zh: "服务内容", en: "Services" } },
      { kind: "paragraph", text: { zh: "{{service}}", en: "" } },
      { kind: "heading", text: { zh: "服务期限", en: "Term" } },
      { kind: "paragraph", text: { zh: "服务期限自{{startDate}}起至{{endDate}}止。", en: "The services are provided from {{startDate}} to {{endDate}}." } },
      { kind: "heading", text: { zh: "合同金额", en: "Price" } },
      { kind: "paragraph", text: { zh: "本合同总金额为{{amount}}。", en: "The total price of this contract is {{amount}}." } },
      { kind: "paragraph", text: { zh: "付款方式：{{paymentTerms}}", en: "" }, when: "paymentTerms" },
      { kind: "heading", text: { zh: "其他约定", en: "Further terms" }, when: "clauses" },
      { kind: "clauses", field: "clauses", when: "clauses" },
      { kind: "heading", text: { zh: "生效", en: "Entry into force" } },
      ELECTRONIC_SIGNATURE,
      { kind: "paragraph", text: { zh: "签订地点：{{place}}", en: "Place of signing: {{place}}" }, when: "place" },
      { kind: "signatures" },
    ],
  },
  {
    id: "nda",
    version: 1,
    title: { zh: "保密协议", en: "Non-Disclosure Agreement" },
    fields: [
      party("partyA", "甲方（披露方）", "Party A (discloser)"),
      party("partyB", "乙方（接收方）", "Party B (recipient)"),
      { name: "purpose", kind: "text", label: { zh: "保密信息用途", en: "Purpose" }, required: true },
      { name: "effectiveDate", kind: "date", label: { zh: "生效日期", en: "Effective date" }, required: true },
      { name: "term", kind: "text", label: { zh: "保密期限", en: "Term of confidentiality" }, required: true },
      { name: "penalty", kind: "amount", label: { zh: "违约金", en: "Liquidated damages" }, required: false },
      { name: "clauses", kind: "clauses", label: { zh: "其他约定", en: "Further terms" }, required: false },
    ],
    blocks: [
      { kind: "parties", fields: ["partyA", "partyB"] },
      { kind: "heading", text: { zh: "保密信息", en: "Confidential information" } },
      {
        kind: "paragraph",
        text: {
          zh: "乙方仅得为{{purpose}}之目的使用甲方披露的保密信息，不得向任何第三方披露。",
          en: "Party B shall use the confidential information disclosed by Party A only for: {{purpose}}, and shall not disclose it to any third party.",
        },
      },
      { kind: "heading", text: { zh: "期限", en: "Term" } },
      { kind: "paragraph", text: { zh: "本协议自{{effectiveDate}}起生效，保密期限为{{term}}。", en: "This agreement takes effect on {{effectiveDate}}; the term of confidentiality is {{term}}." } },
      { kind: "heading", text: { zh: "违约责任", en: "Breach" }, when: "penalty" },
      { kind: "paragraph", text: { zh: "乙方违反本协议的，应向甲方支付违约金{{penalty}}。", en: "A party in breach of this agreement pays liquidated damages of {{penalty}}." }, when: "penalty" },
      { kind: "heading", text: { zh: "其他约定", en: "Further terms" }, when: "clauses" },
      { kind: "clauses", field: "clauses", when: "clauses" },
      ELECTRONIC_SIGNATURE,
      { kind: "signatures" },
    ],
  },
  {
    // The pre-litigation mediation room (server/mediation) drafts this one: the parties from the
    // filing, the mediator's name, the terms the parties reached.
    id: "mediation-agreement",
    version: 1,
    title: { zh: "调解协议书", en: "Mediation Agreement" },
    fields: [
      party("applicant", "申请人", "Applicant"),
      party("respondent", "被申请人", "Respondent"),
      { name: "mediator", kind: "text", label: { zh: "调解员及调解组织", en: "Mediator and mediation body" }, required: true },
      { name: "dispute", kind: "text", label: { zh: "纠纷事项", en: "Dispute" }, required: true },
      { name: "terms", kind: "clauses", label: { zh: "协议内容", en: "Terms agreed" }, required: true },
      { name: "place", kind: "text", label: { zh: "签订地点", en: "Place of signing" }, required: false },
    ],
    blocks: [
      { kind: "parties", fields: ["applicant", "respondent"] },
      {
        kind: "paragraph",
        text: {
          zh: "上列当事人因{{dispute}}发生纠纷，经{{mediator}}主持调解，双方自愿达成如下协议：",
          en: "The parties above, in dispute over: {{dispute}}, have in mediation conducted by {{mediator}} freely agreed as follows:",
        },
      },
      { kind: "heading", text: { zh: "协议内容", en: "Terms" } },
      { kind: "clauses", field: "terms" },
      { kind: "heading", text: { zh: "司法确认", en: "Judicial confirmation" } },
      {
        kind: "paragraph",
        text: {
          zh: "双方同意共同向人民法院申请司法确认。依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条，经人民法院确认有效的调解协议，一方拒绝履行或者未全部履行的，对方当事人可以向人民法院申请执行。",
          en: "The parties agree to apply together to the court for judicial confirmation. Under Articles 205 and 206 of the Civil Procedure Law of the PRC, once the court confirms this agreement as valid, a party may apply to the court for enforcement if the other refuses to perform it or performs it only in part.",
        },
      },
      { kind: "heading", text: { zh: "生效", en: "Entry into force" } },
      ELECTRONIC_SIGNATURE,
      { kind: "paragraph", text: { zh: "签订地点：{{place}}", en: "Place of signing: {{place}}" }, when: "place" },
      { kind: "signatures" },
    ],
  },
];

export function templateById(id: string): ContractTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

const text = (max: number) => z.string().trim().min(1).max(max);
const VALUE_SCHEMAS: Record<FieldKind, z.ZodType<FieldValue>> = {
  party: z
    .object({
      name: text(100),
      creditCode: text(32).optional(),
      address: text(200).optional(),
      representative: text(50).optional(),
    })
    .strict(),
  text: text(4000),
  amount: z
    .object({
      value: z.string().regex(AMOUNT_PATTERN, "must be a decimal amount with at most 2 decimals, e.g. \"12345.67\""),
      currency: z.enum(Object.keys(CURRENCIES) as [Currency, ...Currency[]]).default("CNY"),
    })
    .strict(),
  date: z.string().refine((s) => parseDate(s) !== null, "must be a date YYYY-MM-DD"),
  clauses: z.array(text(4000)).min(1).max(50),
};

/** The values for a template, checked: every required field, no unknown field, each of its kind. */
export function templateValuesSchema(t: ContractTemplate): z.ZodType<FieldValues> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of t.fields) shape[f.name] = f.required ? VALUE_SCHEMAS[f.kind] : VALUE_SCHEMAS[f.kind].optional();
  return z.object(shape).strict() as unknown as z.ZodType<FieldValues>;
}

/** What a client needs to fill a template. */
export function describeTemplate(t: ContractTemplate) {
  return { id: t.id, version: t.version, title: t.title, fields: t.fields };
}
