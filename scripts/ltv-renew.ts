// `npm run ltv-renew -- in.pdf out.pdf`: renews a PDF's long-term proof on this platform's own
// database and keys (DATABASE_URL or DATA_DIR, MASTER_KEY): fresh validation data for every
// signature and timestamp, then a new document timestamp (server/ltv/service.ts). Run it before
// the newest document timestamp's TSA certificate expires. Exit 0 on success, 1 when the file is
// refused (its code and message printed), 2 when it cannot be done.
import fs from "node:fs";
import { AuditService } from "../server/audit/service";
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { resolveDbTarget } from "../server/db/url";
import { ApiError } from "../server/http/errors";
import { IdentityService } from "../server/identity/service";
import { LtvService } from "../server/ltv/service";
import { KeyVault } from "../server/pki/key-vault";

// A platform running beside it may hold SQLite's write lock for seconds on a loaded machine.
const CLI_BUSY_TIMEOUT_MS = 60_000;
// SQLite refuses a write at once (SQLITE_BUSY, which Prisma reports as a timed-out operation) when
// another process wrote since this transaction first read; a renewal is only kept once its audit
// entry is written, so trying it again is safe.
const LOCKED = /timed out|SQLITE_BUSY|database is locked|Transaction already closed/i;

async function renewRetryingLockedDatabase<T>(renew: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await renew();
    } catch (e) {
      if (attempt >= 5 || e instanceof ApiError || !LOCKED.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function main(): Promise<number> {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: npm run ltv-renew -- in.pdf out.pdf");
    return 2;
  }
  const pdf = fs.readFileSync(input);
  const config = loadConfig();
  const database = await openDatabase(resolveDbTarget(config.DATABASE_URL, config.DATA_DIR), { busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  try {
    const audit = new AuditService(database.db);
    const identity = new IdentityService(database.db, KeyVault.open(config.DATA_DIR, config.MASTER_KEY), config.PUBLIC_URL, audit);
    await identity.init();
    try {
      const renewed = await renewRetryingLockedDatabase(() => new LtvService(identity, audit).renew(pdf, null));
      fs.writeFileSync(output, renewed.pdf);
      console.log(`renewed: ${output} (${renewed.pdf.length} bytes), document timestamp ${renewed.documentTimestamp}`);
      return 0;
    } catch (e) {
      if (e instanceof ApiError) {
        console.log(`REFUSED [${e.code}]: ${e.message}`);
        return 1;
      }
      throw e;
    }
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(2);
  },
);
