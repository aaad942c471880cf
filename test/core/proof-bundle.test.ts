// The offline verification of proof bundles (server/core/proof-bundle.ts): a bundle made for each
// leaf of a small tree of evidence records verifies, and each kind of tampering is reported by
// the check that is responsible for it.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { leafOf, type EvidenceRecord } from "../../server/core/evidence-record";
import { fromHex, toHex } from "../../server/core/hex";
import { allAuditPaths, MERKLE_ALGORITHM } from "../../server/core/merkle";
import {
  BUNDLE_VERSION,
  bundleProblems,
  failureSummary,
  verifyBundleOffline,
  type Check,
  type CheckName,
  type ProofBundle,
} from "../../server/core/proof-bundle";

const sha256Hex = (data: string | Buffer) => "0x" + createHash("sha256").update(data).digest("hex");

function fileOf(i: number): Buffer {
  return Buffer.from(`contents of evidence file number ${i}\n`);
}

function recordOf(i: number): EvidenceRecord {
  const file = fileOf(i);
  const record: EvidenceRecord = {
    type: "evidence",
    id: `ev_${String(i).padStart(4, "0")}`,
    sha256: sha256Hex(file),
    sm3: "0x" + createHash("sm3").update(file).digest("hex"),
    size: file.length,
    submitter: { id: `user_${i % 3}` },
    acceptedAt: new Date(Date.UTC(2025, 0, 1, 12, 0, i)).toISOString(),
  };
  if (i % 2 === 0) record.title = `Exhibit ${i} \u2014 \u5951\u7ea6`; // non-ASCII on purpose
  if (i % 3 === 0) record.source = "upload";
  return record;
}

/** One bundle per leaf of a tree of `n` records, as the API would issue them. */
function makeBundles(n: number, withLeafHash = true): ProofBundle[] {
  const records = Array.from({ length: n }, (_, i) => recordOf(i));
  const leaves = records.map((r) => fromHex(leafOf(r).hash));
  const { root, paths } = allAuditPaths(leaves);
  return records.map((record, i) => ({
    version: BUNDLE_VERSION,
    record: record as unknown as Record<string, unknown>,
    merkle: {
      algorithm: MERKLE_ALGORITHM,
      ...(withLeafHash ? { leafHash: toHex(leaves[i]) } : {}),
      leafIndex: i,
      treeSize: n,
      auditPath: paths[i].map(toHex),
      root: toHex(root),
    } as ProofBundle["merkle"],
    anchor: {
      chainId: 31337,
      registry: "0x" + "5f".repeat(20),
      txHash: "0x" + "a1".repeat(32),
      blockNumber: 42,
      blockTimestamp: 1_735_732_800,
    },
  }));
}

/** A deep copy through JSON, as a bundle arrives at a verifier. */
function clone(b: ProofBundle): ProofBundle {
  return JSON.parse(JSON.stringify(b)) as ProofBundle;
}

/** The same 0x-hex string with its last digit changed. */
function tweakHex(h: string): string {
  const last = h[h.length - 1];
  return h.slice(0, -1) + (last === "0" ? "1" : "0");
}

/** Every check passed except the last, which failed and is named `name`; returns it. */
function expectFailureAt(checks: Check[], name: CheckName): Check {
  expect(checks.length, JSON.stringify(checks)).to.be.greaterThan(0);
  const last = checks[checks.length - 1];
  expect(
    checks.map((c) => `${c.name}:${c.ok}`),
    last.detail,
  ).to.deep.equal([...checks.slice(0, -1).map((c) => `${c.name}:true`), `${name}:false`]);
  return last;
}

function expectAllPass(checks: Check[], withFile: boolean): void {
  const names = withFile ? ["bundle-format", "file-digest", "record-leaf", "audit-path"] : ["bundle-format", "record-leaf", "audit-path"];
  expect(checks.map((c) => c.name), JSON.stringify(checks)).to.deep.equal(names);
  for (const c of checks) expect(c.ok, `${c.name}: ${c.detail}`).to.equal(true);
}

describe("proof bundle: offline verification", () => {
  const SIZES = [1, 2, 7];

  describe("genuine bundles", () => {
    for (const n of SIZES) {
      it(`every leaf of a tree of ${n} verifies, with and without the file`, () => {
        makeBundles(n).forEach((bundle, i) => {
          expectAllPass(verifyBundleOffline(bundle, sha256Hex(fileOf(i))), true);
          expectAllPass(verifyBundleOffline(bundle), false);
          expectAllPass(verifyBundleOffline(clone(bundle), sha256Hex(fileOf(i))), true);
          expect(bundleProblems(bundle)).to.deep.equal([]);
        });
      });
    }

    it("bundles without the optional merkle.leafHash verify too", () => {
      makeBundles(7, false).forEach((bundle, i) => expectAllPass(verifyBundleOffline(bundle, sha256Hex(fileOf(i))), true));
    });

    it("the leaf is the RFC 6962 leaf hash of the record's JCS bytes", () => {
      const record = recordOf(0);
      const { input, hash } = leafOf(record);
      expect(input.toString("utf8").startsWith('{"acceptedAt":')).to.equal(true);
      expect(hash).to.equal(sha256Hex(Buffer.concat([Buffer.from([0]), input])));
      // Key order of the record object does not matter.
      const reordered = Object.fromEntries(Object.entries(record).reverse());
      expect(leafOf(reordered).hash).to.equal(hash);
    });
  });

  describe("tampering names the failing check", () => {
    const bundles = makeBundles(7);

    it("a different file -> file-digest", () => {
      bundles.forEach((bundle, i) => {
        const wrongFile = sha256Hex(fileOf(i + 1));
        const failed = expectFailureAt(verifyBundleOffline(clone(bundle), wrongFile), "file-digest");
        expect(failed.detail).to.contain(wrongFile);
        expect(failureSummary(failed.name)).to.equal("wrong file");
      });
      // One flipped digit of the right digest, and an empty digest.
      expectFailureAt(verifyBundleOffline(clone(bundles[3]), tweakHex(sha256Hex(fileOf(3)))), "file-digest");
      expectFailureAt(verifyBundleOffline(clone(bundles[3]), ""), "file-digest");
    });

    it("a changed record field -> record-leaf", () => {
      const edits: [string, (r: Record<string, any>) => void][] = [
        ["id", (r) => (r.id = r.id + "x")],
        ["acceptedAt", (r) => (r.acceptedAt = "2025-01-01T12:00:59.000Z")],
        ["size", (r) => (r.size = r.size + 1)],
        ["sm3", (r) => (r.sm3 = tweakHex(r.sm3))],
        ["submitter.id (nested)", (r) => (r.submitter.id = "mallory")],
        ["submitter.id (nested)", (r) => (r.submitter.id = "user_9")],
        ["type", (r) => (r.type = "contract")],
        ["title added", (r) => (r.title = "Exhibit A")],
        ["source removed or added", (r) => (r.source === undefined ? (r.source = "api") : delete r.source)],
        ["an extra field", (r) => (r.note = "")],
        ["size as a string", (r) => (r.size = String(r.size))],
      ];
      bundles.forEach((bundle, i) => {
        for (const [what, edit] of edits) {
          const b = clone(bundle);
          edit(b.record);
          const failed = expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(i))), "record-leaf");
          expect(failed.detail, what).to.contain(bundle.merkle.leafHash!);
          expect(failureSummary(failed.name)).to.equal("record altered");
        }
      });
    });

    it("a changed record sha256 -> file-digest when the file is given, record-leaf otherwise", () => {
      const b = clone(bundles[2]);
      b.record.sha256 = sha256Hex(fileOf(5));
      expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(2))), "file-digest");
      expectFailureAt(verifyBundleOffline(b), "record-leaf");
      // Even when the file presented is the one the forged digest names.
      expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(5))), "record-leaf");
    });

    it("a record taken from another bundle -> record-leaf", () => {
      const b = clone(bundles[1]);
      b.record = clone(bundles[4]).record;
      expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(4))), "record-leaf");
    });

    it("a changed merkle.leafHash -> record-leaf", () => {
      const b = clone(bundles[1]);
      b.merkle.leafHash = bundles[2].merkle.leafHash;
      expectFailureAt(verifyBundleOffline(b), "record-leaf");
    });

    it("a changed audit path element -> audit-path", () => {
      bundles.forEach((bundle, i) => {
        bundle.merkle.auditPath.forEach((_, k) => {
          const b = clone(bundle);
          b.merkle.auditPath[k] = tweakHex(b.merkle.auditPath[k]);
          const failed = expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(i))), "audit-path");
          expect(failed.detail).to.contain("not to root");
          expect(failureSummary(failed.name)).to.equal("path altered");
        });
      });
    });

    it("a changed root -> audit-path", () => {
      bundles.forEach((bundle, i) => {
        const b = clone(bundle);
        b.merkle.root = tweakHex(b.merkle.root);
        expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(i))), "audit-path");
      });
      // The root of another (genuine) tree.
      const b = clone(bundles[0]);
      b.merkle.root = makeBundles(6)[0].merkle.root;
      expectFailureAt(verifyBundleOffline(b), "audit-path");
    });

    it("a path that does not fit (reordered, truncated, extended, swapped, wrong index or size) -> audit-path", () => {
      const edits: [string, (b: ProofBundle) => void][] = [
        ["path reversed", (b) => b.merkle.auditPath.reverse()],
        ["last element removed", (b) => b.merkle.auditPath.pop()],
        ["an element appended", (b) => b.merkle.auditPath.push(b.merkle.root)],
        ["an element prepended", (b) => b.merkle.auditPath.unshift(b.merkle.root)],
        ["another leaf's path", (b) => (b.merkle.auditPath = clone(bundles[(b.merkle.leafIndex + 1) % 7]).merkle.auditPath)],
        ["leafIndex + 1", (b) => (b.merkle.leafIndex += 1)],
        ["leafIndex ^ 1", (b) => (b.merkle.leafIndex ^= 1)],
        ["treeSize * 2", (b) => (b.merkle.treeSize *= 2)],
        ["treeSize / 2", (b) => (b.merkle.treeSize = Math.max(1, b.merkle.treeSize >> 1))],
        ["leafIndex = treeSize", (b) => (b.merkle.leafIndex = b.merkle.treeSize)],
      ];
      bundles.forEach((bundle, i) => {
        for (const [what, edit] of edits) {
          const b = clone(bundle);
          edit(b);
          const checks = verifyBundleOffline(b, sha256Hex(fileOf(i)));
          expect(checks[checks.length - 1].name, `leaf ${i}: ${what}`).to.equal("audit-path");
          expectFailureAt(checks, "audit-path");
        }
      });
    });

    it("without merkle.leafHash, a changed record can only be caught by the audit path", () => {
      const b = clone(makeBundles(7, false)[3]);
      b.record.id = "ev_9999";
      expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(3))), "audit-path");
    });
  });

  describe("malformed bundles -> bundle-format", () => {
    const good = makeBundles(7)[5];
    const edits: [string, (b: any) => void][] = [
      ["version 2", (b) => (b.version = 2)],
      ["version missing", (b) => delete b.version],
      ["version as a string", (b) => (b.version = "1")],
      ["record missing", (b) => delete b.record],
      ["record null", (b) => (b.record = null)],
      ["record a string", (b) => (b.record = "{}")],
      ["record an array", (b) => (b.record = [b.record])],
      ["merkle missing", (b) => delete b.merkle],
      ["algorithm unknown", (b) => (b.merkle.algorithm = "SHA256")],
      ["treeSize 0", (b) => (b.merkle.treeSize = 0)],
      ["treeSize fractional", (b) => (b.merkle.treeSize = 7.5)],
      ["treeSize a string", (b) => (b.merkle.treeSize = "7")],
      ["treeSize beyond 2^53", (b) => (b.merkle.treeSize = 2 ** 53 + 2)],
      ["leafIndex negative", (b) => (b.merkle.leafIndex = -1)],
      ["leafIndex missing", (b) => delete b.merkle.leafIndex],
      ["root upper case", (b) => (b.merkle.root = b.merkle.root.toUpperCase().replace("0X", "0x"))],
      ["root without 0x", (b) => (b.merkle.root = b.merkle.root.slice(2))],
      ["root truncated", (b) => (b.merkle.root = b.merkle.root.slice(0, -2))],
      ["leafHash malformed", (b) => (b.merkle.leafHash = "0x1234")],
      ["auditPath missing", (b) => delete b.merkle.auditPath],
      ["auditPath a string", (b) => (b.merkle.auditPath = b.merkle.auditPath.join(","))],
      ["auditPath element malformed", (b) => (b.merkle.auditPath[1] = b.merkle.auditPath[1] + "00")],
      ["auditPath element not a string", (b) => (b.merkle.auditPath[0] = 0)],
      ["anchor missing", (b) => delete b.anchor],
      ["anchor.chainId a string", (b) => (b.anchor.chainId = "31337")],
      ["anchor.registry too short", (b) => (b.anchor.registry = b.anchor.registry.slice(0, -2))],
      ["anchor.txHash malformed", (b) => (b.anchor.txHash = "0x00")],
      ["anchor.blockNumber fractional", (b) => (b.anchor.blockNumber = 4.2)],
      ["anchor.blockTimestamp missing", (b) => delete b.anchor.blockTimestamp],
    ];

    for (const [what, edit] of edits) {
      it(what, () => {
        const b = clone(good);
        edit(b);
        const failed = expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(5))), "bundle-format");
        expect(failed.detail).to.not.equal("well-formed");
        expect(bundleProblems(b)).to.not.deep.equal([]);
      });
    }

    it("not an object at all", () => {
      for (const v of [null, undefined, "bundle", 42, true]) {
        const failed = expectFailureAt(verifyBundleOffline(v as unknown as ProofBundle), "bundle-format");
        expect(failed.detail).to.equal("bundle is not a JSON object");
      }
      expect(failureSummary("bundle-format")).to.equal("malformed bundle");
    });

    it("a record JCS cannot encode (a lone surrogate from JSON.parse) is reported, not thrown", () => {
      const text = JSON.stringify(good).replace('"type":"evidence"', '"type":"evidence\\ud800"');
      const b = JSON.parse(text) as ProofBundle;
      expect((b.record.type as string).length).to.equal("evidence".length + 1);
      const failed = expectFailureAt(verifyBundleOffline(b, sha256Hex(fileOf(5))), "bundle-format");
      expect(failed.detail).to.contain("canonicalized");
    });

    it("several problems are all listed", () => {
      const b = clone(good) as any;
      b.version = 0;
      b.merkle.root = "nope";
      delete b.anchor;
      expect(bundleProblems(b)).to.have.length(3);
    });
  });
});
