// RFC 8785 JSON Canonicalization Scheme. ECMAScript's own JSON serialisation of strings and
// numbers is exactly what the RFC prescribes (section 3.2.2), so only key order and the
// rejection of values JSON cannot carry are handled here.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalize(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("JCS: NaN and Infinity are not JSON");
      return JSON.stringify(value);
    case "string":
      assertWellFormed(value);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        // An index loop, not map(): map() skips the holes of a sparse array, which would give
        // "[,1]". A hole reads as undefined and is rejected like any undefined element.
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) items.push(canonicalize(value[i]));
        return "[" + items.join(",") + "]";
      }
      // Only plain objects are JSON objects. A Date, Map, Buffer, boxed primitive or class
      // instance would otherwise be read through its own enumerable properties (a Date becomes
      // {}), silently dropping data from the canonical form.
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name: unknown = proto.constructor?.name;
        throw new TypeError(`JCS: a ${typeof name === "string" && name ? name : "non-plain object"} is not JSON`);
      }
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      // Default sort compares UTF-16 code units, which is the order RFC 8785 3.2.3 asks for.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return "{" + entries.map(([k, v]) => (assertWellFormed(k), JSON.stringify(k) + ":" + canonicalize(v))).join(",") + "}";
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not JSON`);
  }
}

/** RFC 8785 3.2.2.2: lone surrogates cannot be represented in I-JSON. */
function assertWellFormed(s: string): void {
  // In /u mode a valid surrogate pair is one code point, so only a lone surrogate matches.
  if (/\p{Cs}/u.test(s)) throw new TypeError("JCS: lone surrogate in string");
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}
