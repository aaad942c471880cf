// Organisation seals through the API: an organisation's administrator creates seals (each with an
// organisation certificate naming the organisation and its credit code, read back by openssl),
// grants and revokes their use (both in the audit log), and retires them; members see them,
// outsiders do not learn they exist; bad input is a 4xx. The drawn seal is vector (no image in the
// preview PDF) and renders red, checked with poppler's pdftoppm.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}
const code = async (res: Response, status: number, errorCode: string) => expect((await json(res, status)).error.code).to.equal(errorCode);

/** A binary PPM (P6, maxval 255) as poppler writes it: width, height and where the RGB bytes start. */
function readPpm(buf: Buffer): { width: number; height: number; data: Buffer; offset: number } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString("latin1"));
  if (!m) throw new Error("not a binary PPM");
  return { width: Number(m[1]), height: Number(m[2]), data: buf, offset: m[0].length };
}

const CREDIT_CODE = "91350100MA2Y00000E"; // check character E (GB 32100-2015)
const ORG_NAME = "福州甲科技有限公司";

describe("organisation seals: creation, authorisation, revocation, retirement", function () {
  this.timeout(120_000);
  let tp: TestPlatform;
  let org: any;
  let admin: { id: string; token: string };
  let member: { id: string; token: string };
  let colleague: { id: string; token: string };
  let outsider: { id: string; token: string };
  let seal: any;
  const seals = (suffix = "") => `/api/organizations/${org.id}/seals${suffix}`;

  before(async () => {
    tp = await startTestPlatform();
    org = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: ORG_NAME, kind: "enterprise", creditCode: CREDIT_CODE } }), 201);
    admin = await tp.createUser("member", { organizationId: org.id });
    await json(await tp.api("PATCH", `/api/organizations/${org.id}/members/${admin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    member = await tp.createUser("member", { organizationId: org.id });
    colleague = await tp.createUser("member", { organizationId: org.id });
    const other = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "乙公司", kind: "enterprise" } }), 201);
    outsider = await tp.createUser("member", { organizationId: other.id });
  });
  after(async () => {
    await tp?.stop();
  });

  it("the organisation's administrator creates a drawn contract seal bound to a new organisation certificate", async () => {
    seal = await json(await tp.api("POST", seals(), { token: admin.token, json: { kind: "contract", name: "合同专用章", code: "3501000012345" } }), 201);
    expect(seal).to.include({ kind: "contract", name: "合同专用章", form: "drawn", code: "3501000012345", retiredAt: null, organizationId: org.id });
    expect(seal.grants).to.deep.equal([]);
    expect(seal.certificate.subject).to.include({ organization: ORG_NAME, serialNumber: CREDIT_CODE });
    expect(JSON.stringify(seal)).not.to.match(/PRIVATE KEY|sealedKey/);
    // openssl reads the certificate the seal is bound to: O and serialNumber name the organisation
    const cert = await json(await tp.api("GET", `/api/certificates/${seal.certificateId}`, { token: tp.adminToken }), 200);
    const subject = execFileSync("openssl", ["x509", "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus"], { input: cert.certPem }).toString();
    expect(subject).to.contain(`O=${ORG_NAME}`).and.to.contain(`serialNumber=${CREDIT_CODE}`);
  });

  it("the drawn seal is vector and red: its preview has no image and renders red pixels in a ring", async () => {
    const res = await tp.api("GET", seals(`/${seal.id}/appearance`), { token: member.token });
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/pdf");
    const pdf = Buffer.from(await res.arrayBuffer());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seal-"));
    try {
      fs.writeFileSync(path.join(dir, "seal.pdf"), pdf);
      const images = execFileSync("pdfimages", ["-list", path.join(dir, "seal.pdf")]).toString().trim().split("\n");
      expect(images.length, images.join("\n")).to.equal(2); // the two header lines, no image
      execFileSync("pdftoppm", ["-r", "72", "-singlefile", path.join(dir, "seal.pdf"), path.join(dir, "seal")]);
      const img = readPpm(fs.readFileSync(path.join(dir, "seal.ppm")));
      const red = (x: number, y: number) => {
        const i = img.offset + (y * img.width + x) * 3;
        return img.data[i] > 150 && img.data[i + 1] < 100 && img.data[i + 2] < 100;
      };
      // 160 pt page, seal of 144 pt centred: the ring passes through (80, 10), the star fills the centre,
      // a corner is outside the seal.
      expect(red(80, 10), "ring at the top").to.equal(true);
      expect(red(80, 80), "star at the centre").to.equal(true);
      expect(red(12, 12), "corner outside the circle").to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("members list and read the seals; outsiders get 404; only the organisation's administrator creates, grants and retires", async () => {
    const listed = await json(await tp.api("GET", seals(), { token: member.token }), 200);
    expect(listed.seals.map((s: any) => s.id)).to.deep.equal([seal.id]);
    await json(await tp.api("GET", seals(`/${seal.id}`), { token: tp.adminToken }), 200);
    await code(await tp.api("GET", seals(), { token: outsider.token }), 404, "not_found");
    await code(await tp.api("GET", seals(`/${seal.id}`), { token: outsider.token }), 404, "not_found");
    await code(await tp.api("POST", seals(), { token: member.token, json: { kind: "official", name: "公章" } }), 403, "forbidden");
    await code(await tp.api("POST", seals(), { token: tp.adminToken, json: { kind: "official", name: "公章" } }), 403, "forbidden");
    await code(await tp.api("POST", seals(`/${seal.id}/grants`), { token: member.token, json: { userId: member.id } }), 403, "forbidden");
    await code(await tp.api("POST", seals(`/${seal.id}/retire`), { token: member.token }), 403, "forbidden");
    await code(await tp.api("DELETE", seals(`/${seal.id}/grants/${member.id}`), { token: outsider.token }), 404, "not_found");
    expect((await tp.api("GET", seals())).status).to.equal(401);
  });

  it("refuses bad input with a 4xx: unknown kind, bad seal code, unknown fields, a fake image, a stranger, an unknown seal", async () => {
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "personal", name: "章" } }), 400, "invalid_input");
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "official", name: "公章", code: "12AB" } }), 400, "invalid_input");
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "official", name: "公章", color: "blue" } }), 400, "invalid_input");
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "official", name: "" } }), 400, "invalid_input");
    const fakePng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("not really a png")]).toString("base64");
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "official", name: "公章", image: fakePng } }), 400, "unsupported_image");
    await code(await tp.api("POST", seals(), { token: admin.token, json: { kind: "official", name: "公章", image: Buffer.from("GIF89a....").toString("base64") } }), 400, "unsupported_image");
    await code(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: { userId: outsider.id } }), 400, "not_a_member");
    await code(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: {} }), 400, "invalid_input");
    await code(await tp.api("GET", seals("/00000000-0000-4000-8000-000000000000"), { token: admin.token }), 404, "not_found");
    await code(await tp.api("GET", seals("/not-a-uuid"), { token: admin.token }), 404, "not_found");
  });

  it("an organisation whose credit code fails its check character gets no seal (400), one without a code 409", async () => {
    // Refused where it enters; a row registered before that rule is still refused a seal.
    await code(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "丙公司", kind: "enterprise", creditCode: "91350100MA2Y000001" } }), 400, "invalid_credit_code");
    const bad = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "丙公司", kind: "enterprise" } }), 201);
    await tp.platform.database.db.organization.update({ where: { id: bad.id }, data: { creditCode: "91350100MA2Y000001" } });
    const badAdmin = await tp.createUser("member", { organizationId: bad.id });
    await json(await tp.api("PATCH", `/api/organizations/${bad.id}/members/${badAdmin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    await code(await tp.api("POST", `/api/organizations/${bad.id}/seals`, { token: badAdmin.token, json: { kind: "official", name: "公章" } }), 400, "invalid_credit_code");
    const none = await json(await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name: "丁公司", kind: "enterprise" } }), 201);
    const noneAdmin = await tp.createUser("member", { organizationId: none.id });
    await json(await tp.api("PATCH", `/api/organizations/${none.id}/members/${noneAdmin.id}`, { token: tp.adminToken, json: { orgAdmin: true } }), 200);
    await code(await tp.api("POST", `/api/organizations/${none.id}/seals`, { token: noneAdmin.token, json: { kind: "official", name: "公章" } }), 409, "credit_code_required");
  });

  it("an uploaded PNG seal is kept as an image seal", async () => {
    // a real PNG: the drawn seal's preview rendered by poppler
    const preview = Buffer.from(await (await tp.api("GET", seals(`/${seal.id}/appearance`), { token: member.token })).arrayBuffer());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seal-"));
    fs.writeFileSync(path.join(dir, "seal.pdf"), preview);
    execFileSync("pdftoppm", ["-r", "36", "-png", "-singlefile", path.join(dir, "seal.pdf"), path.join(dir, "seal")]);
    const png = fs.readFileSync(path.join(dir, "seal.png"));
    fs.rmSync(dir, { recursive: true, force: true });
    const created = await json(await tp.api("POST", seals(), { token: admin.token, json: { kind: "finance", name: "财务专用章", image: png.toString("base64") } }), 201);
    expect(created).to.include({ form: "image", kind: "finance" });
    const res = await tp.api("GET", seals(`/${created.id}/appearance`), { token: member.token });
    expect(res.status).to.equal(200);
  });

  it("grants and revocations are recorded in the audit log; a second live grant is refused; revoking twice is 404", async () => {
    const g = await json(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: { userId: member.id } }), 201);
    expect(g).to.include({ userId: member.id, grantedBy: admin.id, revokedAt: null });
    await code(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: { userId: member.id } }), 409, "already_granted");
    await json(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: { userId: colleague.id } }), 201);
    expect(await authorised(member.id)).to.equal(seal.id);
    expect((await tp.api("DELETE", seals(`/${seal.id}/grants/${member.id}`), { token: admin.token })).status).to.equal(204);
    expect(await authorised(member.id)).to.equal(null);
    expect(await authorised(colleague.id)).to.equal(seal.id);
    await code(await tp.api("DELETE", seals(`/${seal.id}/grants/${member.id}`), { token: admin.token }), 404, "not_found");
    const read = await json(await tp.api("GET", seals(`/${seal.id}`), { token: member.token }), 200);
    expect(read.grants.map((x: any) => [x.userId, x.revokedAt === null])).to.deep.equal([
      [member.id, false],
      [colleague.id, true],
    ]);
    const rows = await tp.platform.database.db.auditEntry.findMany({ where: { subject: seal.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r: any) => r.action)).to.deep.equal(["seal.created", "seal.granted", "seal.granted", "seal.revoked"]);
    expect(rows.every((r: any) => r.actorId === admin.id)).to.equal(true);
  });

  it("a retired seal is applied by nobody and cannot be granted again", async () => {
    const retired = await json(await tp.api("POST", seals(`/${seal.id}/retire`), { token: admin.token }), 200);
    expect(retired.retiredAt).to.be.a("string");
    expect(await authorised(colleague.id)).to.equal(null);
    await code(await tp.api("POST", seals(`/${seal.id}/grants`), { token: admin.token, json: { userId: member.id } }), 409, "seal_retired");
    await code(await tp.api("POST", seals(`/${seal.id}/retire`), { token: admin.token }), 409, "seal_retired");
  });

  async function authorised(userId: string): Promise<string | null> {
    const s = await tp.platform.seals.authorisedSeal(org.id, "contract", userId);
    return s ? s.id : null;
  }
});
