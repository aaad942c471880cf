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

async function main(): Promise<number> {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: npm run ltv-renew -- in.pdf out.pdf");
    return 2;
  }
  const pdf = fs.readFileSync(input);
  const config = loadConfig();
  const database = await openDatabase(resolveDbTarget(config.DATABASE_URL, config.DATA_DIR));
  try {
    const audit = new AuditService(database.db);
    const identity = new IdentityService(database.db, KeyVault.open(config.DATA_DIR, config.MASTER_KEY), config.PUBLIC_URL, audit);
    await identity.init();
    try {
      const renewed = await new LtvService(identity, audit).renew(pdf, null);
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
