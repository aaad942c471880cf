// Webhooks over HTTPS, as in production (http not allowed): a receiver whose certificate the
// platform trusts (through NODE_EXTRA_CA_CERTS, the server being a separate process) gets the
// signed event; one whose certificate is self-signed and unknown gets nothing (the TLS handshake is
// refused, the attempt says why and is retried); an http URL is refused at registration.
import { expect } from "chai";
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { databaseForTest } from "../helpers/database";
import { startServerProcess, freePort, type ServerProcess } from "../helpers/server-process";
import { ADMIN } from "../helpers/platform";
import { eventually, Receiver } from "./receiver";
import { call, login, sendContract } from "./server-api";

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl. */
function selfSigned(dir: string, name: string): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyFile, "-out", certFile], { stdio: "ignore" });
  return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), certFile };
}

describe("webhooks over HTTPS (server process)", function () {
  this.timeout(120_000);
  let dir: string;
  let trusted: Receiver, unknown: Receiver;
  let server: ServerProcess;
  let database: Awaited<ReturnType<typeof databaseForTest>>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-webhook-tls-"));
    const good = selfSigned(dir, "trusted-receiver");
    const bad = selfSigned(dir, "unknown-receiver");
    trusted = new Receiver({ key: good.key, cert: good.cert });
    unknown = new Receiver({ key: bad.key, cert: bad.cert });
    await trusted.start();
    await unknown.start();
    database = await databaseForTest();
    server = await startServerProcess(
      {
        DATA_DIR: dir,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        NODE_EXTRA_CA_CERTS: good.certFile,
        // the receivers are on loopback; http stays refused
        WEBHOOK_ALLOW_PRIVATE: "1",
        WEBHOOK_POLL_MS: "50",
        WEBHOOK_RETRY_BASE_MS: "100",
        WEBHOOK_RETRY_MAX_MS: "200",
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      },
      await freePort(),
    );
  });
  after(async () => {
    await server?.kill();
    await trusted?.stop();
    await unknown?.stop();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a trusted receiver gets the signed event; an unknown certificate is refused and retried; http is refused at registration", async () => {
    const ok = await sendContract(server.url, trusted.url("/tls", "localhost"));
    const [r] = await eventually(() => trusted.at("/tls").length >= 1 && trusted.at("/tls"), 30_000, "the delivery over TLS");
    expect(r.json.type).to.equal("contract.sent");
    expect(r.headers["webhook-signature"]).to.equal(`v1=${createHmac("sha256", ok.secret).update(`${r.headers["webhook-timestamp"]}.${r.body}`).digest("hex")}`);

    const refused = await sendContract(server.url, unknown.url("/untrusted"));
    const admin = await login(server.url, ADMIN.email, ADMIN.password);
    const d = await eventually(async () => {
      const { deliveries } = await call(server.url, "GET", `/api/organizations/${refused.orgId}/webhooks/${refused.hookId}/deliveries`, admin);
      return deliveries[0]?.attempts >= 2 && deliveries[0];
    }, 30_000, "two refused attempts");
    expect(d.status).to.be.oneOf(["pending", "sending"]);
    expect(d.lastStatusCode).to.equal(null);
    expect(d.lastError).to.match(/self[- ]signed certificate/);
    expect(unknown.received).to.have.length(0);

    const res = await fetch(`${server.url}/api/organizations/${ok.orgId}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${ok.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ url: trusted.url("/plain").replace("https:", "http:"), events: ["contract.sent"] }),
    });
    expect(res.status).to.equal(400);
    expect((await res.json()).error.code).to.equal("https_required");
  });
});
