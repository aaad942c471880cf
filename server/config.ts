// Every setting of the server, read from the environment once, validated, documented in the README.
import path from "node:path";
import { z } from "zod";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
export const FAILPOINTS = ["after-batch-closed", "after-anchor-sent", "before-mail-send", "after-mail-sent", "before-webhook-send", "after-webhook-sent"] as const;
export type Failpoint = (typeof FAILPOINTS)[number];
const flag = z.enum(["0", "1", "true", "false"]).default("0").transform((v) => v === "1" || v === "true");

const schema = z.object({
  PORT: int(3000, 0),
  HOST: z.string().default("127.0.0.1"),
  DATA_DIR: z.string().default("./data"),
  PUBLIC_URL: z.string().url().optional(),
  MASTER_KEY: z.string().optional(),
  // The key the platform generates for a person's certificate: ECDSA P-256 (every upload is signed
  // with it, about 60x cheaper than RSA-3072) or RSA-3072. Existing keys keep their algorithm.
  HOLDER_KEY_ALGORITHM: z.enum(["ec-p256", "rsa"]).default("ec-p256"),
  DATABASE_URL: z.string().optional(),
  CHAIN_RPC_URL: z.string().url().optional(),
  CHAIN_PRIVATE_KEY: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex").optional(),
  REGISTRY_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address").optional(),
  REGISTRY_DEPLOY_BLOCK: int(0, 0),
  CHAIN_CONFIRMATIONS: int(1, 1),
  EMBEDDED_CHAIN_ID: int(31337, 1),
  BATCH_MAX_ITEMS: int(1000, 1),
  /** The log's origin line and key name (C2SP checkpoint), when the log is first created. */
  LOG_ORIGIN: z.string().regex(/^[^\s+]+$/, "one word without spaces or '+'").optional(),
  BATCH_MAX_AGE_MS: int(5000, 0),
  ANCHOR_POLL_MS: int(500, 10),
  ANCHOR_LEASE_MS: int(30000, 1000),
  MAX_UPLOAD_BYTES: int(1024 ** 3, 1),
  MAX_JSON_BYTES: int(64 * 1024, 1024),
  // A request that sends nothing for this long gets 408 and its connection is closed (0: never).
  IDLE_TIMEOUT_MS: int(60_000, 0),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  SESSION_TTL_HOURS: int(12, 1),
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean)),
  RATE_LIMIT_PER_IP_PER_MIN: int(60_000, 1),
  RATE_LIMIT_PER_TOKEN_PER_MIN: int(30_000, 1),
  LOGIN_RATE_LIMIT_PER_MIN: int(30, 1),
  // "database" shares the counters between instances; the default is "database" on PostgreSQL
  // (where several instances may run) and "memory" on SQLite (one instance).
  RATE_LIMIT_STORE: z.enum(["memory", "database"]).optional(),
  CONTRACT_EXPIRY_DAYS: int(14, 1),
  CONTRACT_INVITATION_TTL_HOURS: int(168, 1),
  CONTRACT_MAX_PDF_BYTES: int(64 * 1024 ** 2, 1024),
  // The most original bytes one case-file export embeds (it is built in memory); larger files are
  // listed with their digests only.
  CASEFILE_EMBED_MAX_BYTES: int(256 * 1024 ** 2, 0),
  // Risk warnings: a count in the latest period is flagged when a Poisson test against the mean of
  // the previous WARNING_HISTORY_PERIODS gives P(X >= count) below WARNING_ALPHA, and the count is
  // at least WARNING_MIN_COUNT.
  WARNING_HISTORY_PERIODS: int(12, 3),
  WARNING_ALPHA: z.coerce.number().gt(0).lt(0.5).default(0.01),
  WARNING_MIN_COUNT: int(5, 1),
  // Mail: through SMTP_URL (smtp:// or smtps://, credentials in the URL) from MAIL_FROM; without
  // SMTP_URL, every message is written as an .eml file under DATA_DIR/outbox instead.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL")
    .optional(),
  MAIL_FROM: z.string().max(320).optional(),
  MAIL_POLL_MS: int(1000, 10),
  // A message being sent is someone else's to retry after this long (a crashed sender's lease).
  MAIL_LEASE_MS: int(60_000, 1000),
  // Retries back off exponentially up to this; after MAIL_MAX_ATTEMPTS a message is failed.
  MAIL_RETRY_MAX_MS: int(300_000, 100),
  MAIL_MAX_ATTEMPTS: int(20, 1),
  // Single-use links sent by e-mail: an invitation to set up an account, a password reset.
  ACCOUNT_LINK_TTL_HOURS: int(72, 1),
  PASSWORD_RESET_TTL_HOURS: int(2, 1),
  // Public requests about links (password reset, opening or accepting a link), per IP and minute.
  LINK_RATE_LIMIT_PER_MIN: int(20, 1),
  // Invitations sent (members, users, re-sent invitations, resets asked by an administrator), per
  // client address and minute: each is a mail to someone else.
  INVITATION_RATE_LIMIT_PER_MIN: int(30, 1),
  // Password resets mailed to one address per hour (more are answered alike and not sent).
  PASSWORD_RESET_PER_ADDRESS_PER_HOUR: int(3, 1),
  // Contracts: a warning this long before an invitation or the contract expires; how often the
  // reminder and warning sweep runs.
  CONTRACT_EXPIRY_WARNING_HOURS: int(24, 1),
  REMINDER_SWEEP_MS: int(60_000, 100),
  // Bulk send: the largest CSV and the most rows (one contract each) sent at once.
  BULK_SEND_MAX_BYTES: int(2 * 1024 ** 2, 1024),
  BULK_SEND_MAX_ROWS: int(1000, 1),
  // Webhooks: endpoints must be https and public unless these allow http (tests, local
  // development) or loopback/private/link-local addresses (an integrator inside the network).
  WEBHOOK_ALLOW_HTTP: flag,
  WEBHOOK_ALLOW_PRIVATE: flag,
  WEBHOOK_POLL_MS: int(1000, 10),
  // One attempt's time limit; a delivery being sent is someone else's to retry after WEBHOOK_LEASE_MS
  // (which must be longer: a lease running out mid-attempt would let a second sender in).
  WEBHOOK_TIMEOUT_MS: int(10_000, 100),
  WEBHOOK_LEASE_MS: int(60_000, 200),
  // Retries back off exponentially from WEBHOOK_RETRY_BASE_MS up to WEBHOOK_RETRY_MAX_MS, with
  // jitter; after WEBHOOK_MAX_ATTEMPTS a delivery is failed (an administrator may redeliver it).
  WEBHOOK_RETRY_BASE_MS: int(10_000, 10),
  WEBHOOK_RETRY_MAX_MS: int(3_600_000, 10),
  WEBHOOK_MAX_ATTEMPTS: int(15, 1),
  WEBHOOK_CONCURRENCY: int(4, 1),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Crash tests only: the process kills itself at this point of the anchoring cycle, of sending mail
  // or of sending a webhook.
  FAILPOINT: z.enum(FAILPOINTS).optional(),
});

export type Config = Omit<z.infer<typeof schema>, "DATA_DIR" | "PUBLIC_URL"> & { DATA_DIR: string; PUBLIC_URL: string };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const chainParts = [c.CHAIN_RPC_URL, c.CHAIN_PRIVATE_KEY, c.REGISTRY_ADDRESS].filter(Boolean).length;
  if (chainParts !== 0 && chainParts !== 3) {
    throw new ConfigError("invalid configuration: CHAIN_RPC_URL, CHAIN_PRIVATE_KEY and REGISTRY_ADDRESS go together");
  }
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD go together");
  }
  if (c.WEBHOOK_LEASE_MS <= c.WEBHOOK_TIMEOUT_MS) {
    throw new ConfigError("invalid configuration: WEBHOOK_LEASE_MS must be longer than WEBHOOK_TIMEOUT_MS");
  }
  const publicUrl = (c.PUBLIC_URL ?? `http://${c.HOST === "0.0.0.0" ? "127.0.0.1" : c.HOST}:${c.PORT}`).replace(/\/+$/, "");
  return { ...c, DATA_DIR: path.resolve(c.DATA_DIR), PUBLIC_URL: publicUrl };
}
