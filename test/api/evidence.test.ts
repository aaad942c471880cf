import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { verifyBundleOffline } from "../../server/core/proof-bundle";

const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");
const sm3 = (b: Buffer | string) => "0x" + createHash("sm3").update(b).digest("hex");

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.message).to.be.a("string").and.not.empty;
  return { status: res.status, code: body.error.code };
}

/** Everything the database and DATA_DIR hold that an acknowledged or refused request could change. */
async function snapshot(tp: TestPlatform) {
  const db = tp.platform.database.db;
  const files = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort() : [];
  return {
    items: await db.evidenceItem.count(),
    leaves: await db.leaf.count(),
    objects: files(path.join(tp.dataDir, "objects")),
    tmp: files(path.join(tp.dataDir, "tmp")),
  };
}

describe("evidence intake (API)", function () {
  let tp: TestPlatform;
  let member: { id: string; token: string };

  before(async () => {
    tp = await startTestPlatform({ MAX_UPLOAD_BYTES: "65536", MAX_JSON_BYTES: "2048", BATCH_MAX_AGE_MS: "100000" });
    member = await tp.createUser("member");
  });
  after(async () => tp.stop());

  it("accepts a file: 201 with both digests, stored under its SHA-256", async () => {
    const content = Buffer.from("contract v1 — 合同第一版\n");
    const res = await tp.upload(member.token, content, { title: "Contract", source: "scanner 3" });
    expect(res.status).to.equal(201);
    const body = (await res.json()) as any;
    expect(body).to.include({ sha256: sha(content), sm3: sm3(content), size: content.length, status: "queued" });
    expect(body.id).to.match(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("location")).to.equal(`/api/evidence/${body.id}`);
    const stored = path.join(tp.dataDir, "objects", sha(content).slice(2, 4), sha(content).slice(4, 6), sha(content).slice(2));
    expect(fs.readFileSync(stored).equals(content)).to.equal(true);

    const item = (await (await tp.api("GET", `/api/evidence/${body.id}`, { token: member.token })).json()) as any;
    expect(item).to.include({ title: "Contract", source: "scanner 3", fileName: "evidence.bin", status: "queued" });
    const download = await tp.api("GET", `/api/evidence/${body.id}/content`, { token: member.token });
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).to.equal(true);
  });

  it("hashes a multi-megabyte upload (SM3 on the worker thread) correctly", async () => {
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const local = await startTestPlatform({ MAX_UPLOAD_BYTES: String(16 * 1024 * 1024), BATCH_MAX_AGE_MS: "100000" });
    try {
      const res = await local.upload(local.adminToken, big);
      expect(res.status).to.equal(201);
      expect(await res.json()).to.include({ sha256: sha(big), sm3: sm3(big), size: big.length });
    } finally {
      await local.stop();
    }
  });

  it("accepts a digest-only submission", async () => {
    const digest = sha("held elsewhere");
    const res = await tp.api("POST", "/api/evidence", { token: member.token, json: { sha256: digest.slice(2).toUpperCase(), title: "off-platform" } });
    expect(res.status).to.equal(201);
    expect(await res.json()).to.include({ sha256: digest, sm3: null, size: null, status: "queued" });
  });

  describe("bad input gets a 4xx and changes nothing", () => {
    const form = (parts: [string, string | Blob, string?][]) => {
      const f = new FormData();
      for (const [k, v, name] of parts) (typeof v === "string" ? f.append(k, v) : f.append(k, v, name));
      return f;
    };
    const cases: [string, () => Promise<Response>, number, string][] = [
      ["a non-multipart, non-JSON body", () => tp.api("POST", "/api/evidence", { token: member.token, body: "hello", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type"],
      ["multipart without a file part", () => tp.api("POST", "/api/evidence", { token: member.token, body: form([["title", "x"]]) }), 400, "missing_file"],
      ["two file parts", () => tp.api("POST", "/api/evidence", { token: member.token, body: form([["file", new Blob(["a"]), "a"], ["file", new Blob(["b"]), "b"]]) }), 400, "too_many_files"],
      ["an empty file", () => tp.api("POST", "/api/evidence", { token: member.token, body: form([["file", new Blob([]), "e"]]) }), 400, "empty_file"],
      ["a file over MAX_UPLOAD_BYTES", () => tp.upload(member.token, Buffer.alloc(65537, 1)), 413, "file_too_large"],
      ["a file far over MAX_UPLOAD_BYTES (Content-Length)", () => tp.upload(member.token, Buffer.alloc(300_000, 1)), 413, "file_too_large"],
      ["a file in another field", () => tp.api("POST", "/api/evidence", { token: member.token, body: form([["document", new Blob(["a"]), "a"]]) }), 400, "unexpected_file_field"],
      ["an unknown text field", () => tp.api("POST", "/api/evidence", { token: member.token, body: form([["owner", "x"], ["file", new Blob(["a"]), "a"]]) }), 400, "unexpected_field"],
      ["a broken multipart body", () => tp.api("POST", "/api/evidence", { token: member.token, body: "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc", headers: { "content-type": "multipart/form-data; boundary=xyz" } }), 400, "malformed_multipart"],
      ["multipart without a boundary", () => tp.api("POST", "/api/evidence", { token: member.token, body: "abc", headers: { "content-type": "multipart/form-data" } }), 400, "malformed_multipart"],
      ["a title over 500 characters (the file is not kept)", () => tp.upload(member.token, "kept? no", { title: "t".repeat(501) }), 400, "invalid_input"],
      ["a signature that is not base64 (the file is not kept)", () => tp.upload(member.token, "kept? no", { signature: "***" }), 400, "bad_signature"],
      ["a signature that is not CMS (the file is not kept)", () => tp.upload(member.token, "kept? no", { signature: "AAAA" }), 400, "bad_signature"],
      ["a malformed digest", () => tp.api("POST", "/api/evidence", { token: member.token, json: { sha256: "abc123" } }), 400, "invalid_input"],
      ["a digest of the wrong type", () => tp.api("POST", "/api/evidence", { token: member.token, json: { sha256: 42 } }), 400, "invalid_input"],
      ["an unknown JSON key", () => tp.api("POST", "/api/evidence", { token: member.token, json: { sha256: sha("x"), owner: "me" } }), 400, "invalid_input"],
      ["malformed JSON", () => tp.api("POST", "/api/evidence", { token: member.token, json: "{not json" }), 400, "malformed_json"],
      ["oversized JSON", () => tp.api("POST", "/api/evidence", { token: member.token, json: { sha256: sha("x"), title: "t".repeat(4000) } }), 413, "body_too_large"],
      ["no token", () => tp.api("POST", "/api/evidence", { json: { sha256: sha("x") } }), 401, "unauthorized"],
      ["a malformed Authorization header", () => tp.api("POST", "/api/evidence", { json: { sha256: sha("x") }, headers: { authorization: "Token abc" } }), 401, "unauthorized"],
      ["an unknown token", () => tp.api("POST", "/api/evidence", { token: "eat_" + "A".repeat(43), json: { sha256: sha("x") } }), 401, "unauthorized"],
    ];
    for (const [name, send, status, code] of cases) {
      it(`${name}: ${status} ${code}`, async () => {
        const before = await snapshot(tp);
        const res = await send();
        expect(await errorOf(res)).to.deep.equal({ status, code });
        expect(await snapshot(tp)).to.deep.equal(before);
      });
    }
  });

  it("an unknown or malformed id is 404", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope", "..%2F..%2Fetc"]) {
      expect(await errorOf(await tp.api("GET", `/api/evidence/${id}`, { token: member.token }))).to.deep.equal({ status: 404, code: "not_found" });
      expect((await tp.api("GET", `/api/evidence/${id}/proof`, { token: member.token })).status).to.equal(404);
    }
  });

  it("the proof is 202 while pending, with the status", async () => {
    const res = await tp.upload(member.token, "pending item");
    const { id } = (await res.json()) as { id: string };
    const proof = await tp.api("GET", `/api/evidence/${id}/proof`, { token: member.token });
    expect(proof.status).to.equal(202);
    expect(await proof.json()).to.deep.equal({ id, status: "queued" });
  });
});

describe("evidence access rules (API)", function () {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => tp.stop());

  it("items are visible to their submitter, the submitter's organisation, judges and admins only", async () => {
    const org = (await (await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "甲公司" } })).json()) as { id: string };
    const owner = await tp.createUser("member", { organizationId: org.id });
    const colleague = await tp.createUser("member", { organizationId: org.id });
    const outsider = await tp.createUser("lawyer");
    const judge = await tp.createUser("judge");
    const { id } = (await (await tp.upload(owner.token, "confidential")).json()) as { id: string };
    for (const [who, token, status] of [
      ["owner", owner.token, 200],
      ["colleague", colleague.token, 200],
      ["judge", judge.token, 200],
      ["admin", tp.adminToken, 200],
      ["outsider", outsider.token, 404],
    ] as const) {
      expect((await tp.api("GET", `/api/evidence/${id}`, { token })).status, who).to.equal(status);
      expect((await tp.api("GET", `/api/evidence/${id}/content`, { token })).status, who).to.equal(status);
      const proof = (await tp.api("GET", `/api/evidence/${id}/proof`, { token })).status;
      expect(status === 200 ? [200, 202] : [404], who).to.include(proof);
    }
    const listed = (await (await tp.api("GET", "/api/evidence", { token: outsider.token })).json()) as { items: unknown[] };
    expect(listed.items).to.have.length(0);
  });

  it("an anchored item's bundle verifies offline", async () => {
    const content = "anchored quickly";
    const { id } = (await (await tp.upload(tp.adminToken, content)).json()) as { id: string };
    const bundle = await tp.waitAnchored(tp.adminToken, id);
    expect(bundle.record.sha256).to.equal(sha(content));
    expect(bundle.merkle.algorithm).to.equal("RFC6962-SHA256");
    expect(verifyBundleOffline(bundle, sha(content)).every((c) => c.ok)).to.equal(true);
  });
});
