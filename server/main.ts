// `npm start`: the platform on its configuration (embedded defaults when nothing is set).
import pino from "pino";
import { ConfigError, loadConfig } from "./config";
import { startPlatform } from "./platform";
import { createHttpServer } from "./http/server";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { pid: process.pid } });
  const platform = await startPlatform(config, log);
  const server = createHttpServer(platform.app, { idleTimeoutMs: config.IDLE_TIMEOUT_MS });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.PORT;
  log.info({ url: `http://${config.HOST}:${port}/`, dataDir: config.DATA_DIR }, "platform listening");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new requests, finishing the anchoring cycle in flight");
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    await platform.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
