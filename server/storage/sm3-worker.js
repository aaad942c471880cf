// Computes SM3 digests off the main thread: SM3 has no hardware help and costs about four times
// SHA-256, so on a large upload it runs beside SHA-256 and the disk write instead of after them.
// Plain JavaScript so that the worker starts without a TypeScript compiler. Each chunk's buffer is
// sent back with its acknowledgement, so the main thread can reuse it.
"use strict";
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");

const jobs = new Map();
parentPort.on("message", (m) => {
  switch (m.kind) {
    case "start":
      jobs.set(m.job, createHash("sm3"));
      break;
    case "chunk": {
      const h = jobs.get(m.job);
      if (h) h.update(new Uint8Array(m.data, 0, m.length));
      parentPort.postMessage({ job: m.job, kind: "ack", data: m.data, length: m.length }, [m.data]);
      break;
    }
    case "end": {
      const h = jobs.get(m.job);
      jobs.delete(m.job);
      parentPort.postMessage({ job: m.job, kind: "digest", hex: h ? "0x" + h.digest("hex") : null });
      break;
    }
    case "abort":
      jobs.delete(m.job);
      break;
  }
});
