// The addresses a party confirms, checked and put in one form at the edge: e-mail addresses lower-
// cased, mobile numbers as +86 and the 11 digits of a mainland number (1[3-9]xxxxxxxxx), each once.
import { z } from "zod";

export const MAX_EMAILS = 3;
export const MAX_PHONES = 3;

/** A mainland mobile number as people write it (spaces, dashes, +86 / 0086 / 86) in its one form, or null. */
export function normalisePhone(raw: string): string | null {
  let digits = raw.replace(/[\s\-().]/g, "");
  if (digits.startsWith("+86")) digits = digits.slice(3);
  else if (digits.startsWith("0086")) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith("86")) digits = digits.slice(2);
  return /^1[3-9]\d{9}$/.test(digits) ? `+86${digits}` : null;
}

const email = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .pipe(z.email({ message: "must be an e-mail address" }));

const phone = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const n = normalisePhone(v);
    if (!n) {
      ctx.addIssue({ code: "custom", message: "must be a mainland China mobile number (+86 1[3-9]xxxxxxxxx)" });
      return z.NEVER;
    }
    return n;
  });

const unique = <T>(list: T[]) => [...new Set(list)];

export const confirmationBody = z
  .object({
    emails: z.array(email).max(MAX_EMAILS).default([]).transform(unique),
    phones: z.array(phone).max(MAX_PHONES).default([]).transform(unique),
    postal: z.string().trim().min(1).max(300).optional(),
    consent: z.boolean(),
  })
  .strict();

export type ConfirmationInput = z.infer<typeof confirmationBody>;

/** What the row's `addresses` column holds (schema.prisma ServiceAddressConfirmation). */
export interface ConfirmedAddresses {
  inbox: true;
  emails: string[];
  phones: string[];
  postal?: string;
}

export function addressesOf(input: ConfirmationInput): ConfirmedAddresses {
  return { inbox: true, emails: input.emails, phones: input.phones, ...(input.postal ? { postal: input.postal } : {}) };
}
