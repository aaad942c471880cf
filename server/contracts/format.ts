// How template values read in a contract: amounts (with the amount in Chinese capital numerals,
// 大写金额, as Chinese contracts and payment instruments write it), dates, times. Pure functions.

const DIGITS = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
const UNITS = ["", "拾", "佰", "仟"];
const GROUP_UNITS = ["", "万", "亿", "万亿"];

/** 1..9999 in capital numerals, zeros inside collapsed to one 零, trailing zeros dropped. */
function groupUpper(g: number): string {
  let s = "";
  let zero = false;
  for (let i = 3; i >= 0; i--) {
    const d = Math.floor(g / 10 ** i) % 10;
    if (d === 0) {
      if (s) zero = true;
      continue;
    }
    if (zero) {
      s += "零";
      zero = false;
    }
    s += DIGITS[d] + UNITS[i];
  }
  return s;
}

function integerUpper(n: bigint): string {
  if (n === 0n) return "零";
  const groups: number[] = [];
  for (let v = n; v > 0n; v /= 10000n) groups.push(Number(v % 10000n));
  if (groups.length > GROUP_UNITS.length) throw new Error("amount too large");
  let out = "";
  let needZero = false;
  for (let gi = groups.length - 1; gi >= 0; gi--) {
    const g = groups[gi];
    if (g === 0) {
      if (out) needZero = true;
      continue;
    }
    if (out && (needZero || g < 1000)) out += "零";
    out += groupUpper(g) + GROUP_UNITS[gi];
    needZero = false;
  }
  return out;
}

/** An amount of at most 15 integer digits and 2 decimals, as a string ("12345.67"). */
export const AMOUNT_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;

/** 人民币大写: "12345.67" -> 壹万贰仟叁佰肆拾伍元陆角柒分; "100" -> 壹佰元整; "12.05" -> 壹拾贰元零伍分. */
export function rmbUppercase(amount: string): string {
  const m = AMOUNT_PATTERN.exec(amount);
  if (!m) throw new Error(`not an amount: ${amount}`);
  const int = BigInt(m[1]);
  const frac = (m[2] ?? ".").slice(1).padEnd(2, "0");
  const jiao = Number(frac[0]);
  const fen = Number(frac[1]);
  let out = int > 0n || (jiao === 0 && fen === 0) ? integerUpper(int) + "元" : "";
  if (jiao === 0 && fen === 0) return out + "整";
  if (jiao > 0) out += DIGITS[jiao] + "角";
  else if (int > 0n) out += "零";
  if (fen > 0) out += DIGITS[fen] + "分";
  return out;
}

/** "12345.6" -> "12,345.60" */
export function groupedAmount(amount: string): string {
  const m = AMOUNT_PATTERN.exec(amount);
  if (!m) throw new Error(`not an amount: ${amount}`);
  const int = m[1].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${int}.${(m[2] ?? ".").slice(1).padEnd(2, "0")}`;
}

export const CURRENCIES = {
  CNY: { zh: "人民币", symbol: "¥" },
  USD: { zh: "美元", symbol: "US$" },
  EUR: { zh: "欧元", symbol: "€" },
  HKD: { zh: "港币", symbol: "HK$" },
} as const;
export type Currency = keyof typeof CURRENCIES;

export function amountText(value: string, currency: Currency): { zh: string; en: string } {
  const grouped = groupedAmount(value);
  const c = CURRENCIES[currency];
  const zh = currency === "CNY" ? `人民币${rmbUppercase(value)}（¥${grouped}）` : `${c.zh}${grouped}元`;
  return { zh, en: `${currency} ${grouped}` };
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A calendar date "YYYY-MM-DD" that exists, or null. */
export function parseDate(s: string): { y: number; m: number; d: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

export function dateText(s: string): { zh: string; en: string } {
  const p = parseDate(s);
  if (!p) throw new Error(`not a date: ${s}`);
  return { zh: `${p.y}年${p.m}月${p.d}日`, en: `${p.d} ${MONTHS[p.m - 1]} ${p.y}` };
}

/** China Standard Time (UTC+8, no daylight saving): "2026-11-29 18:04:05 (UTC+8)". */
export function chinaTime(t: Date, withSeconds = true): string {
  const s = new Date(t.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, withSeconds ? 19 : 16)} (UTC+8)`;
}
