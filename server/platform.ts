// Wires the platform together: database, storage, chain, services, anchoring worker, HTTP app.
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import fs from "node:fs";
import type { Logger } from "pino";
import type { Config } from "./config";
import { openDatabase, type Database } from "./db/client";
import { resolveDbTarget } from "./db/url";
import { AccountService } from "./accounts/service";
import { ContentStore } from "./storage/content-store";
import { EvidenceService } from "./evidence/service";
import { VerificationService } from "./verification/service";
import { connectChain, type ChainConnection } from "./chain/connect";
import type { RegistryClient } from "./chain/registry-client";
import { AnchorWorker } from "./anchoring/worker";
import { holderName } from "./anchoring/lease";
import { queuedCount } from "./anchoring/queue";
import { buildApp } from "./http/app";
import { DatabaseRateLimitStore } from "./http/rate-limit-store";
import { IdentityService } from "./identity/service";
import { KeyVault } from "./pki/key-vault";
import { AuditService } from "./audit/service";
import { CasesService } from "./cases/service";
import { ContractsService } from "./contracts/service";
import { writeFileDurably } from "./storage/durable";

export interface Platform {
  app: ReturnType<typeof buildApp>;
  database: Database;
  chain: ChainConnection;
  worker: AnchorWorker;
  accounts: AccountService;
  evidence: EvidenceService;
  identity: IdentityService;
  audit: AuditService;
  cases: CasesService;
  contracts: ContractsService;
  close(): Promise<void>;
}

export async function startPlatform(config: Config, log: Logger): Promise<Platform> {
  fs.mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const database = await openDatabase(resolveDbTarget(config.DATABASE_URL, config.DATA_DIR));
  const db = database.db;
  const audit = new AuditService(db);
  const accounts = new AccountService(db, config.SESSION_TTL_HOURS, audit);
  await createFirstAdmin(config, accounts, log);

  const store = new ContentStore(config.DATA_DIR);
  const swept = store.sweepTemporaryFiles();
  if (swept) log.info({ files: swept }, "removed unfinished uploads");

  const chain = await connectChain(config);
  const registry = chain.registry;
  log.info(
    { chainId: registry.knownChainId, registry: registry.address, embedded: !!chain.embedded, replayed: chain.embedded?.replayed },
    "chain connected",
  );

  const identity = new IdentityService(db, KeyVault.open(config.DATA_DIR, config.MASTER_KEY), config.PUBLIC_URL, audit);
  await identity.init();
  const evidence = new EvidenceService(db, store, identity);
  const verification = new VerificationService(db, evidence, registry.provider, identity);
  const cases = new CasesService(db, accounts, evidence, verification);
  const contracts = new ContractsService(db, store, accounts, identity, evidence, {
    publicUrl: config.PUBLIC_URL,
    expiryDays: config.CONTRACT_EXPIRY_DAYS,
    invitationTtlHours: config.CONTRACT_INVITATION_TTL_HOURS,
  }, log.child({ component: "contracts" }));
  const worker = createAnchorWorker(config, database, registry, identity, audit, log.child({ component: "anchoring" }));

  const health = async () => {
    const report: { ok: boolean; database: string; chain: unknown; queued?: number; anchoring?: string | null } = {
      ok: true,
      database: "ok",
      chain: null,
    };
    try {
      report.queued = await queuedCount(db);
    } catch {
      report.ok = false;
      report.database = "unreachable";
    }
    try {
      const blockNumber = await registry.blockNumber();
      report.chain = { chainId: await registry.getChainId(), registry: registry.address, blockNumber };
    } catch {
      report.ok = false;
      report.chain = "unreachable";
    }
    report.anchoring = worker.lastError;
    return report;
  };

  const app = buildApp({
    log,
    accounts,
    evidence,
    verification,
    identity,
    audit,
    cases,
    contracts,
    maxPdfBytes: config.CONTRACT_MAX_PDF_BYTES,
    store,
    rpc: chain.rpc,
    health,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    maxJsonBytes: config.MAX_JSON_BYTES,
    publicUrl: config.PUBLIC_URL,
    corsOrigins: config.CORS_ORIGINS,
    limits: {
      perIpPerMin: config.RATE_LIMIT_PER_IP_PER_MIN,
      perTokenPerMin: config.RATE_LIMIT_PER_TOKEN_PER_MIN,
      loginPerMin: config.LOGIN_RATE_LIMIT_PER_MIN,
      store:
        (config.RATE_LIMIT_STORE ?? (database.provider === "postgresql" ? "database" : "memory")) === "database"
          ? (name) => new DatabaseRateLimitStore(database.db, database.provider, name)
          : undefined,
    },
  });
  worker.start();

  return {
    app,
    database,
    chain,
    worker,
    accounts,
    evidence,
    identity,
    audit,
    cases,
    contracts,
    async close() {
      await worker.stop();
      chain.close();
      await database.close();
    },
  };
}

/**
 * The first administrator: from ADMIN_EMAIL/ADMIN_PASSWORD when set; otherwise, so that a bare
 * `npm start` is usable, admin@localhost with a random password written once to
 * DATA_DIR/initial-admin-password (mode 0600) and named in the log.
 */
async function createFirstAdmin(config: Config, accounts: AccountService, log: Logger): Promise<void> {
  if ((await accounts.userCount()) > 0) return;
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await accounts.createUser({ email: config.ADMIN_EMAIL, name: "Administrator", password: config.ADMIN_PASSWORD, role: "admin" });
    log.info({ email: config.ADMIN_EMAIL }, "first administrator created");
    return;
  }
  const email = "admin@localhost";
  const password = randomBytes(12).toString("base64url");
  const file = path.join(config.DATA_DIR, "initial-admin-password");
  writeFileDurably(file, `${email}\n${password}\n`, 0o600);
  await accounts.createUser({ email, name: "Administrator", password, role: "admin" });
  log.warn({ email, passwordFile: file }, "first administrator created with a generated password: read it from the file, then change it");
}

/** The anchoring worker as the server runs it (batch policy, TSA token per root, audit events). */
export function createAnchorWorker(
  config: Config,
  database: Database,
  registry: RegistryClient,
  identity: IdentityService,
  audit: AuditService,
  log: Logger,
): AnchorWorker {
  return new AnchorWorker(
    database.db,
    registry,
    {
      dialect: database.provider,
      maxItems: config.BATCH_MAX_ITEMS,
      maxAgeMs: config.BATCH_MAX_AGE_MS,
      pollMs: config.ANCHOR_POLL_MS,
      confirmations: config.CHAIN_CONFIRMATIONS,
      leaseMs: config.ANCHOR_LEASE_MS,
      instanceId: holderName(randomUUID()),
      failpoint: config.FAILPOINT,
      timestamp: (root) => identity.timestamp(root),
    },
    log,
    (event) => audit.record(event),
  );
}
