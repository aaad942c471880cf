// The migration that lets an organisation be a contract signer rebuilds ContractSigner on SQLite
// (the only way to drop a NOT NULL there) while ContractInvitation references it. Applied to a
// database holding contracts: every row survives, the new columns are filled (signedByUserId for
// the signed, each invitation's userId from its signer), userId takes NULL, and the foreign keys
// hold. A database with a dangling reference fails the migration, rolled back, instead of
// committing a broken one (the migrator checks PRAGMA foreign_key_check with the keys off).
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { migrate, MIGRATIONS_ROOT } from "../../server/db/migrate";
import { createPostgresDatabase, testDbKind } from "../helpers/database";

const NAME = "20261207200000_organization_signers";

/** A migrations folder with the provider's migrations before NAME (or up to and including it). */
function migrationsUpTo(dir: string, including: boolean, provider: "sqlite" | "postgresql" = "sqlite") {
  const to = path.join(dir, provider);
  fs.mkdirSync(to, { recursive: true });
  for (const n of fs.readdirSync(path.join(MIGRATIONS_ROOT, provider))) {
    if (!fs.existsSync(path.join(MIGRATIONS_ROOT, provider, n, "migration.sql"))) continue;
    if (n > NAME || (n === NAME && !including)) continue;
    fs.cpSync(path.join(MIGRATIONS_ROOT, provider, n), path.join(to, n), { recursive: true });
  }
}

function seed(file: string) {
  const db = new Database(file);
  db.exec(`
    INSERT INTO "Contract" ("id","title","status","origin","senderId","originalSha256","currentSha256","revision","createdAt")
      VALUES ('c1','t','in_progress','upload','sender','aa','aa',1,0);
    INSERT INTO "ContractSigner" ("id","contractId","step","position","userId","name","field","status")
      VALUES ('s1','c1',1,1,'u1','One','{}','signed'), ('s2','c1',2,1,'u2','Two','{}','pending');
    INSERT INTO "ContractInvitation" ("id","signerId","tokenHash","createdAt","expiresAt")
      VALUES ('i1','s1','h1',0,0), ('i2','s2','h2',0,0);
  `);
  return db;
}

const SEED = `
  INSERT INTO "Contract" ("id","title","status","origin","senderId","originalSha256","currentSha256","revision","createdAt")
    VALUES ('c1','t','in_progress','upload','sender','aa','aa',1,now());
  INSERT INTO "ContractSigner" ("id","contractId","step","position","userId","name","field","status")
    VALUES ('s1','c1',1,1,'u1','One','{}','signed'), ('s2','c1',2,1,'u2','Two','{}','pending');
  INSERT INTO "ContractInvitation" ("id","signerId","tokenHash","createdAt","expiresAt")
    VALUES ('i1','s1','h1',now(),now()), ('i2','s2','h2',now(),now());
`;

describe("the organisation-signer migration on PostgreSQL, with data", function () {
  before(function () {
    if (testDbKind() !== "postgresql" && !process.env.TEST_POSTGRES_URL) this.skip();
  });

  it("keeps every row, fills the new columns and lets userId be NULL", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "org-signer-migration-pg-"));
    const { url, drop } = await createPostgresDatabase();
    const client = new pg.Client({ connectionString: url });
    try {
      migrationsUpTo(path.join(tmp, "before"), false, "postgresql");
      await migrate("postgresql", url, path.join(tmp, "before"));
      await client.connect();
      await client.query(SEED);
      migrationsUpTo(path.join(tmp, "after"), true, "postgresql");
      expect((await migrate("postgresql", url, path.join(tmp, "after"))).applied).to.deep.equal([NAME]);
      expect((await client.query(`SELECT "id","userId","signedByUserId" FROM "ContractSigner" ORDER BY "id"`)).rows).to.deep.equal([
        { id: "s1", userId: "u1", signedByUserId: "u1" },
        { id: "s2", userId: "u2", signedByUserId: null },
      ]);
      expect((await client.query(`SELECT "id","userId" FROM "ContractInvitation" ORDER BY "id"`)).rows).to.deep.equal([
        { id: "i1", userId: "u1" },
        { id: "i2", userId: "u2" },
      ]);
      await client.query(`INSERT INTO "ContractSigner" ("id","contractId","step","position","userId","name","field","status") VALUES ('s3','c1',2,2,NULL,'Org','{}','pending'), ('s4','c1',3,1,NULL,'Org','{}','pending')`);
    } finally {
      await client.end().catch(() => undefined);
      await drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("the organisation-signer migration on SQLite, with data", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "org-signer-migration-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("keeps every row, fills the new columns, lets userId be NULL, and the foreign keys hold", async () => {
    const file = path.join(tmp, "db.sqlite");
    migrationsUpTo(path.join(tmp, "before"), false);
    await migrate("sqlite", file, path.join(tmp, "before"));
    seed(file).close();
    migrationsUpTo(path.join(tmp, "after"), true);
    expect((await migrate("sqlite", file, path.join(tmp, "after"))).applied).to.deep.equal([NAME]);
    const db = new Database(file);
    try {
      expect(db.prepare(`SELECT "id","userId","signedByUserId" FROM "ContractSigner" ORDER BY "id"`).all()).to.deep.equal([
        { id: "s1", userId: "u1", signedByUserId: "u1" },
        { id: "s2", userId: "u2", signedByUserId: null },
      ]);
      expect(db.prepare(`SELECT "id","userId" FROM "ContractInvitation" ORDER BY "id"`).all()).to.deep.equal([
        { id: "i1", userId: "u1" },
        { id: "i2", userId: "u2" },
      ]);
      expect(db.pragma("foreign_key_check")).to.deep.equal([]);
      // the foreign key from the invitations to the rebuilt table is live
      expect(() => db.prepare(`INSERT INTO "ContractInvitation" ("id","signerId","tokenHash","createdAt","expiresAt") VALUES ('i3','nope','h3',0,0)`).run()).to.throw(/FOREIGN KEY/);
      db.prepare(`INSERT INTO "ContractSigner" ("id","contractId","step","position","userId","name","field","status") VALUES ('s3','c1',2,2,NULL,'Org','{}','pending')`).run();
      db.prepare(`INSERT INTO "ContractSigner" ("id","contractId","step","position","userId","name","field","status") VALUES ('s4','c1',3,1,NULL,'Org','{}','pending')`).run();
    } finally {
      db.close();
    }
  });

  it("a dangling reference fails the migration and leaves the database as it was", async () => {
    const file = path.join(tmp, "db.sqlite");
    migrationsUpTo(path.join(tmp, "before"), false);
    await migrate("sqlite", file, path.join(tmp, "before"));
    const db = seed(file);
    db.pragma("foreign_keys = OFF");
    db.exec(`INSERT INTO "ContractInvitation" ("id","signerId","tokenHash","createdAt","expiresAt") VALUES ('i9','gone','h9',0,0)`);
    db.close();
    migrationsUpTo(path.join(tmp, "after"), true);
    let failure: Error | null = null;
    await migrate("sqlite", file, path.join(tmp, "after")).catch((e: Error) => (failure = e));
    expect(String(failure)).to.match(/organization_signers failed: 1 foreign key violation/);
    const after = new Database(file);
    try {
      const cols = (after.prepare(`PRAGMA table_info("ContractSigner")`).all() as { name: string; notnull: number }[]);
      expect(cols.find((c) => c.name === "userId")!.notnull).to.equal(1);
      expect(cols.some((c) => c.name === "signedByUserId")).to.equal(false);
      expect(after.prepare(`SELECT count(*) AS n FROM "ContractSigner"`).get()).to.deep.equal({ n: 2 });
    } finally {
      after.close();
    }
  });
});
