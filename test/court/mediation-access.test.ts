// The mediation access table walked: every route of MEDIATION_ROUTES x every kind of caller, the
// status compared with what access.ts's expectedOutcome says (allow, 403, 404). Allowed calls are sent
// with bodies that fail validation or state checks (400, 409), so the walk changes no mediation.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { MEDIATION_ROUTES, expectedOutcome, type MediationRelation, type MediationRouteSpec } from "../../server/mediation/access";
import type { Role } from "../../server/accounts/roles";

type User = { id: string; email: string; token: string };
interface Caller {
  name: string;
  user: () => User | "admin";
  role: Role;
  relation: MediationRelation;
}

describe("pre-litigation mediation: access table walked route x caller", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let filer: User, clerk: User, judge: User, mediator: User, courtMediator: User, otherClerk: User, member: User;
  let filingId: string, draftId: string, mediationId: string;

  const org = async (name: string, kind: string) => {
    const res = await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } });
    expect(res.status).to.equal(201);
    return ((await res.json()) as { id: string }).id;
  };
  const user = async (role: string, organizationId: string): Promise<User> => {
    const email = `${role}-${randomBytes(4).toString("hex")}@walk.example`;
    const res = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name: role, password: "user-password-1", role, organizationId } });
    expect(res.status, await res.clone().text()).to.equal(201);
    return { id: ((await res.json()) as { id: string }).id, email, token: await tp.login(email, "user-password-1") };
  };
  const ok = async (res: Response, status: number) => {
    const text = await res.text();
    expect(res.status, text).to.equal(status);
    return JSON.parse(text) as { id: string; status: string };
  };

  before(async () => {
    tp = await startTestPlatform();
    const court = await org("某区人民法院", "court");
    const otherCourt = await org("另一区人民法院", "court");
    const committee = await org("某人民调解委员会", "mediation");
    const firm = await org("某律师事务所", "law_firm");
    const enterprise = await org("甲公司", "enterprise");
    [filer, clerk, judge, mediator, courtMediator, otherClerk, member] = await Promise.all([
      user("lawyer", firm),
      user("clerk", court),
      user("judge", court),
      user("mediator", committee),
      user("mediator", court),
      user("clerk", otherCourt),
      user("member", enterprise),
    ]);
    const draft = {
      courtId: court,
      title: "甲诉乙",
      parties: [
        { kind: "plaintiff", name: "甲" },
        { kind: "defendant", name: "乙" },
      ],
      claims: ["支付货款"],
      facts: "事实与理由",
      citations: [],
      filerPartyIndex: 0,
    };
    const make = async () => (await ok(await tp.api("POST", "/api/filings", { token: filer.token, json: draft }), 201)).id;
    [filingId, draftId] = [await make(), await make()];
    const doc = await PDFDocument.create();
    doc.addPage().drawText("Complaint", { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
    const f = new FormData();
    f.append("kind", "complaint");
    f.append("title", "起诉状");
    f.append("file", new Blob([new Uint8Array(await doc.save())]), "c.pdf");
    expect((await tp.api("POST", `/api/filings/${filingId}/attachments`, { token: filer.token, body: f })).status).to.equal(201);
    await ok(await tp.api("POST", `/api/filings/${filingId}/submit`, { token: filer.token }), 200);
    mediationId = (await ok(await tp.api("POST", `/api/mediations/by-filing/${filingId}`, { token: filer.token, json: {} }), 201)).id;
    await ok(await tp.api("POST", `/api/mediations/${mediationId}/mediator`, { token: clerk.token, json: { mediatorId: mediator.id } }), 200);
  });
  after(async () => {
    await tp?.stop();
  });

  const callers: Caller[] = [
    { name: "the filer", user: () => filer, role: "lawyer", relation: "filer" },
    { name: "a clerk of the court", user: () => clerk, role: "clerk", relation: "clerk" },
    { name: "the assigned mediator", user: () => mediator, role: "mediator", relation: "mediator" },
    { name: "a judge of the court", user: () => judge, role: "judge", relation: "judge" },
    { name: "a mediator of the court not assigned", user: () => courtMediator, role: "mediator", relation: "outsider" },
    { name: "a clerk of another court", user: () => otherClerk, role: "clerk", relation: "outsider" },
    { name: "an unrelated enterprise member", user: () => member, role: "member", relation: "outsider" },
    { name: "the platform administrator", user: () => "admin", role: "admin", relation: "outsider" },
  ];

  const pathOf = (spec: MediationRouteSpec, target: "mediation" | "draft") =>
    spec.base + spec.path.replace(":id", spec.byFiling ? (target === "draft" ? draftId : filingId) : mediationId).replace(/\/$/, "");

  for (const target of ["mediation", "draft"] as const) {
    for (const spec of MEDIATION_ROUTES) {
      if (target === "draft" && !spec.byFiling) continue;
      it(`${spec.method.toUpperCase()} ${spec.base}${spec.path}${target === "draft" ? " on a draft filing" : ""}`, async () => {
        for (const c of callers) {
          const u = c.user();
          const token = u === "admin" ? tp.adminToken : u.token;
          // the assigned mediator is nobody to another filing (no mediation of theirs)
          const relation = target === "draft" && c.relation === "mediator" ? "outsider" : c.relation;
          const expected = expectedOutcome(spec.action, { relation, role: c.role, sentToCourt: target !== "draft" });
          // An invalid body: an allowed call is refused by validation or state, never carried out.
          const body = spec.method === "get" ? undefined : { notAField: true };
          const res = await tp.api(spec.method.toUpperCase(), pathOf(spec, target), { token, ...(body ? { json: body } : {}) });
          const text = await res.text();
          const what = `${c.name}: ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, what).to.be.below(500);
          if (expected === "forbidden") expect(res.status, what).to.equal(403);
          else if (expected === "hidden") expect(res.status, what).to.equal(404);
          else {
            expect(res.status, what).to.be.oneOf(spec.method === "get" ? [200, 409] : [400, 409]);
          }
        }
      });
    }
  }

  it("the walk changed nothing: the mediation is in progress with its mediator, no message, the filing in mediation", async () => {
    const m = (await (await tp.api("GET", `/api/mediations/${mediationId}`, { token: filer.token })).json()) as { status: string; mediator: { id: string }; filingStatus: string };
    expect(m.status).to.equal("in_progress");
    expect(m.mediator.id).to.equal(mediator.id);
    expect(m.filingStatus).to.equal("mediation");
    const msgs = (await (await tp.api("GET", `/api/mediations/${mediationId}/messages`, { token: filer.token })).json()) as { items: unknown[] };
    expect(msgs.items).to.deep.equal([]);
    const d = (await (await tp.api("GET", `/api/filings/${draftId}`, { token: filer.token })).json()) as { status: string };
    expect(d.status).to.equal("draft");
  });
});
