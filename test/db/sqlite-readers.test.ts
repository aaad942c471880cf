import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { prismaReader } from "../../server/db/raw-reader";
import { SqliteReaders, SqliteReadError } from "../../server/db/sqlite-readers";

// The statistics' statements run on reader threads with connections of their own (server/db/sqlite-readers.ts).
describe("SQLite reader threads", function () {
  let dir: string;
  let database: Database;

  const addUser = (id: string) =>
    database.db.user.create({ data: { id, email: `${id}@example.com`, name: id, passwordHash: "x", role: "lawyer", createdAt: new Date("2026-01-02T03:04:05.678Z") } });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-readers-"));
    database = await openDatabase(resolveDbTarget(undefined, dir));
    await addUser("u1");
    await addUser("u2");
  });

  after(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers a statement with the rows Prisma's raw query gives for it, up to the driver's types", async () => {
    const text = `SELECT "id", "email", "createdAt", "disabledAt", COUNT(*) OVER () AS n, julianday("createdAt") AS jd FROM "User" WHERE "id" >= ? ORDER BY "id"`;
    type Row = { id: string; email: string; createdAt: unknown; disabledAt: unknown; n: unknown; jd: unknown };
    // Prisma gives a declared DateTime as a Date and a window count as text; the thread gives SQLite's own values
    const same = (r: Row) => ({ ...r, createdAt: new Date(r.createdAt as string | Date).toISOString(), n: Number(r.n), jd: Number(r.jd) });
    const viaThreads = await database.reader.query<Row>(text, ["u1"]);
    expect(viaThreads.map((r) => r.id)).to.deep.equal(["u1", "u2"]);
    expect(viaThreads.map(same)).to.deep.equal((await prismaReader(database.db).query<Row>(text, ["u1"])).map(same));
    expect(viaThreads[0].createdAt).to.equal("2026-01-02T03:04:05.678+00:00");
  });

  it("reads what is committed while a write transaction is open, without waiting for it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((r) => (inserted = r));
    const writing = database.db.$transaction(async (tx) => {
      await tx.user.create({ data: { id: "u3", email: "u3@example.com", name: "u3", passwordHash: "x", role: "lawyer" } });
      inserted();
      await held;
    });
    await insertedYet;
    // the writer holds its lock and its uncommitted row: a reader that waited for it would never answer
    const during = await database.reader.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "User"`, []);
    expect(during[0].n).to.equal(2);
    release();
    await writing;
    const after = await database.reader.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "User"`, []);
    expect(after[0].n).to.equal(3);
  });

  it("refuses a statement that would write, and changes nothing", async () => {
    const refused = async (text: string) => {
      const e = await database.reader.query(text, []).then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(SqliteReadError);
      return e as SqliteReadError;
    };
    expect((await refused(`INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "createdAt") VALUES ('x', 'x@x', 'x', 'x', 'x', '2026-01-01')`)).code).to.equal("SQLITE_READER_NOT_A_QUERY");
    // RETURNING makes it a statement with rows: the connection's query_only stops it
    expect((await refused(`DELETE FROM "User" RETURNING "id"`)).code).to.equal("SQLITE_READONLY");
    expect(await database.db.user.count()).to.equal(3);
  });

  it("rejects a bad statement with SQLite's code and goes on answering", async () => {
    const e = await database.reader.query(`SELECT nope FROM "User"`, []).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SqliteReadError);
    expect((e as SqliteReadError).code).to.equal("SQLITE_ERROR");
    expect((e as Error).message).to.match(/no such column/);
    expect(await database.reader.query(`SELECT 1 AS one`, [])).to.deep.equal([{ one: 1 }]);
  });

  it("answers many statements asked together, each with its own rows, and refuses any after close", async () => {
    const readers = new SqliteReaders(path.join(dir, "platform.db"), { threads: 3 });
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => readers.query<{ v: number }>(`SELECT ? + 0 AS v`, [i])));
      expect(answers.map((rows) => rows[0].v)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
    } finally {
      await readers.close();
    }
    const e = await readers.query(`SELECT 1`, []).then(() => null, (x: unknown) => x);
    expect(String(e)).to.match(/closed/);
  });

  it("fails on a file that does not exist instead of creating one", async () => {
    const missing = path.join(dir, "missing.db");
    const readers = new SqliteReaders(missing, { threads: 1 });
    try {
      const e = await readers.query(`SELECT 1`, []).then(() => null, (x: unknown) => x);
      expect(e).to.be.instanceOf(SqliteReadError);
      expect((e as SqliteReadError).code).to.equal("SQLITE_CANTOPEN");
      expect(fs.existsSync(missing)).to.equal(false);
    } finally {
      await readers.close();
    }
  });
});
