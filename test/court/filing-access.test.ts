// The filing access table walked: every route of FILING_ROUTES x every kind of caller, the status
// compared with what access.ts's expectedOutcome says (allow, 403, 404). Allowed calls are sent with
// bodies that fail validation or state checks (400, 409, 415), so the walk changes no filing.
import { expect } from "chai";
import { randomBytes, randomUUID } from "node:crypto";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { FILING_ROUTES, expectedOutcome, type CourtRelation, type FilingRelation, type FilingRouteSpec } from "../../server/filing/access";
import type { Role } from "../../server/accounts/roles";

type User = { id: string; email: string; token: string };
interface Caller {
  name: string;
  user: () => User | "admin";
  role: Role;
  relation: FilingRelation;
  courtRelation: CourtRelation;
}

describe("online filing: access table walked route x caller", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let court: string, firm: string, enterprise: string, otherCourt: string;
  let filer: User, firmAdmin: User, clerk: User, judge: User, courtAdmin: User, otherClerk: User, member: User, mediator: User;
  let submittedId: string, draftId: string;

  const org = async (name: string, kind: string) => {
    const res = await tp.api("POST", "/api/organizations", { token: tp.adminToken, json: { name, kind } });
    expect(res.status).to.equal(201);
    return ((await res.json()) as { id: string }).id;
  };
  const user = async (role: string, organizationId: string, orgAdmin = false): Promise<User> => {
    const email = `${role}-${randomBytes(4).toString("hex")}@walk.example`;
    const res = await tp.api("POST", "/api/users", { token: tp.adminToken, json: { email, name: role, password: "user-password-1", role, organizationId, orgAdmin } });
    expect(res.status, await res.clone().text()).to.equal(201);
    return { id: ((await res.json()) as { id: string }).id, email, token: await tp.login(email, "user-password-1") };
  };

  before(async () => {
    tp = await startTestPlatform();
    court = await org("某区人民法院", "court");
    otherCourt = await org("另一区人民法院", "court");
    firm = await org("某律师事务所", "law_firm");
    enterprise = await org("甲公司", "enterprise");
    [filer, firmAdmin, clerk, judge, courtAdmin, otherClerk, member, mediator] = await Promise.all([
      user("lawyer", firm),
      user("lawyer", firm, true),
      user("clerk", court),
      user("judge", court),
      user("judge", court, true),
      user("clerk", otherCourt),
      user("member", enterprise),
      user("mediator", court),
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
    const make = async () => ((await (await tp.api("POST", "/api/filings", { token: filer.token, json: draft })).json()) as { id: string }).id;
    [submittedId, draftId] = [await make(), await make()];
    const doc = await PDFDocument.create();
    doc.addPage().drawText("Complaint", { x: 50, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
    const f = new FormData();
    f.append("kind", "complaint");
    f.append("title", "起诉状");
    f.append("file", new Blob([new Uint8Array(await doc.save())]), "c.pdf");
    expect((await tp.api("POST", `/api/filings/${submittedId}/attachments`, { token: filer.token, body: f })).status).to.equal(201);
    const s = await tp.api("POST", `/api/filings/${submittedId}/submit`, { token: filer.token });
    expect(s.status, await s.text()).to.equal(200);
  });
  after(async () => {
    await tp?.stop();
  });

  const callers: Caller[] = [
    { name: "the filer", user: () => filer, role: "lawyer", relation: "filer", courtRelation: "other" },
    { name: "the filer's organisation administrator", user: () => firmAdmin, role: "lawyer", relation: "filerOrg", courtRelation: "other" },
    { name: "a clerk of the court", user: () => clerk, role: "clerk", relation: "clerk", courtRelation: "other" },
    { name: "a judge of the court", user: () => judge, role: "judge", relation: "court", courtRelation: "other" },
    { name: "the court's administrator (a judge)", user: () => courtAdmin, role: "judge", relation: "court", courtRelation: "courtAdmin" },
    { name: "a mediator of the court", user: () => mediator, role: "mediator", relation: "outsider", courtRelation: "other" },
    { name: "a clerk of another court", user: () => otherClerk, role: "clerk", relation: "outsider", courtRelation: "other" },
    { name: "an unrelated enterprise member", user: () => member, role: "member", relation: "outsider", courtRelation: "other" },
    { name: "the platform administrator", user: () => "admin", role: "admin", relation: "outsider", courtRelation: "other" },
  ];

  const pathOf = (spec: FilingRouteSpec, filingId: string) =>
    spec.base + spec.path.replace(":id", spec.base === "/api/courts" ? court : filingId).replace(":aid", randomUUID()).replace(/\/$/, "");

  for (const target of ["submitted", "draft"] as const) {
    for (const spec of FILING_ROUTES) {
      if (target === "draft" && !spec.path.includes(":id")) continue;
      if (target === "draft" && spec.base === "/api/courts") continue;
      it(`${spec.method.toUpperCase()} ${spec.base}${spec.path} on a ${target} filing`, async () => {
        for (const c of callers) {
          const u = c.user();
          const token = u === "admin" ? tp.adminToken : u.token;
          const expected = expectedOutcome(spec.action, { relation: c.relation, courtRelation: c.courtRelation, role: c.role, sentToCourt: target === "submitted" });
          // An invalid body: an allowed call is refused by validation or state, never carried out.
          const body = spec.method === "get" || spec.method === "delete" ? undefined : { notAField: true };
          const res = await tp.api(spec.method.toUpperCase(), pathOf(spec, target === "submitted" ? submittedId : draftId), { token, ...(body ? { json: body } : {}) });
          const text = await res.text();
          const what = `${c.name}: ${res.status} ${text.slice(0, 200)}`;
          expect(res.status, what).to.be.below(500);
          if (expected === "forbidden") expect(res.status, what).to.equal(403);
          else if (expected === "hidden") expect(res.status, what).to.equal(404);
          else {
            expect(res.status, what).not.to.equal(403);
            // allowed: a 404 may only be about the attachment named, not the filing or court
            if (res.status === 404) expect(text, what).to.include("attachment not found");
          }
        }
      });
    }
  }

  it("the walk changed nothing: the submitted filing is still submitted, the draft still a draft", async () => {
    const a = (await (await tp.api("GET", `/api/filings/${submittedId}`, { token: filer.token })).json()) as { status: string; version: number };
    const b = (await (await tp.api("GET", `/api/filings/${draftId}`, { token: filer.token })).json()) as { status: string };
    expect(a).to.include({ status: "submitted", version: 1 });
    expect(b.status).to.equal("draft");
  });
});
