// Child process of the contracts benchmark: one measured operation per process, so that its peak
// RSS is its own. Prints one JSON line: wall time of the operation, RSS before it, the process's
// peak RSS (KiB), and what the operation produced.
// Usage: node -r ts-node/register/transpile-only scripts/bench/contracts-runner.ts <mode> ...
//   render <out.pdf> <pages>   the 'service-agreement' template with clauses enough for <pages> pages
//   baseline <in.pdf>          pdf-lib: PDFDocument.load + save of the document
//   sign <in.pdf> <out.pdf>    one PAdES B-T signature with a visible stamp (pki made first, not timed)
//   flow <in.pdf> <dataDir>    the whole three-signer flow through the HTTP API of a platform in this process
import fs from "node:fs";
import { createHash } from "node:crypto";
import pino from "pino";
import { PDFDocument } from "pdf-lib";
import { renderTemplate } from "../../server/contracts/render";
import { templateById } from "../../server/contracts/templates";
import { signContract } from "../../server/contracts/signing";
import { loadCjkFont } from "../../server/pdf/fonts";
import { verifyPdfSignatures } from "../../server/pdf/verify";
import { generateKeyPairAsync } from "../../server/pki/keys";
import { issueCertificate } from "../../server/pki/certificate-issue";
import { timeStampDigest } from "../../server/pki/tsa";
import { loadConfig } from "../../server/config";
import { startPlatform } from "../../server/platform";
import { createHttpServer } from "../../server/http/server";

const kib = () => Math.round(process.memoryUsage().rss / 1024);
const clock = () => process.hrtime.bigint();
const secondsSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

function emit(out: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ ...out, maxRssKiB: process.resourceUsage().maxRSS }) + "\n");
}

const CLAUSE =
  "双方应按照本合同的约定全面履行各自的义务，任何一方违反本合同约定的，应当向守约方承担违约责任，并赔偿因此给守约方造成的全部损失，包括但不限于诉讼费、律师费、保全费和差旅费。" +
  "Each party shall perform its obligations in full; a party in breach is liable to the other for all losses caused, including court fees, attorney fees and travel expenses. ";

async function render(outFile: string, pages: number): Promise<void> {
  loadCjkFont(); // parsed once per process, as the server does: not part of the render time
  const make = async (clauses: number) => {
    const perClause = Math.max(1, Math.ceil(4000 / CLAUSE.length) - 1);
    return renderTemplate({
      contractId: "00000000-0000-4000-8000-000000000100",
      title: `${pages}页服务合同（基准测试） ${pages}-page service agreement (benchmark)`,
      template: templateById("service-agreement")!,
      values: {
        partyA: { name: "甲科技有限公司", creditCode: "91350100MA2Y000001" },
        partyB: { name: "乙贸易有限公司" },
        service: "信息系统运维服务 Operation and maintenance of information systems",
        amount: { value: "1280000.00", currency: "CNY" },
        startDate: "2026-12-01",
        endDate: "2027-11-30",
        clauses: Array.from({ length: clauses }, (_, i) => `第${i + 1}项：${CLAUSE.repeat(perClause)}`.slice(0, 4000)),
      },
      signers: [
        { name: "张三", organization: "甲科技有限公司", role: "甲方 Party A" },
        { name: "李四", organization: "乙贸易有限公司", role: "乙方 Party B" },
        { name: "王五", organization: null, role: "见证人 Witness" },
      ],
      createdAt: new Date("2026-11-29T00:00:00Z"),
    });
  };
  // clauses of 4,000 characters, as many as the pages need (the renderer has no limit; the API takes
  // 50 per template field and a JSON body of MAX_JSON_BYTES, so contracts this long come as uploads)
  const probe = await make(8);
  const probePages = (await PDFDocument.load(probe.pdf)).getPageCount();
  const perClause = Math.max(0.5, (probePages - 1.5) / 8);
  let clauses = Math.max(1, Math.round((pages - 1.5) / perClause));
  for (let attempt = 0; ; attempt++) {
    const rssBeforeKiB = kib();
    const t = clock();
    const { pdf } = await make(clauses);
    const seconds = secondsSince(t);
    const got = (await PDFDocument.load(pdf)).getPageCount();
    if (got < pages && attempt < 4) {
      clauses += Math.max(1, Math.ceil((pages - got) / perClause));
      continue;
    }
    fs.writeFileSync(outFile, pdf);
    return emit({ seconds, rssBeforeKiB, size: pdf.length, pages: got, clauses });
  }
}

async function baseline(inFile: string): Promise<void> {
  const input = fs.readFileSync(inFile);
  const rssBeforeKiB = kib();
  const t = clock();
  const doc = await PDFDocument.load(input, { updateMetadata: false });
  const saved = await doc.save();
  const seconds = secondsSince(t);
  emit({ seconds, rssBeforeKiB, size: saved.length, pages: doc.getPageCount() });
}

async function testPki() {
  const [rootKey, caKey, tsaKey, personKey] = await Promise.all([generateKeyPairAsync(), generateKeyPairAsync(), generateKeyPairAsync(), generateKeyPairAsync()]);
  const subject = (cn: string) => ({ commonName: cn, organization: "Bench 基准", country: "CN" });
  const root = issueCertificate({ kind: "root-ca", subject: subject("Bench Root"), subjectPublicKeyPem: rootKey.publicKeyPem, selfSignKeyPem: rootKey.privateKeyPem, validityDays: 3650 });
  const ca = issueCertificate({ kind: "issuing-ca", subject: subject("Bench CA"), subjectPublicKeyPem: caKey.publicKeyPem, issuer: { certPem: root.certPem, privateKeyPem: rootKey.privateKeyPem }, validityDays: 3650 });
  const tsa = issueCertificate({ kind: "tsa", subject: subject("Bench TSA"), subjectPublicKeyPem: tsaKey.publicKeyPem, issuer: { certPem: ca.certPem, privateKeyPem: caKey.privateKeyPem }, validityDays: 365 });
  const person = issueCertificate({ kind: "person", subject: subject("张三"), subjectPublicKeyPem: personKey.publicKeyPem, issuer: { certPem: ca.certPem, privateKeyPem: caKey.privateKeyPem }, validityDays: 365 });
  let serial = 1n;
  return {
    rootPem: root.certPem,
    signer: { certPem: person.certPem, privateKeyPem: personKey.privateKeyPem, chainPems: [ca.certPem, root.certPem] },
    timestamp: (digest: Buffer) =>
      timeStampDigest(digest, { certPem: tsa.certPem, privateKeyPem: tsaKey.privateKeyPem, chainPems: [ca.certPem, root.certPem] }, { serial: ++serial, genTime: new Date(), policyOid: "1.3.6.1.4.1.59999.1.1" }),
  };
}

async function sign(inFile: string, outFile: string): Promise<void> {
  const pki = await testPki();
  loadCjkFont(); // the stamp's font, parsed once per process as the server does
  const pdf = fs.readFileSync(inFile);
  const rssBeforeKiB = kib();
  const t = clock();
  const signed = await signContract({
    pdf,
    signer: pki.signer,
    fieldName: "sig-1-1",
    box: { page: 0, x: 64, y: 64, w: 220, h: 84 },
    name: "张三",
    organization: "甲科技有限公司",
    role: "甲方 Party A",
    contractTitle: "基准测试合同",
    signingTime: new Date(),
    timestamp: pki.timestamp,
  });
  const seconds = secondsSince(t);
  fs.writeFileSync(outFile, signed);
  const [report] = verifyPdfSignatures(signed, [pki.rootPem]);
  const ok = !!report && report.integrityOk && report.chainOk && !!report.timestamp?.ok && report.coversWholeDocument && signed.subarray(0, pdf.length).equals(pdf);
  emit({ seconds, rssBeforeKiB, size: signed.length, appended: signed.length - pdf.length, ok, problems: report?.problems ?? ["no signature found"] });
}

async function flow(inFile: string, dataDir: string): Promise<void> {
  const admin = { email: "admin@bench.example", password: "bench-admin-password" };
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, LOG_LEVEL: "silent", BATCH_MAX_AGE_MS: "200", ANCHOR_POLL_MS: "50" });
  const platform = await startPlatform(config, pino({ level: "silent" }));
  const server = createHttpServer(platform.app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const call = async (method: string, route: string, token: string | null, body?: unknown, expect = 200): Promise<any> => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(url + route, { method, headers, body: payload });
    if (res.status !== expect) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return res.headers.get("content-type")?.includes("json") ? res.json() : Buffer.from(await res.arrayBuffer());
  };
  try {
    const login = async (email: string, password: string) => (await call("POST", "/api/auth/login", null, { email, password })).token as string;
    const adminToken = await login(admin.email, admin.password);
    const org = await call("POST", "/api/organizations", adminToken, { name: "甲科技有限公司" }, 201);
    const users: { id: string; token: string }[] = [];
    for (const [i, name] of ["发起人", "张三", "李四", "王五"].entries()) {
      const email = `user${i}@bench.example`;
      const u = await call("POST", "/api/users", adminToken, { email, name, password: "bench-user-password", role: "member", organizationId: org.id }, 201);
      // each person's certificate (an ECDSA P-256 key, HOLDER_KEY_ALGORITHM's default) exists before the flow, as it would in use
      await platform.identity.issue({ userId: u.id });
      users.push({ id: u.id, token: await login(email, "bench-user-password") });
    }
    const [sender, a, b, c] = users;
    const pdf = fs.readFileSync(inFile);
    const rssBeforeKiB = kib();
    const laps: Record<string, number> = {};
    const t = clock();
    let lap = clock();
    const mark = (name: string) => {
      laps[name] = secondsSince(lap);
      lap = clock();
    };
    const form = new FormData();
    form.append("contract", JSON.stringify({ title: "基准测试合同 Benchmark contract", signers: [{ userId: a.id, step: 1, codeDelivery: "out-of-band" }, { userId: b.id, step: 1, codeDelivery: "out-of-band" }, { userId: c.id, step: 2, codeDelivery: "out-of-band" }] }));
    form.append("file", new Blob([new Uint8Array(pdf)]), "contract.pdf");
    const draft = await call("POST", "/api/contracts", sender.token, form, 201);
    mark("upload");
    const sent = await call("POST", `/api/contracts/${draft.id}/send`, sender.token, {});
    mark("send");
    const signOne = async (u: { id: string; token: string }) => {
      const inv = sent.invitations.find((x: { userId: string }) => x.userId === u.id);
      const { code } = await call("POST", `/api/contracts/${draft.id}/signers/${inv.signerId}/code`, sender.token, undefined, 201);
      return call("POST", `${new URL(inv.url).pathname}/sign`, u.token, { code });
    };
    await Promise.all([signOne(a), signOne(b)]);
    mark("step 1 (two signers in parallel)");
    const done = await signOne(c);
    mark("step 2 + completion (certificate, evidence intake)");
    const seconds = secondsSince(t);
    if (done.contract.status !== "completed") throw new Error(`the contract is ${done.contract.status}`);
    const finalPdf: Buffer = await call("GET", `/api/contracts/${draft.id}/document`, sender.token);
    const reports = verifyPdfSignatures(finalPdf, [platform.identity.rootPem()]);
    const ok =
      reports.length === 3 &&
      reports.every((r) => r.integrityOk && r.chainOk && r.timestamp?.ok) &&
      reports[2].coversWholeDocument &&
      "0x" + createHash("sha256").update(finalPdf).digest("hex") === done.contract.document.sha256;
    emit({ seconds, rssBeforeKiB, laps, size: finalPdf.length, ok });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await platform.close();
  }
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "render") return render(args[0], Number(args[1]));
  if (mode === "baseline") return baseline(args[0]);
  if (mode === "sign") return sign(args[0], args[1]);
  if (mode === "flow") return flow(args[0], args[1]);
  throw new Error("usage: contracts-runner.ts render|baseline|sign|flow ...");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
