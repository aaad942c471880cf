// Wires the platform together: database, storage, chain, services, anchoring worker, HTTP app.
import { ConfirmedChainReader } from "./chain/chain-reader";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import fs from "node:fs";
import type { Logger } from "pino";
import type { Config } from "./config";
import { openDatabase, type Database, type Db } from "./db/client";
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
import { composeRoutes } from "./routes";
import { LinkSecrets } from "./core/link-token";
import { Invitations } from "./invitations/service";
import { OrganizationsService } from "./organizations/service";
import { SealsService } from "./seals/service";
import { DirectoryService } from "./directory/service";
import { NotificationsService } from "./notifications/service";
import { MailWorker, mailRenderer } from "./notifications/worker";
import { createMailTransport } from "./notifications/transport";
import { setMessageIdDomain } from "./notifications/outbox";
import { anchoringStatus } from "./anchoring/status";
import { DatabaseRateLimitStore } from "./http/rate-limit-store";
import { LtvService } from "./ltv/service";
import { IdentityService } from "./identity/service";
import { KeyVault } from "./pki/key-vault";
import { TransparencyLog } from "./log/service";
import { AuditService } from "./audit/service";
import { CasesService } from "./cases/service";
import { CaseFileService } from "./casefile/service";
import { FilingService } from "./filing/service";
import { StatisticsService } from "./statistics/service";
import { StatisticsReports } from "./statistics/reports";
import { ServiceAddressesService } from "./service-addresses/service";
import { HearingsService } from "./hearings/service";
import { MediationService } from "./mediation/service";
import { AddressDeliveries } from "./service-addresses/delivery";
import { ContractsService } from "./contracts/service";
import { writeFileDurably } from "./storage/durable";
import { reportAnchoredEvidence } from "./evidence/webhook-events";
import { WebhooksService } from "./webhooks/service";
import { WebhookWorker } from "./webhooks/worker";

export interface Platform {
  app: ReturnType<typeof buildApp>;
  database: Database;
  chain: ChainConnection;
  worker: AnchorWorker;
  tlog: TransparencyLog;
  accounts: AccountService;
  evidence: EvidenceService;
  identity: IdentityService;
  audit: AuditService;
  cases: CasesService;
  contracts: ContractsService;
  invitations: Invitations;
  organizations: OrganizationsService;
  seals: SealsService;
  mail: MailWorker;
  webhooks: WebhooksService;
  webhookWorker: WebhookWorker;
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

  const vault = KeyVault.open(config.DATA_DIR, config.MASTER_KEY);
  const identity = new IdentityService(db, vault, config.PUBLIC_URL, audit, config.HOLDER_KEY_ALGORITHM);
  await identity.init();
  const secrets = new LinkSecrets(vault.deriveKey("link-secrets"));
  setMessageIdDomain(config.PUBLIC_URL);
  const invitations = new Invitations(db, accounts, secrets, {
    accountLinkTtlHours: config.ACCOUNT_LINK_TTL_HOURS,
    passwordResetTtlHours: config.PASSWORD_RESET_TTL_HOURS,
    passwordResetPerAddressPerHour: config.PASSWORD_RESET_PER_ADDRESS_PER_HOUR,
  });
  const evidence = new EvidenceService(db, store, identity);
  // The chain's answers about a root are kept once it has the confirmations the anchoring waits for.
  const verification = new VerificationService(db, database.point, evidence, new ConfirmedChainReader(registry.provider, config.CHAIN_CONFIRMATIONS), identity);
  const addressDeliveries = new AddressDeliveries(db, evidence, secrets, config.PUBLIC_URL);
  const cases = new CasesService(db, accounts, evidence, verification, invitations, addressDeliveries);
  const notifications = new NotificationsService(db);
  const statistics = new StatisticsService(db, database.provider, { historyPeriods: config.WARNING_HISTORY_PERIODS, alpha: config.WARNING_ALPHA, minCount: config.WARNING_MIN_COUNT }, database.reader);
  const contracts = new ContractsService(db, store, accounts, identity, evidence, {
    publicUrl: config.PUBLIC_URL,
    expiryDays: config.CONTRACT_EXPIRY_DAYS,
    invitationTtlHours: config.CONTRACT_INVITATION_TTL_HOURS,
    expiryWarningHours: config.CONTRACT_EXPIRY_WARNING_HOURS,
    bulkMaxRows: config.BULK_SEND_MAX_ROWS,
  }, log.child({ component: "contracts" }), invitations, secrets, (topic) => notifications.forTopic(topic));
  const tlog = await openTransparencyLog(config, db, vault);
  const worker = createAnchorWorker(config, database, registry, identity, audit, log.child({ component: "anchoring" }), tlog);
  const organizations = new OrganizationsService(db, accounts, invitations, {
    contracts: (memberIds) => contracts.listInvolving(memberIds),
    certificates: (organizationId) => identity.list({ organizationId }),
  });
  const webhookPolicy = { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE };
  const webhooks = new WebhooksService(db, vault, webhookPolicy);
  const webhookWorker = new WebhookWorker(
    db,
    (id, sealed) => webhooks.unsealSecret(id, sealed),
    {
      pollMs: config.WEBHOOK_POLL_MS,
      leaseMs: config.WEBHOOK_LEASE_MS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      retry: { baseMs: config.WEBHOOK_RETRY_BASE_MS, maxMs: config.WEBHOOK_RETRY_MAX_MS },
      policy: webhookPolicy,
      failpoint: config.FAILPOINT,
    },
    log.child({ component: "webhooks" }),
  );
  const seals = new SealsService(db, organizations, identity);
  const transport = createMailTransport({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, dataDir: config.DATA_DIR, publicUrl: config.PUBLIC_URL });
  const mail = new MailWorker(
    db,
    transport,
    mailRenderer(config.PUBLIC_URL, secrets),
    {
      pollMs: config.MAIL_POLL_MS,
      leaseMs: config.MAIL_LEASE_MS,
      retryMaxMs: config.MAIL_RETRY_MAX_MS,
      maxAttempts: config.MAIL_MAX_ATTEMPTS,
      failpoint: config.FAILPOINT,
      instanceId: holderName(randomUUID()),
    },
    log.child({ component: "mail" }),
  );

  const health = async () => {
    const report: { ok: boolean; database: string; chain: unknown; queued?: number; anchoring?: string | null; mail?: string | null } = {
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
    report.mail = mail.lastError;
    return report;
  };

  const limitStore =
    (config.RATE_LIMIT_STORE ?? (database.provider === "postgresql" ? "database" : "memory")) === "database"
      ? (name: string) => new DatabaseRateLimitStore(database.db, database.provider, name)
      : undefined;
  const routes = composeRoutes({
    accounts,
    evidence,
    verification,
    identity,
    audit,
    cases,
    contracts,
    organizations,
    seals,
    invitations,
    directory: new DirectoryService(db, database.provider),
    notifications,
    webhooks,
    caseFiles: new CaseFileService(db, store, evidence, identity, config.PUBLIC_URL, config.CASEFILE_EMBED_MAX_BYTES),
    filings: new FilingService({ db, evidence, verification, identity, store }),
    statistics,
    statisticsReports: new StatisticsReports({ db, stats: statistics, evidence, identity, store, publicUrl: config.PUBLIC_URL }),
    serviceAddresses: new ServiceAddressesService({ db, evidence, identity, store }),
    mediations: new MediationService({ db, evidence, identity, store, contracts }),
    addressDeliveries,
    hearings: new HearingsService({ db, provider: database.provider, cases, evidence, identity, store, publicUrl: config.PUBLIC_URL }),
    ltv: new LtvService(identity, audit),
    anchoringStatus: (limit) => anchoringStatus(db, registry, () => worker.lastError, limit),
    log: tlog,
    health,
    store,
    rpc: chain.rpc,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    maxPdfBytes: config.CONTRACT_MAX_PDF_BYTES,
    maxBulkCsvBytes: config.BULK_SEND_MAX_BYTES,
    publicUrl: config.PUBLIC_URL,
    linkLimitPerMin: config.LINK_RATE_LIMIT_PER_MIN,
    invitationLimitPerMin: config.INVITATION_RATE_LIMIT_PER_MIN,
    limitStore,
  });
  const app = buildApp({
    log,
    maxJsonBytes: config.MAX_JSON_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    limits: {
      perIpPerMin: config.RATE_LIMIT_PER_IP_PER_MIN,
      perTokenPerMin: config.RATE_LIMIT_PER_TOKEN_PER_MIN,
      loginPerMin: config.LOGIN_RATE_LIMIT_PER_MIN,
      store: limitStore,
    },
    ...routes,
  });
  worker.start();
  mail.start();
  webhookWorker.start();
  const reminderLog = log.child({ component: "reminders" });
  const reminderTimer = setInterval(() => {
    contracts.sweepReminders().catch((err) => reminderLog.warn({ err: err instanceof Error ? err.message : String(err) }, "reminder sweep failed; tried again at the next"));
  }, config.REMINDER_SWEEP_MS);
  reminderTimer.unref();

  return {
    app,
    database,
    chain,
    worker,
    tlog,
    accounts,
    evidence,
    identity,
    audit,
    cases,
    contracts,
    invitations,
    organizations,
    seals,
    mail,
    webhooks,
    webhookWorker,
    async close() {
      clearInterval(reminderTimer);
      await Promise.all([worker.stop(), mail.stop(), webhookWorker.stop()]);
      transport.close();
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
/** The log, created on first start with LOG_ORIGIN, or "<PUBLIC_URL's host>/log". */
export async function openTransparencyLog(config: Config, db: Db, vault: KeyVault): Promise<TransparencyLog> {
  const tlog = new TransparencyLog(db, vault, config.LOG_ORIGIN ?? `${new URL(config.PUBLIC_URL).host}/log`);
  await tlog.init();
  return tlog;
}

export function createAnchorWorker(
  config: Config,
  database: Database,
  registry: RegistryClient,
  identity: IdentityService,
  audit: AuditService,
  log: Logger,
  tlog: TransparencyLog,
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
      log: tlog,
      onAnchored: reportAnchoredEvidence,
    },
    log,
    (event) => audit.record(event),
  );
}
