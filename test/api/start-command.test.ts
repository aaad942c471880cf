// `npm start`'s command as a new user runs it: the server is compiled to dist/ and started from
// there, serves the pages and the API, anchors, and stops cleanly on SIGTERM.
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/cli";
import { freePort } from "../helpers/hardhat-node";
import { ADMIN } from "../helpers/platform";
import { databaseForTest } from "../helpers/database";

describe("the start command (scripts/start.js: compile, then run dist/server)", function () {
  this.timeout(120_000);

  it("starts from the compiled server, answers, anchors, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-start-"));
    const database = await databaseForTest();
    const child = spawn(process.execPath, ["scripts/start.js"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        BATCH_MAX_AGE_MS: "200",
        LOG_LEVEL: "warn",
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`exited during start:\n${out}`);
        const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
        if (ok) break;
        if (i > 600) throw new Error(`did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).to.match(/server compiled to dist\/server/);
      expect(fs.existsSync(path.join(ROOT, "dist/server/main.js"))).to.equal(true);
      const page = await fetch(`${url}/`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain("<html");

      const { token } = (await (await fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) })).json()) as { token: string };
      const form = new FormData();
      form.append("file", new Blob([`started by the start command ${Date.now()}`]), "start.txt");
      const created = await fetch(`${url}/api/evidence`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
      expect(created.status).to.equal(201);
      const { id } = (await created.json()) as { id: string };
      let proof = 0;
      for (let i = 0; i < 200 && proof !== 200; i++) {
        proof = (await fetch(`${url}/api/evidence/${id}/proof`, { headers: { authorization: `Bearer ${token}` } })).status;
        if (proof !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(proof).to.equal(200);

      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await database.drop();
    }
  });
});
