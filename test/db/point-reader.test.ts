import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { databaseForTest, testDbKind } from "../helpers/database";

// Short raw reads on the verification path (server/db/point-reader.ts), on the database under test.
describe(`point reads (${testDbKind()})`, function () {
  this.timeout(60_000);
  let dir: string;
  let database: Database;
  let drop: () => Promise<void>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "point-reader-"));
    const target = await databaseForTest();
    drop = target.drop;
    database = await openDatabase(resolveDbTarget(target.databaseUrl, dir));
  });

  after(async () => {
    await database.close();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("binds each ? in order and sees each commit at once", async () => {
    const sql = `SELECT "number", "der" FROM "RevocationList" WHERE "number" >= ? AND "der" <> ? ORDER BY "number"`;
    expect(await database.point.rows(sql, [1, "skip"])).to.deep.equal([]);
    await database.db.revocationList.createMany({ data: [{ number: 1, der: "a" }, { number: 2, der: "skip" }, { number: 3, der: "c" }] });
    const rows = await database.point.rows<{ number: number; der: string }>(sql, [1, "skip"]);
    expect(rows.map((r) => [Number(r.number), r.der])).to.deep.equal([[1, "a"], [3, "c"]]);
    await database.db.revocationList.delete({ where: { number: 3 } });
    expect((await database.point.rows(sql, [1, "skip"])).length).to.equal(1);
  });

  it("on SQLite reads only: a statement that writes is refused (its connection is query_only)", async function () {
    if (testDbKind() !== "sqlite") this.skip();
    let error: unknown = null;
    await database.point.rows(`INSERT INTO "RevocationList" ("number", "der", "createdAt") VALUES (?, ?, CURRENT_TIMESTAMP) RETURNING "number"`, [9, "x"]).catch((e) => (error = e));
    expect(error, "a write through the read-only connection").to.be.instanceOf(Error);
    expect(await database.db.revocationList.count({ where: { number: 9 } })).to.equal(0);
  });

  it("a statement that is not valid SQL fails with the driver's error, and the reader still works", async () => {
    let error: unknown = null;
    await database.point.rows(`SELEC nothing`, []).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect((await database.point.rows(`SELECT 1 AS "one"`, [])).map((r) => Number((r as { one: number }).one))).to.deep.equal([1]);
  });
});
