// Computes SM3 digests off the main thread: SM3 has no hardware help and costs about four times
// SHA-256, so on a large upload it runs beside SHA-256 and the disk write instead of after them.
import { parentPort } from "node:worker_threads";
import { createHash, type Hash } from "node:crypto";

type Msg = { job: number; kind: "start" } | { job: number; kind: "chunk"; data: Uint8Array } | { job: number; kind: "end" } | { job: number; kind: "abort" };

const jobs = new Map<number, Hash>();
parentPort!.on("message", (m: Msg) => {
  switch (m.kind) {
    case "start":
      jobs.set(m.job, createHash("sm3"));
      break;
    case "chunk":
      jobs.get(m.job)?.update(m.data);
      parentPort!.postMessage({ job: m.job, kind: "ack", bytes: m.data.byteLength });
      break;
    case "end": {
      const h = jobs.get(m.job);
      jobs.delete(m.job);
      parentPort!.postMessage({ job: m.job, kind: "digest", hex: h ? "0x" + h.digest("hex") : null });
      break;
    }
    case "abort":
      jobs.delete(m.job);
      break;
  }
});
