import { expect } from "chai";
import pino from "pino";
import { PollLoop } from "../../server/background/poll-loop";

const log = pino({ level: "silent" });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond(), "condition not reached").to.equal(true);
};

describe("the outbox workers' poll loop", () => {
  it("runs the next cycle at once while a cycle says more is due, then waits the poll interval", async () => {
    let calls = 0;
    // A poll interval no test waits out: only cycles asked for at once can run.
    const loop = new PollLoop(async () => ++calls < 5, { name: "t", pollMs: 600_000, maxBackoffMs: 600_000, log });
    loop.start();
    await until(() => calls === 5);
    await new Promise((r) => setTimeout(r, 100));
    await loop.stop();
    expect(calls).to.equal(5);
  });

  it("shows why a cycle failed, retries, and forgets the error after a cycle that succeeds", async () => {
    let calls = 0;
    const seen: (string | null)[] = [];
    let loop: PollLoop | null = null;
    loop = new PollLoop(
      async () => {
        seen.push(loop!.lastError);
        calls++;
        if (calls <= 2) throw new Error(`database away ${calls}`);
        return calls < 4;
      },
      { name: "t", pollMs: 1, maxBackoffMs: 5, log },
    );
    loop.start();
    await until(() => calls >= 4);
    await loop.stop();
    expect(seen.slice(0, 4)).to.deep.equal([null, "database away 1", "database away 2", null]);
    expect(loop.lastError).to.equal(null);
  });

  it("stop() waits for the cycle in flight, which sees it is stopping, and no cycle starts after", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    let sawStopping = false;
    let loop: PollLoop | null = null;
    loop = new PollLoop(
      async () => {
        calls++;
        await gate;
        sawStopping = loop!.stopping;
        return true;
      },
      { name: "t", pollMs: 1, maxBackoffMs: 5, log },
    );
    loop.start();
    await until(() => calls === 1);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped, "stop() returned while a cycle was running").to.equal(false);
    release();
    await stopping;
    expect(sawStopping).to.equal(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).to.equal(1);
  });
});
