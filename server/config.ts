// Every setting of the server, read from the environment once, validated, documented in the README.
import path from "node:path";
import { z } from "zod";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z.object({
  PORT: int(3000, 0),
  HOST: z.string().default("127.0.0.1"),
  DATA_DIR: z.string().default("./data"),
  PUBLIC_URL: z.string().url().optional(),
  MASTER_KEY: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  CHAIN_RPC_URL: z.string().url().optional(),
  CHAIN_PRIVATE_KEY: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, "must be 32 bytes of hex").optional(),
  REGISTRY_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address").optional(),
  REGISTRY_DEPLOY_BLOCK: int(0, 0),
  CHAIN_CONFIRMATIONS: int(1, 1),
  EMBEDDED_CHAIN_ID: int(31337, 1),
  BATCH_MAX_ITEMS: int(1000, 1),
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
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Crash tests only: the process kills itself at this point of the anchoring cycle.
  FAILPOINT: z.enum(["after-batch-closed", "after-anchor-sent"]).optional(),
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
  const publicUrl = (c.PUBLIC_URL ?? `http://${c.HOST === "0.0.0.0" ? "127.0.0.1" : c.HOST}:${c.PORT}`).replace(/\/+$/, "");
  return { ...c, DATA_DIR: path.resolve(c.DATA_DIR), PUBLIC_URL: publicUrl };
}
