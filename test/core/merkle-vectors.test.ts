// Known-answer tests for server/core/merkle.ts against the published RFC 6962 (Certificate
// Transparency) reference vectors.
//
// Source of every hex value below (copied, not recomputed):
//   - github.com/transparency-dev/merkle, testonly/constants.go
//       LeafInputs(), NodeHashes() (all complete-subtree hashes of the 8-leaf tree) and
//       RootHashes() (roots of the trees of size 0..8; size 0 = SHA-256 of the empty string).
//   - github.com/transparency-dev/merkle, proof/verify_test.go
//       `inclusionProofs` (leaf, size, proof), whose leaf numbers are 1-based there
//       (the test calls VerifyInclusion with p.leaf-1), and corruptInclusionProof(), whose
//       probes are mirrored in `corruptions` below.
//   - The same vectors appear as kInputs / kSHA256Roots / kSHA256Paths in
//     github.com/google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { allAuditPaths, auditPath, leafHash, rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";

const hx = (s: string): Buffer => Buffer.from(s, "hex");
const hexes = (bs: readonly Uint8Array[]): string[] => bs.map((b) => Buffer.from(b).toString("hex"));

// testonly/constants.go LeafInputs()
const LEAF_INPUTS: Buffer[] = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(hx);

// testonly/constants.go NodeHashes(): [level][index]; level 0 are the leaf hashes.
const NODE_HASHES: string[][] = [
  [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
  ],
  [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
  ],
  [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ],
  ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

// testonly/constants.go RootHashes(), indexed by tree size 0..8.
const ROOTS: string[] = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

// proof/verify_test.go inclusionProofs, with the 1-based leaf numbers kept as published
// ({0, 0, nil} is the "no such leaf" case and is checked separately).
const INCLUSION: { leaf: number; size: number; proof: string[] }[] = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    leaf: 3,
    size: 3,
    proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
  },
  {
    leaf: 2,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

// proof/verify_test.go: sha256SomeHash and sha256EmptyTreeHash.
const SOME_HASH = hx("abacaba000000000000000000000000000000000000000000060061e00123456");
const EMPTY_TREE_HASH = hx(ROOTS[0]);

const LEAF_HASHES = LEAF_INPUTS.map((input) => leafHash(input));

function verifies(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromAuditPath(leaf, index, size, path);
  return r !== null && r.equals(root);
}

/** The probes of corruptInclusionProof() in proof/verify_test.go; every one must be rejected. */
function corruptions(index: number, size: number, proof: Buffer[], root: Buffer, leaf: Buffer) {
  const probes: { desc: string; index: number; size: number; leaf: Buffer; root: Buffer; proof: Buffer[] }[] = [
    { desc: "leafIndex - 1", index: index - 1, size, leaf, root, proof },
    { desc: "leafIndex + 1", index: index + 1, size, leaf, root, proof },
    { desc: "leafIndex ^ 2", index: index ^ 2, size, leaf, root, proof },
    { desc: "treeSize * 2", index, size: size * 2, leaf, root, proof },
    { desc: "treeSize / 2", index, size: Math.floor(size / 2), leaf, root, proof },
    { desc: "wrong leaf", index, size, leaf: Buffer.from("WrongLeaf"), root, proof },
    { desc: "empty root", index, size, leaf, root: EMPTY_TREE_HASH, proof },
    { desc: "random root", index, size, leaf, root: SOME_HASH, proof },
    { desc: "trailing garbage", index, size, leaf, root, proof: [...proof, Buffer.alloc(0)] },
    { desc: "trailing root", index, size, leaf, root, proof: [...proof, root] },
    { desc: "preceding garbage", index, size, leaf, root, proof: [Buffer.alloc(0), ...proof] },
    { desc: "preceding root", index, size, leaf, root, proof: [root, ...proof] },
  ];
  for (let i = 0; i < proof.length; i++) {
    const wrong = proof.map((p) => Buffer.from(p));
    wrong[i][0] ^= 8;
    probes.push({ desc: `modified proof[${i}] bit 3`, index, size, leaf, root, proof: wrong });
  }
  if (proof.length > 0) probes.push({ desc: "removed component", index, size, leaf, root, proof: proof.slice(0, -1) });
  if (proof.length > 1) {
    probes.push({ desc: "inserted component", index, size, leaf, root, proof: [proof[0], SOME_HASH, ...proof.slice(1)] });
  }
  return probes;
}

describe("merkle: RFC 6962 reference vectors (transparency-dev/merkle)", () => {
  it("the vector tables are intact", () => {
    expect(LEAF_INPUTS.map((b) => b.length)).to.deep.equal([0, 1, 1, 2, 2, 4, 8, 16]);
    expect(ROOTS).to.have.length(9);
    expect(ROOTS[0]).to.equal(createHash("sha256").digest("hex"));
    expect(NODE_HASHES.map((level) => level.length)).to.deep.equal([8, 4, 2, 1]);
    expect(NODE_HASHES[3][0]).to.equal(ROOTS[8]);
  });

  it("leaf hashes are SHA-256(0x00 || input) = NodeHashes level 0", () => {
    expect(hexes(LEAF_HASHES)).to.deep.equal(NODE_HASHES[0]);
  });

  it("rootFromLeafHashes gives the published root for every size 0..8", () => {
    for (let size = 0; size <= 8; size++) {
      expect(rootFromLeafHashes(LEAF_HASHES.slice(0, size)).toString("hex"), `size ${size}`).to.equal(ROOTS[size]);
    }
  });

  it("allAuditPaths gives the published root for every size 0..8", () => {
    for (let size = 0; size <= 8; size++) {
      const { root, paths } = allAuditPaths(LEAF_HASHES.slice(0, size));
      expect(root.toString("hex"), `size ${size}`).to.equal(ROOTS[size]);
      expect(paths).to.have.length(size);
    }
  });

  it("every complete subtree hash of NodeHashes is a node of the 8-leaf tree", () => {
    for (let level = 1; level < NODE_HASHES.length; level++) {
      const width = 1 << level;
      NODE_HASHES[level].forEach((expected, i) => {
        const sub = LEAF_HASHES.slice(i * width, (i + 1) * width);
        expect(rootFromLeafHashes(sub).toString("hex"), `level ${level} node ${i}`).to.equal(expected);
      });
    }
  });

  for (const v of INCLUSION) {
    const index = v.leaf - 1;
    const proof = v.proof.map(hx);
    const leaves = LEAF_HASHES.slice(0, v.size);
    const root = hx(ROOTS[v.size]);

    describe(`inclusion of leaf ${v.leaf} (index ${index}) in a tree of ${v.size}`, () => {
      it("auditPath equals the published proof", () => {
        expect(hexes(auditPath(leaves, index))).to.deep.equal(v.proof);
      });

      it("allAuditPaths gives the same proof", () => {
        expect(hexes(allAuditPaths(leaves).paths[index])).to.deep.equal(v.proof);
      });

      it("rootFromAuditPath recomputes the published root", () => {
        const r = rootFromAuditPath(LEAF_HASHES[index], index, v.size, proof);
        expect(r, "a path of the right length").to.not.equal(null);
        expect(r!.toString("hex")).to.equal(ROOTS[v.size]);
      });

      it("a path of the wrong length gives null, not some other root", () => {
        const leaf = LEAF_HASHES[index];
        expect(rootFromAuditPath(leaf, index, v.size, [...proof, SOME_HASH]), "appended").to.equal(null);
        expect(rootFromAuditPath(leaf, index, v.size, [...proof, SOME_HASH, SOME_HASH]), "two appended").to.equal(null);
        if (proof.length > 0) expect(rootFromAuditPath(leaf, index, v.size, proof.slice(0, -1)), "truncated").to.equal(null);
      });

      it("rejects every corruption probe of verify_test.go", () => {
        const accepted = corruptions(index, v.size, proof, root, LEAF_HASHES[index])
          .filter((p) => verifies(p.leaf, p.index, p.size, p.proof, p.root))
          .map((p) => p.desc);
        expect(accepted, "incorrectly verified against").to.deep.equal([]);
      });
    });
  }

  it("the 8-leaf tree: every leaf's path is its three sibling subtrees from NodeHashes", () => {
    const { root, paths } = allAuditPaths(LEAF_HASHES);
    expect(root.toString("hex")).to.equal(ROOTS[8]);
    for (let i = 0; i < 8; i++) {
      const expected = [NODE_HASHES[0][i ^ 1], NODE_HASHES[1][(i >> 1) ^ 1], NODE_HASHES[2][(i >> 2) ^ 1]];
      expect(hexes(auditPath(LEAF_HASHES, i)), `auditPath leaf ${i}`).to.deep.equal(expected);
      expect(hexes(paths[i]), `allAuditPaths leaf ${i}`).to.deep.equal(expected);
      expect(rootFromAuditPath(LEAF_HASHES[i], i, 8, paths[i])!.toString("hex")).to.equal(ROOTS[8]);
    }
  });

  it("the probes of TestVerifyInclusion with an empty path are rejected ({0,0}, {0,1}, {1,0}, {2,1})", () => {
    for (const [index, size] of [[0, 0], [0, 1], [1, 0], [2, 1]]) {
      expect(verifies(SOME_HASH, index, size, [], Buffer.alloc(0)), `${index}:${size}`).to.equal(false);
      expect(verifies(Buffer.alloc(0), index, size, [], EMPTY_TREE_HASH), `${index}:${size}`).to.equal(false);
      expect(verifies(SOME_HASH, index, size, [], EMPTY_TREE_HASH), `${index}:${size}`).to.equal(false);
    }
  });

  it("the {0, 0} case: no leaf in an empty tree", () => {
    expect(() => auditPath([], 0)).to.throw(RangeError);
    expect(rootFromAuditPath(EMPTY_TREE_HASH, 0, 0, [])).to.equal(null);
  });

  it("a single-entry tree (TestVerifyInclusionSingleEntry): root = leaf hash, empty proof", () => {
    const hash = leafHash(Buffer.from("data"));
    expect(rootFromLeafHashes([hash]).equals(hash)).to.equal(true);
    expect(auditPath([hash], 0)).to.deep.equal([]);
    expect(verifies(hash, 0, 1, [], hash)).to.equal(true);
    expect(verifies(Buffer.alloc(0), 0, 1, [], hash)).to.equal(false);
    expect(verifies(hash, 0, 1, [], Buffer.alloc(0))).to.equal(false);
  });
});
