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
    expect(groups[0]).to.deep.equal([0]); // a lone writer waits for nothing
    expect(groups.length).to.be.lessThan(5);
    expect(groups.flat()).to.deep.equal(Array.from({ length: 50 }, (_, i) => i));
  });

  it("a failed group rejects its members only; the next group goes on", async () => {
    let calls = 0;
    const gc = new GroupCommit<string, string>(async (items) => {
      calls++;
      if (items.includes("bad")) throw new Error("disk full");
      return items;
    });
    const first = gc.submit("bad");
    const later = [gc.submit("a"), gc.submit("b")];
    let error: unknown;
    await first.catch((e) => (error = e));
    expect(String(error)).to.contain("disk full");
    expect(await Promise.all(later)).to.deep.equal(["a", "b"]);
    expect(calls).to.equal(2);
  });

  it("respects the group size limit", async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(async (items) => (sizes.push(items.length), items), 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    expect(Math.max(...sizes)).to.be.at.most(3);
  });
});
