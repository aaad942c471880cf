// RFC 8785 JSON Canonicalization Scheme, for the browser (the same rules as server/core/jcs.ts).
// ECMAScript's JSON.stringify already writes strings and numbers the way the RFC prescribes, so
// only key order and the values JSON cannot carry need care.

export function canonicalize(value) {
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
        const items = [];
        for (let i = 0; i < value.length; i++) items.push(canonicalize(value[i])); // holes read as undefined: rejected
        return "[" + items.join(",") + "]";
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError("JCS: not a plain JSON object");
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      // The default comparison is by UTF-16 code units: the order RFC 8785 3.2.3 asks for.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return "{" + entries.map(([k, v]) => (assertWellFormed(k), JSON.stringify(k) + ":" + canonicalize(v))).join(",") + "}";
    }
    default:
      throw new TypeError(`JCS: a ${typeof value} is not JSON`);
  }
}

function assertWellFormed(s) {
  if (/\p{Cs}/u.test(s)) throw new TypeError("JCS: lone surrogate in string");
}

/** The canonical form as UTF-8 bytes. */
export function canonicalBytes(value) {
  return new TextEncoder().encode(canonicalize(value));
}
