// One hash (workerData.algorithm: "sha256" or "sm3") computed off the main thread, over chunks in
// shared memory that the main thread also writes to disk: nothing is copied between the threads.
// Each chunk is acknowledged once hashed, so the main thread may fill its slot again. Jobs (one per
// upload) are multiplexed by id. Plain JavaScript so that the worker starts without a TypeScript
// compiler.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");

const jobs = new Map();
parentPort.on("message", (m) => {
  switch (m.kind) {
    case "start":
      jobs.set(m.job, createHash(workerData.algorithm));
      break;
    case "chunk": {
      const h = jobs.get(m.job);
      if (h) h.update(new Uint8Array(m.data, 0, m.length));
      parentPort.postMessage({ job: m.job, kind: "ack" });
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
