import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database, type Db } from "../../server/db/client";
import { resolveDbTarget } from "../../server/db/url";
import { rootFromLeafHashes } from "../../server/core/merkle";
import { toHex } from "../../server/core/hex";
import { KnownTree } from "../../server/log/known-tree";
import { databaseForTest } from "../helpers/database";

const leafOf = (i: number, salt = "") => createHash("sha256").update(`leaf ${salt}${i}`).digest();

// The log's tree kept per database client, read incrementally (server/log/known-tree.ts).
describe("the log's tree as the process knows it", function () {
  this.timeout(60_000);
  let dir: string;
  let database: Database;
  let drop: () => Promise<void>;
  /** the ranges the tree asked the database for */
  let reads: { gte: number; lt: number }[];
  let counted: Db;

  const rootOf = (n: number, salt = "") => toHex(rootFromLeafHashes(Array.from({ length: n }, (_, i) => leafOf(i, salt))));
  const write = (from: number, to: number, salt = "") =>
    database.db.logEntry.createMany({ data: Array.from({ length: to - from }, (_, j) => ({ index: from + j, leafHash: toHex(leafOf(from + j, salt)) })) });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "known-tree-"));
    const target = await databaseForTest();
    drop = target.drop;
    database = await openDatabase(resolveDbTarget(target.databaseUrl, dir));
    reads = [];
    const db = database.db;
    // The same client, with its entry reads written down.
    counted = {
      logEntry: {
        findMany: (args: { where: { index: { gte: number; lt: number } } }) => {
          reads.push({ gte: args.where.index.gte, lt: args.where.index.lt });
          return db.logEntry.findMany(args as never);
        },
      },
    } as unknown as Db;
  });

  after(async () => {
    await database.close();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the entries once, then only those added since", async () => {
    const known = new KnownTree(counted);
    await write(0, 10);
    expect(toHex((await known.upTo(10, rootOf(10))).root())).to.equal(rootOf(10));
    expect(reads).to.deep.equal([{ gte: 0, lt: 10 }]);
    // An earlier size is answered from what is known, without a read.
    expect(toHex((await known.upTo(7, rootOf(7))).root(7))).to.equal(rootOf(7));
    expect(reads).to.have.length(1);
    await write(10, 13);
    const tree = await known.upTo(13, rootOf(13));
    expect(reads).to.deep.equal([{ gte: 0, lt: 10 }, { gte: 10, lt: 13 }]);
    expect(toHex(tree.root())).to.equal(rootOf(13));
  });

  it("callers at the same moment share one read", async () => {
    reads.length = 0;
    const known = new KnownTree(counted);
    const trees = await Promise.all([known.upTo(13, rootOf(13)), known.upTo(13, rootOf(13)), known.upTo(12, rootOf(12))]);
    expect(reads).to.deep.equal([{ gte: 0, lt: 13 }]);
    for (const t of trees) expect(toHex(t.root(13))).to.equal(rootOf(13));
  });

  it("reads the log again from the start when it does not end in the root it is asked for, and fails if it still does not", async () => {
    const known = new KnownTree(counted);
    await known.upTo(13, rootOf(13));
    // The database's log replaced under the running process (a restore): other entries, another root.
    await database.db.logEntry.deleteMany({});
    await write(0, 15, "restored ");
    reads.length = 0;
    const tree = await known.upTo(15, rootOf(15, "restored "));
    expect(toHex(tree.root())).to.equal(rootOf(15, "restored "));
    expect(reads).to.deep.equal([{ gte: 13, lt: 15 }, { gte: 0, lt: 15 }]);
    // A root the entries do not give: an error, not a tree.
    let error: Error | null = null;
    await known.upTo(15, rootOf(15)).catch((e: Error) => (error = e));
    expect(error, "a mismatch twice over").to.be.instanceOf(Error);
    expect(String(error)).to.match(/do not hash to its root/);
    // and it does not stay broken for a later caller with the right root
    expect(toHex((await known.upTo(15, rootOf(15, "restored "))).root())).to.equal(rootOf(15, "restored "));
  });

  it("refuses a log with a gap in its entries", async () => {
    await database.db.logEntry.deleteMany({ where: { index: 3 } });
    let error: Error | null = null;
    await new KnownTree(counted).upTo(15, rootOf(15, "restored ")).catch((e: Error) => (error = e));
    expect(String(error)).to.match(/not contiguous/);
  });
});
