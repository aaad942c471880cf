// `npm run audit:verify`: recomputes the audit log's hash chain from the database (DATABASE_URL, or
// the SQLite file under DATA_DIR) and checks it against every anchored head. Prints the first broken
// link; exit 0 when the chain is intact, 1 when it is broken, 2 when it cannot be read.
import { loadConfig } from "../server/config";
import { openDatabase } from "../server/db/client";
import { resolveDbTarget } from "../server/db/url";
import { AuditService } from "../server/audit/service";

// A platform running beside it may hold SQLite's write lock for seconds on a loaded machine.
const CLI_BUSY_TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase(resolveDbTarget(config.DATABASE_URL, config.DATA_DIR), { busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  try {
    const result = await new AuditService(database.db).verify();
    if (result.firstBreak) {
      console.log(`BROKEN at entry ${result.firstBreak.seq}: ${result.firstBreak.problem}`);
      console.log(`(${result.entries} entries read, ${result.anchoredHeads} anchored heads)`);
      return 1;
    }
    console.log(`audit log intact: ${result.entries} entries, checked against ${result.anchoredHeads} anchored heads`);
    return 0;
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
