// The case-file export is built in memory, so what it embeds has a budget (CASEFILE_EMBED_MAX_BYTES):
// a file that does not fit is not read, is listed with its digest and a note saying where the
// original is, and the files after it that fit are still embedded.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveTool, run, tempDir } from "../pdf/helpers";
import { planEmbedding } from "../../server/casefile/service";

const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");

describe("case-file export size budget", function () {
  this.timeout(120_000);

  it("plans in file order: a file too large for what is left is skipped, later ones that fit are kept", () => {
    expect(planEmbedding([100, 50, null, 900, 40, 10], 200)).to.deep.equal([true, true, false, false, true, true]);
    expect(planEmbedding([201], 200)).to.deep.equal([false]);
    expect(planEmbedding([0, 200], 200)).to.deep.equal([true, true]);
    expect(planEmbedding([1], 0)).to.deep.equal([false]);
  });

  describe("through the API", () => {
    let tp: TestPlatform;
    let tmp: ReturnType<typeof tempDir>;
    before(async function () {
      const missing = ["pdftotext", "pdfdetach"].filter((t) => !haveTool(t));
      if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
      tp = await startTestPlatform({ CASEFILE_EMBED_MAX_BYTES: "6000" });
      tmp = tempDir("casefile-budget-");
    });
    after(async () => {
      await tp?.stop();
      tmp?.rm();
    });

    it("the large file is listed with its digest and not attached; the small ones after it are attached", async () => {
      const judge = await tp.createUser("judge");
      const lawyer = await tp.createUser("lawyer");
      const opened = await tp.api("POST", "/api/cases", {
        token: judge.token,
        json: { number: `(2026)闽0102民初${(process.pid % 1000) + 7000}号`, court: "某区人民法院", causeOfAction: "买卖合同纠纷", parties: [{ name: "甲公司", kind: "plaintiff", members: [lawyer.id] }, { name: "乙公司", kind: "defendant", members: [] }] },
      });
      expect(opened.status, await opened.clone().text()).to.equal(201);
      const c = (await opened.json()) as { id: string };
      const files = [
        { title: "small one", name: "one.txt", content: Buffer.from("first small file\n") },
        { title: "large video", name: "large.bin", content: Buffer.alloc(8000, 7) },
        { title: "small two", name: "two.txt", content: Buffer.from("second small file\n") },
      ];
      for (const f of files) {
        const body = new FormData();
        body.append("title", f.title);
        body.append("purpose", "证明");
        body.append("file", new Blob([new Uint8Array(f.content)]), f.name);
        const sub = await tp.api("POST", `/api/cases/${c.id}/submissions`, { token: lawyer.token, body });
        expect(sub.status, await sub.clone().text()).to.equal(201);
        const { id } = (await sub.json()) as { id: string };
        expect((await tp.api("POST", `/api/cases/${c.id}/submissions/${id}/finalise`, { token: lawyer.token })).status).to.equal(200);
      }
      const made = await tp.api("POST", `/api/cases/${c.id}/file/exports`, { token: judge.token });
      expect(made.status, await made.clone().text()).to.equal(201);
      const res = await tp.api("GET", `/api/cases/${c.id}/file/exports/1`, { token: judge.token });
      const pdf = Buffer.from(await res.arrayBuffer());
      const file = path.join(tmp.dir, "v1.pdf");
      fs.writeFileSync(file, pdf);

      const text = run("pdftotext", ["-layout", file, "-"]).stdout;
      expect(text).to.include(sha(files[1].content));
      expect(text).to.include("Too large to embed in this export");
      expect(text.match(/Too large to embed/g)).to.have.length(1);

      const out = path.join(tmp.dir, "attached");
      fs.mkdirSync(out);
      expect(run("pdfdetach", ["-saveall", "-o", out, file]).status).to.equal(0);
      const attached = fs.readdirSync(out).map((n) => sha(fs.readFileSync(path.join(out, n))));
      expect(attached).to.include(sha(files[0].content));
      expect(attached).to.include(sha(files[2].content));
      expect(attached).not.to.include(sha(files[1].content));
    });
  });
});
