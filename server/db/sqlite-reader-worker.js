// One read-only connection to the platform's SQLite file, on its own thread (sqlite-readers.ts).
// WAL lets it read beside the writer; query_only makes any statement that would write fail.
// Plain JavaScript, so the thread loads no TypeScript compiler.
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");

const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
db.pragma("query_only = ON");

/** Prepared statements by text: the figures ask the same few dozen statements again and again. */
const prepared = new Map();
const MAX_PREPARED = 64;

function statement(text) {
  let s = prepared.get(text);
  if (s) return s;
  s = db.prepare(text);
  if (!s.reader) throw Object.assign(new Error("not a statement that returns rows"), { code: "SQLITE_READER_NOT_A_QUERY" });
  if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value);
  prepared.set(text, s);
  return s;
}

parentPort.on("message", ({ id, text, values }) => {
  try {
    parentPort.postMessage({ id, rows: statement(text).all(...values) });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code ? String(e.code) : undefined } });
  }
});
