import { expect } from "chai";
import { GroupCommit } from "../../server/db/group-commit";

describe("group commit", () => {
  it("writes concurrent submissions in shared groups, answering each with its own result", async () => {
    const groups: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      groups.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((x) => x * 10);
    });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => gc.submit(i)));
    expect(results).to.deep.equal(Array.from({ length: 50 }, (_, i) => i * 10));
    expect(groups.length).to.equal(1); // submitted together: one group, one transaction
    expect(await gc.submit(99)).to.equal(990); // a lone writer is written on its own
    expect(groups[1]).to.deep.equal([99]);
    groups.pop();
    expect(groups.flat()).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
  });

  it("a failed group rejects its members; the next group goes on", async () => {
    let calls = 0;
    const gc = new GroupCommit<string, string>(async (items) => {
      calls++;
      if (items.includes("bad")) throw new Error("disk full");
      return items;
    });
    const together = [gc.submit("bad"), gc.submit("x")];
    const errors = await Promise.all(together.map((p) => p.then(() => null, (e) => String(e))));
    expect(errors).to.deep.equal(["Error: disk full", "Error: disk full"]); // the whole group failed
    expect(await Promise.all([gc.submit("a"), gc.submit("b")])).to.deep.equal(["a", "b"]);
    expect(calls).to.equal(2);
  });

  it("respects the group size limit", async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(async (items) => (sizes.push(items.length), items), 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    expect(Math.max(...sizes)).to.be.at.most(3);
  });
});
