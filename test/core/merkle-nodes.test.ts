import { expect } from "chai";
import { createHash } from "node:crypto";
import { auditPath, rootFromAuditPath, rootFromLeafHashes } from "../../server/core/merkle";
import { consistencyProof, verifyConsistency } from "../../server/core/consistency";
import { MerkleNodes } from "../../server/core/merkle-nodes";

const leafOf = (i: number) => createHash("sha256").update(`leaf ${i}`).digest();
const hex = (bs: Buffer[]) => bs.map((b) => b.toString("hex"));

describe("MerkleNodes: proofs from the kept subtree hashes", () => {
  const N = 70;
  const leaves = Array.from({ length: N }, (_, i) => leafOf(i));
  const tree = new MerkleNodes();
  // Grown one leaf at a time past every size asked below; earlier sizes are asked of the grown tree.
  for (const l of leaves) tree.append(l);

  it("gives the roots of every size, as hashing all the leaves does", () => {
    expect(tree.size).to.equal(N);
    expect(tree.root(0).toString("hex")).to.equal(rootFromLeafHashes([]).toString("hex"));
    for (let n = 1; n <= N; n++) expect(tree.root(n).toString("hex"), `size ${n}`).to.equal(rootFromLeafHashes(leaves.slice(0, n)).toString("hex"));
  });

  it("gives every audit path of every size, each verifying to that size's root", () => {
    for (let n = 1; n <= N; n++) {
      const sub = leaves.slice(0, n);
      for (let i = 0; i < n; i++) {
        const path = tree.inclusionPath(i, n);
        expect(hex(path), `leaf ${i} of ${n}`).to.deep.equal(hex(auditPath(sub, i)));
        expect(rootFromAuditPath(leaves[i], i, n, path)?.toString("hex")).to.equal(tree.root(n).toString("hex"));
      }
    }
  });

  it("gives every consistency proof between every two sizes, each verifying", () => {
    for (let n = 1; n <= N; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(hex(proof), `${m} -> ${n}`).to.deep.equal(hex(consistencyProof(leaves, m, n)));
        expect(verifyConsistency(m, n, tree.root(m), tree.root(n), proof), `${m} -> ${n}`).to.equal(true);
      }
    }
  });

  it("refuses what is outside the tree, and a leaf that is not a hash", () => {
    expect(() => tree.root(N + 1)).to.throw(RangeError);
    expect(() => tree.inclusionPath(N, N)).to.throw(RangeError);
    expect(() => tree.inclusionPath(0, N + 1)).to.throw(RangeError);
    expect(() => tree.consistencyProof(0, 5)).to.throw(RangeError);
    expect(() => tree.consistencyProof(6, 5)).to.throw(RangeError);
    expect(() => tree.leaf(N)).to.throw(RangeError);
    expect(() => new MerkleNodes().append(Buffer.alloc(31))).to.throw(RangeError);
    expect(tree.leaf(3).toString("hex")).to.equal(leaves[3].toString("hex"));
  });

  it("keeps its hashes when its rows grow (a tree of 5,000 leaves)", () => {
    const big = new MerkleNodes();
    const many = Array.from({ length: 5000 }, (_, i) => leafOf(i));
    for (const l of many) big.append(l);
    expect(big.root().toString("hex")).to.equal(rootFromLeafHashes(many).toString("hex"));
    expect(hex(big.inclusionPath(4321, 5000))).to.deep.equal(hex(auditPath(many, 4321)));
    expect(hex(big.consistencyProof(1234, 5000))).to.deep.equal(hex(consistencyProof(many, 1234, 5000)));
  });
});
