// Baseline of the HTTP intake benchmark: a bare Express 5 app whose POST handler reads the whole
// request body and answers 201 with a small JSON. Listens on 127.0.0.1:$PORT.
import express from "express";

const app = express();
app.disable("x-powered-by");
let count = 0;

app.get("/health", (_req, res) => {
  res.json({ ok: true });
});

app.post("/upload", (req, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  req.on("end", () => {
    res.status(201).json({ id: ++count, size: bytes, status: "queued" });
  });
});

// The baseline of the verify load: reads the JSON body and answers 200.
app.post("/verify", (req, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => (bytes += chunk.length));
  req.on("end", () => {
    res.status(200).json({ anchored: false, matches: [], size: bytes });
  });
});

const port = Number(process.env.PORT);
const server = app.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
