// The disk fills up: an upload gets 507, nothing half-written is left behind, and reads go on.
// DATA_DIR is a small tmpfs, so this needs the right to mount (CI runs as root); skipped otherwise.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

describe("storage full", function () {
  this.timeout(60_000);
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-full-"));
  let mounted = false;
  let tp: TestPlatform;

  before(async function () {
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=12m", "tmpfs", mountPoint], { stdio: "ignore" });
      mounted = true;
    } catch {
      return this.skip();
    }
    tp = await startTestPlatform({ MAX_UPLOAD_BYTES: String(64 * 1024 * 1024), BATCH_MAX_AGE_MS: "100000" }, { dataDir: mountPoint });
  });
  after(async () => {
    await tp?.stop();
    if (mounted) execFileSync("umount", ["-l", mountPoint]);
  });

  it("507 when the disk is full, no partial file left, reads still served", async () => {
    const first = await tp.upload(tp.adminToken, Buffer.alloc(3 * 1024 * 1024, 7));
    expect(first.status).to.equal(201);
    const { id } = (await first.json()) as { id: string };
    const itemsBefore = await tp.platform.database.db.evidenceItem.count();

    const tooBig = Buffer.alloc(20 * 1024 * 1024, 9);
    const full = await tp.upload(tp.adminToken, tooBig);
    expect(full.status).to.equal(507);
    expect(((await full.json()) as any).error.code).to.equal("storage_full");
    expect(fs.readdirSync(path.join(mountPoint, "tmp"))).to.deep.equal([]);
    expect(await tp.platform.database.db.evidenceItem.count()).to.equal(itemsBefore);

    expect((await tp.api("GET", `/api/evidence/${id}`, { token: tp.adminToken })).status).to.equal(200);
    const content = await tp.api("GET", `/api/evidence/${id}/content`, { token: tp.adminToken });
    expect(Buffer.from(await content.arrayBuffer()).length).to.equal(3 * 1024 * 1024);
    // Space freed by the refused upload: a small one goes through again.
    expect((await tp.upload(tp.adminToken, "small again")).status).to.equal(201);
  });
});
