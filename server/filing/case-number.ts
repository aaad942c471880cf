// A court's case numbers: its format ("({year})京0105民初{seq}号") with the year of acceptance and
// the next sequence number the court used that year.
import { z } from "zod";
import type { Tx } from "../db/client";
import { ApiError } from "../http/errors";
import { canonicalCaseNumber } from "../cases/service";

export const caseNumberFormatBody = z
  .object({
    format: z
      .string()
      .trim()
      .min(8)
      .max(100)
      .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
      .refine((f) => f.split("{year}").length === 2 && f.split("{seq}").length === 2, "must contain {year} and {seq} once each"),
  })
  .strict();

/** The year in China (a filing accepted on 31 December at 23:30 CST belongs to that year). */
export function chinaYear(at: Date): number {
  return Number(new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Shanghai", year: "numeric" }).format(at));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The number the court's next case of `year` gets: one past the highest its format shows that year. */
export async function nextCaseNumber(tx: Tx, court: { id: string; caseNumberFormat: string | null }, at: Date): Promise<string> {
  if (!court.caseNumberFormat) {
    throw new ApiError(409, "no_case_number_format", "the court has no case number format: give the number, or have its administrator set the format");
  }
  const year = String(chinaYear(at));
  const format = canonicalCaseNumber(court.caseNumberFormat.replace("{year}", year));
  const [before, after] = format.split(canonicalCaseNumber("{seq}"));
  const pattern = new RegExp(`^${escape(before)}(\\d+)${escape(after)}$`);
  const numbers = await tx.courtCase.findMany({ where: { courtId: court.id, number: { startsWith: before } }, select: { number: true } });
  let max = 0;
  for (const { number } of numbers) {
    const m = pattern.exec(number);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `${before}${max + 1}${after}`;
}
