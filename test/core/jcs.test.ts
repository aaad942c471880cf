// RFC 8785 (JSON Canonicalization Scheme) conformance of server/core/jcs.ts.
//
// Sources of the expected values:
//   - RFC 8785 (June 2020): the section 3.2.2 sample input, its canonical form in section 3.2.3,
//     the UTF-8 bytes of that form in section 3.2.4, the property-sorting test data and
//     expected order of section 3.2.3, and Appendix B, Table 1 ("ECMAScript-Compatible JSON
//     Number Serialization Samples").
//   - github.com/cyberphone/json-canonicalization (the RFC authors' reference implementations):
//     testdata/input/{values,weird,structures,unicode}.json and the matching testdata/output/
//     files. (testdata/input/arrays.json has no output file in that index; its expected form
//     below is derived by hand from the RFC's rules.)
import { expect } from "chai";
import fc from "fast-check";
import { canonicalBytes, canonicalize } from "../../server/core/jcs";

/** The IEEE 754 double with the given 16 hex digits (big-endian bit pattern). */
function ieee754(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt("0x" + bits));
  return view.getFloat64(0);
}

// RFC 8785 Appendix B, Table 1: the rows with a JSON representation.
const APPENDIX_B: [string, string][] = [
  ["0000000000000000", "0"], // Zero
  ["8000000000000000", "0"], // Minus zero
  ["0000000000000001", "5e-324"], // Min pos number
  ["8000000000000001", "-5e-324"], // Min neg number
  ["7fefffffffffffff", "1.7976931348623157e+308"], // Max pos number
  ["ffefffffffffffff", "-1.7976931348623157e+308"], // Max neg number
  ["4340000000000000", "9007199254740992"], // Max pos int (1)
  ["c340000000000000", "-9007199254740992"], // Max neg int (1)
  ["4430000000000000", "295147905179352830000"], // ~2**68 (2)
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"], // Round to even (4)
];

// RFC 8785 Appendix B, Table 1: the rows that are errors (3).
const APPENDIX_B_ERRORS: [string, string][] = [
  ["7fffffffffffffff", "NaN"],
  ["7ff0000000000000", "Infinity"],
];

// RFC 8785 section 3.2.2, the sample input (verbatim JSON text).
const SAMPLE_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;

// RFC 8785 section 3.2.3, its canonical form (the RFC shows it with one display line wrap,
// removed here; the euro sign is a literal U+20AC).
const SAMPLE_CANONICAL = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"` +
  "\u20ac" +
  String.raw`$\u000f\nA'B\"\\\\\"/"}`;

// RFC 8785 section 3.2.4, the UTF-8 bytes of SAMPLE_CANONICAL.
const SAMPLE_UTF8_HEX = `
  7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
  75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
  5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
  65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
  5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
  30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`;

// RFC 8785 section 3.2.3, the property-sorting test data (verbatim JSON text) ...
const SORTING_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;

// ... and the "expected argument order after sorting property strings".
const SORTING_ORDER = [
  "Carriage Return",
  "One",
  "Control",
  "Latin Small Letter O With Diaeresis",
  "Euro Sign",
  "Emoji: Grinning Face",
  "Hebrew Letter Dalet With Dagesh",
];

// cyberphone/json-canonicalization testdata: [name, input text, expected output text].
const CYBERPHONE: [string, string, string][] = [
  [
    "values.json",
    String.raw`{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
    String.raw`{"escaping":"` + "\u20ac" + String.raw`$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
  ],
  [
    "weird.json",
    String.raw`{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}
`,
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  ],
  [
    "structures.json",
    String.raw`{
  "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}`,
    String.raw`{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}`,
  ],
  [
    "unicode.json",
    String.raw`{
  "Unnormalized Unicode":"\u1e0d\u0307"
}
`,
    '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  ],
  [
    "arrays.json (expected output derived from the RFC rules)",
    String.raw`[
  56,
  {
    "d": true,
    "10": null,
    "1": [ ]
  }
]`,
    String.raw`[56,{"1":[],"10":null,"d":true}]`,
  ],
];

describe("jcs: RFC 8785", () => {
  describe("Appendix B number serialization samples", () => {
    for (const [bits, expected] of APPENDIX_B) {
      it(`0x${bits} -> ${expected}`, () => {
        expect(canonicalize(ieee754(bits))).to.equal(expected);
        expect(canonicalize([ieee754(bits)])).to.equal(`[${expected}]`);
        expect(canonicalize({ n: ieee754(bits) })).to.equal(`{"n":${expected}}`);
      });
    }

    for (const [bits, name] of APPENDIX_B_ERRORS) {
      it(`0x${bits} (${name}) is an error`, () => {
        expect(Number.isFinite(ieee754(bits))).to.equal(false);
        expect(() => canonicalize(ieee754(bits))).to.throw(TypeError);
        expect(() => canonicalize([1, ieee754(bits)])).to.throw(TypeError);
        expect(() => canonicalize({ a: { b: ieee754(bits) } })).to.throw(TypeError);
      });
    }

    it("-Infinity is an error as well", () => {
      expect(() => canonicalize(ieee754("fff0000000000000"))).to.throw(TypeError);
      expect(() => canonicalize(-Infinity)).to.throw(TypeError);
    });

    it("ECMA-262 Number::toString thresholds (1e21, 1e-7) that the table brackets", () => {
      // Not rows of Table 1: the exponent switch points of ECMA-262 7.1.12.1, which RFC 8785
      // 3.2.2.3 adopts. Plain notation up to 21 integer digits, and down to 1e-6.
      const cases: [number, string][] = [
        [1e20, "100000000000000000000"],
        [1e21, "1e+21"],
        [123e19, "1.23e+21"],
        [1e-6, "0.000001"],
        [1e-7, "1e-7"],
        [1.5e-7, "1.5e-7"],
        [-1e-7, "-1e-7"],
        [0.1, "0.1"],
        [-0, "0"],
        [4.5, "4.5"],
        [2e-3, "0.002"],
      ];
      for (const [n, s] of cases) expect(canonicalize(n), String(n)).to.equal(s);
    });
  });

  describe("section 3.2.2 / 3.2.3 / 3.2.4 sample", () => {
    it("the transcribed expected form and its published UTF-8 bytes agree", () => {
      const bytes = Buffer.from(SAMPLE_UTF8_HEX.replace(/\s+/g, ""), "hex");
      expect(bytes.toString("utf8")).to.equal(SAMPLE_CANONICAL);
    });

    it("canonicalizes the parsed sample to the section 3.2.3 text", () => {
      expect(canonicalize(JSON.parse(SAMPLE_INPUT))).to.equal(SAMPLE_CANONICAL);
    });

    it("canonicalBytes gives the section 3.2.4 bytes", () => {
      const expected = SAMPLE_UTF8_HEX.replace(/\s+/g, "");
      expect(canonicalBytes(JSON.parse(SAMPLE_INPUT)).toString("hex")).to.equal(expected);
    });

    it("the canonical form is a fixed point", () => {
      expect(canonicalize(JSON.parse(SAMPLE_CANONICAL))).to.equal(SAMPLE_CANONICAL);
    });
  });

  describe("section 3.2.3 property sorting", () => {
    it("sorts the test data into the expected order (UTF-16 code units)", () => {
      const out = canonicalize(JSON.parse(SORTING_INPUT));
      const values = [...out.matchAll(/":"([^"]*)"/g)].map((m) => m[1]);
      expect(values).to.deep.equal(SORTING_ORDER);
      expect(out).to.equal(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
          '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    });

    it("the order does not depend on insertion order", () => {
      const parsed = JSON.parse(SORTING_INPUT) as Record<string, string>;
      const reversed = Object.fromEntries(Object.entries(parsed).reverse());
      expect(canonicalize(reversed)).to.equal(canonicalize(parsed));
    });

    it("sorts \"\" < \"a\" < \"aa\" < \"ab\" (the RFC's plain-English example)", () => {
      expect(canonicalize({ ab: 4, aa: 3, a: 2, "": 1 })).to.equal('{"":1,"a":2,"aa":3,"ab":4}');
    });

    it("sorts integer-like keys as strings, not in JavaScript's own property order", () => {
      expect(canonicalize({ a: 4, "10": 1, "2": 2, "1": 3, B: 5 })).to.equal('{"1":3,"10":1,"2":2,"B":5,"a":4}');
    });

    it("sorts by code unit, not by code point: U+1F600 (D83D DE00) before U+FF01", () => {
      expect(canonicalize({ "\uff01": 1, "\ud83d\ude00": 2, "\ue000": 3 })).to.equal(
        '{"\ud83d\ude00":2,"\ue000":3,"\uff01":1}',
      );
    });

    it("sorts the raw (unescaped) names: a newline is U+000A", () => {
      expect(canonicalize({ b: 1, "\n": 2, " ": 3 })).to.equal('{"\\n":2," ":3,"b":1}');
    });
  });

  describe("cyberphone/json-canonicalization testdata", () => {
    for (const [name, input, output] of CYBERPHONE) {
      it(name, () => {
        expect(canonicalize(JSON.parse(input))).to.equal(output);
      });
    }
  });

  describe("strings (section 3.2.2.2)", () => {
    it("escapes U+0000..U+001F as \\b \\t \\n \\f \\r or lowercase \\u00hh", () => {
      const short: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
      for (let c = 0; c < 0x20; c++) {
        const expected = short[c] ?? "\\u00" + c.toString(16).padStart(2, "0");
        expect(canonicalize(String.fromCharCode(c)), `U+${c.toString(16)}`).to.equal(`"${expected}"`);
      }
    });

    it('escapes only " and \\ otherwise; /, DEL, U+2028 and non-ASCII stay as they are', () => {
      expect(canonicalize('"\\/')).to.equal('"\\"\\\\/"');
      expect(canonicalize("\u007f\u0080\u2028\u2029\u00e9\ud83d\ude00")).to.equal('"\u007f\u0080\u2028\u2029\u00e9\ud83d\ude00"');
    });

    it("does not normalize Unicode (NFC and NFD forms stay different)", () => {
      expect(canonicalize("\u00e9")).to.not.equal(canonicalize("e\u0301"));
      expect(canonicalize("e\u0301")).to.equal('"e\u0301"');
    });
  });

  describe("nesting", () => {
    it("sorts objects at every depth and keeps array order", () => {
      const value = {
        z: [3, { y: [{ b: 1, a: [2, 1] }], x: null }, [[], [{}]]],
        a: { d: { c: { b: { a: [true, false] } } }, c: "" },
        m: [[[["deep"]]]],
      };
      expect(canonicalize(value)).to.equal(
        '{"a":{"c":"","d":{"c":{"b":{"a":[true,false]}}}},"m":[[[["deep"]]]],' +
          '"z":[3,{"x":null,"y":[{"a":[2,1],"b":1}]},[[],[{}]]]}',
      );
    });

    it("empty containers and literals", () => {
      expect(canonicalize({})).to.equal("{}");
      expect(canonicalize([])).to.equal("[]");
      expect(canonicalize([null, true, false, "", 0])).to.equal('[null,true,false,"",0]');
      expect(canonicalize(null)).to.equal("null");
      expect(canonicalize(Object.create(null))).to.equal("{}");
    });

    it("omits object members whose value is undefined (as JSON.stringify does)", () => {
      expect(canonicalize({ b: 1, a: undefined })).to.equal('{"b":1}');
    });
  });

  describe("rejections", () => {
    it("NaN and Infinity anywhere (section 3.2.2.3)", () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        expect(() => canonicalize(bad)).to.throw(TypeError);
        expect(() => canonicalize([bad])).to.throw(TypeError);
        expect(() => canonicalize({ a: [{ b: bad }] })).to.throw(TypeError);
      }
    });

    it("lone surrogates in values and in property names (section 3.2.2.2)", () => {
      const lone = ["\ud800", "\udead", "\udfff", "a\ud83d", "\ude00b", "\ude00\ud83d", "\ud83d\ud83d", "x\udbffy"];
      for (const s of lone) {
        const at = JSON.stringify(s);
        expect(() => canonicalize(s), at).to.throw(TypeError);
        expect(() => canonicalize([s]), at).to.throw(TypeError);
        expect(() => canonicalize({ k: s }), at).to.throw(TypeError);
        expect(() => canonicalize({ [s]: 1 }), at).to.throw(TypeError);
        expect(() => canonicalize({ a: { [s]: 1 } }), at).to.throw(TypeError);
      }
      // The same surrogates as JSON.parse produces them from \u escapes.
      expect(() => canonicalize(JSON.parse('{"a":"\\ud800"}'))).to.throw(TypeError);
      // Proper pairs are fine.
      expect(canonicalize("\ud83d\ude00\udbff\udfff")).to.equal('"\ud83d\ude00\udbff\udfff"');
    });

    it("undefined, functions, bigints and symbols at the top level", () => {
      expect(() => canonicalize(undefined)).to.throw(TypeError);
      expect(() => canonicalize(() => 1)).to.throw(TypeError);
      expect(() => canonicalize(function named() {})).to.throw(TypeError);
      expect(() => canonicalize(10n)).to.throw(TypeError);
      expect(() => canonicalize(Symbol("s"))).to.throw(TypeError);
    });

    it("undefined, functions and bigints inside arrays and objects", () => {
      expect(() => canonicalize([undefined])).to.throw(TypeError);
      expect(() => canonicalize([1, () => 1])).to.throw(TypeError);
      expect(() => canonicalize({ a: 1n })).to.throw(TypeError);
      expect(() => canonicalize({ a: [{ b: () => 1 }] })).to.throw(TypeError);
    });

    it("holes of sparse arrays (which would otherwise give \"[,1]\")", () => {
      // eslint-disable-next-line no-sparse-arrays
      expect(() => canonicalize([, 1])).to.throw(TypeError);
      expect(() => canonicalize(new Array(2))).to.throw(TypeError);
    });

    it("objects that are not plain JSON objects (a Date would otherwise become {})", () => {
      class Point {
        constructor(public x = 1) {}
      }
      const bad: unknown[] = [
        new Date(0),
        new Map([["a", 1]]),
        new Set([1]),
        Buffer.from("ab"),
        new Uint8Array([1]),
        new Number(3),
        new String("x"),
        new Boolean(true),
        new Point(),
        /re/,
        new Error("e"),
      ];
      for (const v of bad) {
        expect(() => canonicalize(v), Object.prototype.toString.call(v)).to.throw(TypeError, /is not JSON/);
        expect(() => canonicalize({ at: v }), Object.prototype.toString.call(v)).to.throw(TypeError);
      }
    });
  });

  describe("properties (fast-check)", () => {
    it("canonical output is valid JSON, a fixed point, and independent of key insertion order", () => {
      const shuffleKeys = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(shuffleKeys);
        if (v && typeof v === "object") {
          return Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, shuffleKeys(x)]),
          );
        }
        return v;
      };
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const c = canonicalize(v);
          const reparsed: unknown = JSON.parse(c);
          return canonicalize(reparsed) === c && canonicalize(shuffleKeys(v)) === c;
        }),
        { numRuns: 500, seed: 8785 },
      );
    });

    it("without objects, the canonical form is JSON.stringify's", () => {
      const noObjects = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: "small" },
          fc.constant(null),
          fc.boolean(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.string({ unit: "grapheme" }),
          fc.array(tie("value")),
        ),
      })).value;
      fc.assert(
        fc.property(noObjects, (v) => canonicalize(v) === JSON.stringify(v)),
        { numRuns: 500, seed: 8785 },
      );
    });
  });
});
