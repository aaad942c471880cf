// Hearings end to end over HTTP: a judge schedules one (the parties told by mail), a second judge's
// hearing in the same room at an overlapping time is refused (full-width room name and all), the
// same judge twice at once is refused, back to back is fine; slots offered and one chosen by a
// party (a second choice refused); answers (confirm, ask to reschedule with a reason); the calendar
// file; the summons rendered, sealed (pdfsig: valid, trusted by the platform root; qpdf), served
// through the case's service into the lawyer's inbox, opened with an anchored receipt; a reschedule
// making answers and summonses stale; a cancellation; the bad inputs; the access table walked over
// HTTP for every route and relation; a closed case.
import { expect } from "chai";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { haveTool, nssDbWithRoot, pdfsig, run, tempDir } from "../pdf/helpers";
import { HEARING_ROUTES, HEARING_MATRIX } from "../../server/hearings/access";

type User = { id: string; email: string; token: string };
const sha = (b: Buffer | string) => "0x" + createHash("sha256").update(b).digest("hex");

async function json(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  return text ? JSON.parse(text) : null;
}

async function refused(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).to.equal(status);
  expect(JSON.parse(text).error.code, text).to.equal(code);
  return JSON.parse(text).error.message;
}

const DAY = 86400_000;
/** A time some days ahead, at a given China-time hour (UTC+8), as ISO. */
function at(days: number, hourChina: number, minutes = 0): string {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(hourChina - 8, minutes, 0, 0);
  return d.toISOString();
}

describe("hearings (开庭: scheduling, slots, answers, summons, calendar)", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let tmp: ReturnType<typeof tempDir>;
  let court: any, otherCourt: any;
  let judge: User, judge2: User, otherCourtJudge: User, lawyerA: User, lawyerB: User, outsider: User, clerk: User;
  let c: any, c2: any, c3: any;
  let partyA: string, partyB: string, partyNobody: string;
  let hearing: any, offered: any;

  const db = () => tp.platform.database.db;
  const api = (u: User | string, method: string, route: string, body?: unknown) =>
    tp.api(method, route, { token: typeof u === "string" ? u : u.token, ...(body === undefined ? {} : { json: body }) });
  const base = (caseId = c.id) => `/api/cases/${caseId}/hearings`;
  const mails = (template: string, to: string) => db().mailMessage.findMany({ where: { template, toAddress: to }, orderBy: { createdAt: "asc" } });

  async function openCase(u: User, courtRow: any, n: number, parties: unknown[]) {
    const made = await json(
      await api(u, "POST", "/api/cases", { number: `(2026)闽0102民初${(process.pid % 900) * 10 + n}号`, court: courtRow.name, causeOfAction: "买卖合同纠纷", parties }),
      201,
    );
    await db().courtCase.update({ where: { id: made.id }, data: { courtId: courtRow.id } });
    return made;
  }

  before(async () => {
    const missing = ["pdfsig", "qpdf", "pdftotext", "certutil"].filter((t) => !haveTool(t));
    if (missing.length) throw new Error(`missing tools: ${missing.join(", ")}`);
    tp = await startTestPlatform();
    tmp = tempDir("hearings-");
    court = await json(await api(tp.adminToken, "POST", "/api/organizations", { name: "福州市鼓楼区人民法院", kind: "court" }), 201);
    otherCourt = await json(await api(tp.adminToken, "POST", "/api/organizations", { name: "福州市台江区人民法院", kind: "court" }), 201);
    [judge, judge2, otherCourtJudge, lawyerA, lawyerB, outsider, clerk] = await Promise.all([
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("judge", { organizationId: court.id }),
      tp.createUser("judge", { organizationId: otherCourt.id }),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("lawyer"),
      tp.createUser("clerk", { organizationId: court.id }),
    ]);
    c = await openCase(judge, court, 1, [
      { name: "甲科技有限公司", kind: "plaintiff", members: [lawyerA.id] },
      { name: "乙贸易有限公司", kind: "defendant", members: [lawyerB.id] },
      { name: "丙物流有限公司", kind: "third-party", members: [] },
    ]);
    [partyA, partyB, partyNobody] = c.parties.map((p: any) => p.id);
    c2 = await openCase(judge2, court, 2, [{ name: "丁公司", kind: "plaintiff", members: [lawyerA.id] }, { name: "己公司", kind: "defendant", members: [] }]);
    c3 = await openCase(otherCourtJudge, otherCourt, 3, [{ name: "戊公司", kind: "plaintiff", members: [lawyerB.id] }, { name: "庚公司", kind: "defendant", members: [] }]);
  });

  after(async () => {
    await tp?.stop();
    tmp?.rm();
  });

  it("a judge schedules a hearing: 201 with its time and place, the parties' people are told by mail", async () => {
    hearing = await json(
      await api(judge, "POST", base(), { kind: "trial", startsAt: at(10, 9, 30), endsAt: at(10, 11), room: "第三法庭", notes: "请携带证据原件" }),
      201,
    );
    expect(hearing).to.deep.include({ caseId: c.id, kind: "trial", status: "scheduled", sequence: 0, room: "第三法庭", onlineUrl: null, notes: "请携带证据原件" });
    expect(hearing.startsAt).to.equal(at(10, 9, 30));
    expect(hearing.judge.id).to.equal(judge.id);
    expect(hearing.calendarUrl).to.equal(`/api/cases/${c.id}/hearings/${hearing.id}/calendar.ics`);
    for (const u of [lawyerA, lawyerB]) {
      const m = await mails("hearing-update", u.email);
      expect(m, u.email).to.have.length(1);
      expect(JSON.parse(m[0].params)).to.deep.include({ event: "scheduled", caseId: c.id, startsAt: at(10, 9, 30) });
    }
    expect(await mails("hearing-update", judge.email)).to.have.length(0);
    const seen = await json(await api(lawyerB, "GET", base()), 200);
    expect(seen.hearings.map((h: any) => h.id)).to.deep.equal([hearing.id]);
    expect(seen.you).to.deep.equal({ relation: "party", partyId: partyB });
  });

  it("refuses bad input with 400 and the field named", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ kind: "trial", startsAt: at(5, 9), endsAt: at(5, 10) }, "invalid_input", /room/],
      [{ kind: "trial", startsAt: at(5, 10), endsAt: at(5, 9), room: "一" }, "invalid_input", /endsAt/],
      [{ kind: "trial", startsAt: at(5, 8), endsAt: at(5, 23), room: "一" }, "invalid_input", /12 hours/],
      [{ kind: "party", startsAt: at(5, 9), endsAt: at(5, 10), room: "一" }, "invalid_input", /kind/],
      [{ kind: "trial", room: "一" }, "invalid_input", /startsAt/],
      [{ kind: "trial", startsAt: "tomorrow", endsAt: at(5, 10), room: "一" }, "invalid_input", /startsAt/],
      [{ kind: "trial", startsAt: at(5, 9), endsAt: at(5, 10), slots: [{ startsAt: at(6, 9), endsAt: at(6, 10) }, { startsAt: at(7, 9), endsAt: at(7, 10) }], room: "一" }, "invalid_input", /not both/],
      [{ kind: "trial", slots: [{ startsAt: at(6, 9), endsAt: at(6, 10) }], room: "一" }, "invalid_input", /slots/],
      [{ kind: "trial", startsAt: at(5, 9), endsAt: at(5, 10), onlineUrl: "http://meet.example/x" }, "invalid_input", /onlineUrl/],
      [{ kind: "trial", startsAt: at(5, 9), endsAt: at(5, 10), room: "一", judge: "me" }, "invalid_input", /judge/],
      [{ kind: "trial", startsAt: at(-1, 9), endsAt: at(-1, 10), room: "一" }, "in_the_past", /future/],
      [{ kind: "trial", slots: [{ startsAt: at(6, 9), endsAt: at(6, 11) }, { startsAt: at(6, 10), endsAt: at(6, 12) }], room: "一" }, "invalid_input", /overlap/],
    ];
    for (const [body, code, message] of cases) {
      const m = await refused(await api(judge, "POST", base(), body), 400, code);
      expect(m, JSON.stringify(body)).to.match(message);
    }
    await refused(await api(judge, "POST", base(), "not json at all"), 400, "malformed_json");
    await refused(await api(judge, "POST", base(), [1, 2]), 400, "invalid_input");
    await refused(await api(lawyerA, "POST", `${base()}/${hearing.id}/responses`, { response: "reschedule" }), 400, "invalid_input");
    await refused(await api(judge, "POST", `${base()}/${hearing.id}/cancel`, {}), 400, "invalid_input");
    await refused(await api(judge, "GET", `/api/hearings?from=soon`), 400, "invalid_input");
    await refused(await api(judge, "GET", `${base()}/not-a-uuid`), 404, "not_found");
    await refused(await api(judge, "GET", `${base()}/${c2.id}`), 404, "not_found");
  });

  it("refuses a judge twice at once and a room twice at once (409 hearing_conflict); back to back and another court's room are fine", async () => {
    // the same judge, overlapping, in another room and online
    const m1 = await refused(await api(judge, "POST", base(), { kind: "pretrial", startsAt: at(10, 10, 30), endsAt: at(10, 12), onlineUrl: "https://meet.example/r/1" }), 409, "hearing_conflict");
    expect(m1).to.match(/judge/).and.include(hearing.id);
    // another judge of the court, same room written in full-width with spaces
    const m2 = await refused(await api(judge2, "POST", base(c2.id), { kind: "trial", startsAt: at(10, 10), endsAt: at(10, 10, 30), room: " 第三法庭 " }), 409, "hearing_conflict");
    expect(m2).to.match(/room/);
    // back to back: starts the minute the first ends
    const next = await json(await api(judge2, "POST", base(c2.id), { kind: "trial", startsAt: at(10, 11), endsAt: at(10, 12), room: "第三法庭" }), 201);
    // a room of the same name in another court is another room
    await json(await api(otherCourtJudge, "POST", base(c3.id), { kind: "trial", startsAt: at(10, 9, 30), endsAt: at(10, 11), room: "第三法庭" }), 201);
    // offered slots hold the room and the judge as well
    await refused(
      await api(judge, "POST", base(), { kind: "trial", slots: [{ startsAt: at(11, 9), endsAt: at(11, 10) }, { startsAt: at(10, 10, 30), endsAt: at(10, 11, 30) }], room: "第一法庭" }),
      409,
      "hearing_conflict",
    );
    await json(await api(judge2, "POST", `${base(c2.id)}/${next.id}/cancel`, { reason: "改为书面审理" }), 200);
    // the cancelled one no longer holds its time
    await json(await api(judge, "POST", base(), { kind: "pretrial", startsAt: at(10, 11), endsAt: at(10, 11, 30), room: "第三法庭" }), 201).then((h) =>
      api(judge, "POST", `${base()}/${h.id}/cancel`, { reason: "合并审理" }),
    );
  });

  it("two judges booking the same room at the same moment: exactly one gets it", async () => {
    for (let round = 0; round < 3; round++) {
      const when = { startsAt: at(50 + round, 9), endsAt: at(50 + round, 10) };
      const [r1, r2] = await Promise.all([
        api(judge, "POST", base(), { kind: "trial", ...when, room: "第七法庭" }),
        api(judge2, "POST", base(c2.id), { kind: "trial", ...when, room: "第七法庭" }),
      ]);
      expect([r1.status, r2.status].sort(), `round ${round}`).to.deep.equal([201, 409]);
      const won = r1.status === 201 ? await r1.json() : await r2.json();
      await json(await api(r1.status === 201 ? judge : judge2, "POST", `${base(won.caseId)}/${won.id}/cancel`, { reason: "测试" }), 200);
    }
  });

  it("offers slots: a party chooses one and the hearing is fixed; a second choice, a judge's choice and a stranger slot are refused", async () => {
    offered = await json(
      await api(judge, "POST", base(), {
        kind: "pretrial",
        slots: [
          { startsAt: at(12, 9), endsAt: at(12, 10) },
          { startsAt: at(13, 14), endsAt: at(13, 15) },
          { startsAt: at(14, 9), endsAt: at(14, 10) },
        ],
        onlineUrl: "https://meet.example/court/room-7",
      }),
      201,
    );
    expect(offered).to.deep.include({ status: "offered", startsAt: null, calendarUrl: null });
    expect(offered.slots).to.have.length(3);
    await refused(await api(lawyerA, "GET", `${base()}/${offered.id}/calendar.ics`), 409, "not_scheduled");
    await refused(await api(lawyerA, "POST", `${base()}/${offered.id}/responses`, { response: "confirmed" }), 409, "not_scheduled");
    await refused(await api(judge, "POST", `${base()}/${offered.id}/slots/${offered.slots[0].id}/choose`), 403, "forbidden");
    await refused(await api(lawyerA, "POST", `${base()}/${offered.id}/slots/${hearing.id}/choose`), 404, "not_found");
    const chosen = await json(await api(lawyerB, "POST", `${base()}/${offered.id}/slots/${offered.slots[1].id}/choose`), 200);
    expect(chosen).to.deep.include({ status: "scheduled", startsAt: at(13, 14), endsAt: at(13, 15) });
    expect(chosen.slots.filter((s: any) => s.chosen).map((s: any) => s.id)).to.deep.equal([offered.slots[1].id]);
    await refused(await api(lawyerA, "POST", `${base()}/${offered.id}/slots/${offered.slots[0].id}/choose`), 409, "already_chosen");
    const told = (await mails("hearing-update", judge.email)).map((m) => JSON.parse(m.params));
    expect(told.map((p) => p.event)).to.include("chosen");
    // the released slots no longer hold the judge: the 12th at 9 is free again
    const free = await json(await api(judge, "POST", base(), { kind: "pronouncement", startsAt: at(12, 9), endsAt: at(12, 9, 30), room: "第五法庭" }), 201);
    await json(await api(judge, "POST", `${base()}/${free.id}/cancel`, { reason: "不需要" }), 200);
  });

  it("parties answer: one confirms, the other asks to reschedule with a reason; each sees its own answer, the judge sees both and is told", async () => {
    const a = await json(await api(lawyerA, "POST", `${base()}/${hearing.id}/responses`, { response: "confirmed" }), 200);
    expect(a.responses.map((r: any) => [r.party.id, r.response, r.current])).to.deep.equal([[partyA, "confirmed", true]]);
    const b = await json(await api(lawyerB, "POST", `${base()}/${hearing.id}/responses`, { response: "reschedule", reason: "代理人同日另有开庭" }), 200);
    expect(b.responses.map((r: any) => [r.party.id, r.response, r.reason])).to.deep.equal([[partyB, "reschedule", "代理人同日另有开庭"]]);
    const j = await json(await api(judge, "GET", `${base()}/${hearing.id}`), 200);
    expect(j.responses.map((r: any) => r.response).sort()).to.deep.equal(["confirmed", "reschedule"]);
    const told = (await mails("hearing-update", judge.email)).map((m) => JSON.parse(m.params));
    expect(told.find((p) => p.event === "reschedule-requested")).to.deep.include({ party: "乙贸易有限公司", reason: "代理人同日另有开庭" });
  });

  it("writes the calendar file (RFC 5545: CRLF, UTC times, SEQUENCE)", async () => {
    const res = await api(lawyerA, "GET", `${base()}/${hearing.id}/calendar.ics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.match(/^text\/calendar/);
    const ics = await res.text();
    expect(ics).to.match(/^BEGIN:VCALENDAR\r\n/);
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).to.include(`DTSTART:${at(10, 9, 30).replace(/[-:]/g, "").replace(/\.\d{3}/, "")}`);
    expect(unfolded).to.include("SEQUENCE:0").and.include("STATUS:CONFIRMED").and.include(`UID:hearing-${hearing.id}@`);
    expect(unfolded).to.include("LOCATION:第三法庭");
  });

  it("serves the summons: one sealed PDF per party (pdfsig valid and trusted, qpdf), into the lawyer's inbox, opened with a receipt; again is skipped", async () => {
    const out = await json(await api(judge, "POST", `${base()}/${hearing.id}/summons`, {}), 201);
    expect(out.served.map((s: any) => s.partyId).sort()).to.deep.equal([partyA, partyB].sort());
    expect(out.skipped).to.deep.equal([{ partyId: partyNobody, code: "no_recipients", message: "nobody acts for this party yet" }]);
    const inbox = await json(await api(lawyerA, "GET", "/api/inbox"), 200);
    const item = inbox.items.find((i: any) => i.case.id === c.id);
    expect(item.title).to.match(/^传票 Summons/);
    expect(item.openedAt).to.equal(null);
    const res = await api(lawyerA, "GET", `/api/inbox/${item.id}/document`);
    expect(res.status).to.equal(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(sha(pdf)).to.equal(item.document.sha256);
    const file = path.join(tmp.dir, "summons.pdf");
    fs.writeFileSync(file, pdf);
    const report = await pdfsig(file, nssDbWithRoot(tmp.dir, tp.platform.identity.rootPem()));
    expect(report.signatures, report.output).to.have.length(1);
    expect(report.signatures[0].validation, report.output).to.equal("Signature is Valid.");
    expect(report.signatures[0].certificateValidation, report.output).to.equal("Certificate is Trusted.");
    expect(run("qpdf", ["--check", file]).status).to.equal(0);
    const text = run("pdftotext", ["-enc", "UTF-8", file, "-"]).stdout.replace(/\s+/g, "");
    expect(text).to.include("传票").and.include(c.number).and.include("甲科技有限公司").and.include("第三法庭").and.include("开庭审理");
    const services = await json(await api(judge, "GET", `/api/cases/${c.id}/services`), 200);
    const mine = services.services.find((s: any) => s.party.id === partyA);
    expect(mine.deliveries[0].openedAt).to.be.a("string");
    expect(mine.deliveries[0].receipt).to.not.equal(null);
    const h = await json(await api(lawyerA, "GET", `${base()}/${hearing.id}`), 200);
    expect(h.summonses.map((s: any) => [s.partyId, s.current])).to.deep.equal([[partyA, true]]);
    const again = await json(await api(judge, "POST", `${base()}/${hearing.id}/summons`, { parties: [partyA] }), 200);
    expect(again.skipped.map((s: any) => s.code)).to.deep.equal(["already_summoned"]);
    await refused(await api(judge, "POST", `${base()}/${hearing.id}/summons`, { parties: [c2.parties[0].id] }), 400, "invalid_input");
    await refused(await api(judge, "POST", `${base()}/${hearing.id}/summons`, { parties: ["x"] }), 400, "invalid_input");
  });

  it("reschedules: sequence rises, earlier answers and summonses go stale, the parties are told; a new summons can be served", async () => {
    await refused(await api(judge, "POST", `${base()}/${hearing.id}/reschedule`, { startsAt: at(13, 14, 30), endsAt: at(13, 16) }), 409, "hearing_conflict");
    const moved = await json(await api(judge, "POST", `${base()}/${hearing.id}/reschedule`, { startsAt: at(15, 14), endsAt: at(15, 16), reason: "应被告申请改期" }), 200);
    expect(moved).to.deep.include({ status: "scheduled", sequence: 1, startsAt: at(15, 14), room: "第三法庭" });
    expect(moved.responses.every((r: any) => r.current === false)).to.equal(true);
    expect(moved.summonses.every((s: any) => s.current === false)).to.equal(true);
    const told = (await mails("hearing-update", lawyerB.email)).map((m) => JSON.parse(m.params));
    expect(told.find((p) => p.event === "rescheduled")).to.deep.include({ reason: "应被告申请改期", startsAt: at(15, 14) });
    const ics = (await (await api(lawyerB, "GET", `${base()}/${hearing.id}/calendar.ics`)).text()).replace(/\r\n /g, "");
    expect(ics).to.include("SEQUENCE:1");
    const out = await json(await api(judge, "POST", `${base()}/${hearing.id}/summons`, { parties: [partyB] }), 201);
    expect(out).to.deep.include({ sequence: 1 });
    expect(out.served).to.have.length(1);
  });

  it("cancels: answers and summonses refused after, the calendar says CANCELLED, a second cancel is 409", async () => {
    const x = await json(await api(judge, "POST", `${base()}/${offered.id}/cancel`, { reason: "原告撤诉" }), 200);
    expect(x).to.deep.include({ status: "cancelled", cancelReason: "原告撤诉" });
    await refused(await api(judge, "POST", `${base()}/${offered.id}/cancel`, { reason: "again" }), 409, "hearing_cancelled");
    await refused(await api(lawyerA, "POST", `${base()}/${offered.id}/responses`, { response: "confirmed" }), 409, "not_scheduled");
    await refused(await api(judge, "POST", `${base()}/${offered.id}/summons`, {}), 409, "not_scheduled");
    await refused(await api(judge, "POST", `${base()}/${offered.id}/reschedule`, { startsAt: at(20, 9), endsAt: at(20, 10) }), 409, "hearing_cancelled");
    const ics = await (await api(lawyerA, "GET", `${base()}/${offered.id}/calendar.ics`)).text();
    expect(ics).to.include("STATUS:CANCELLED");
  });

  it("lists the signed-in user's own hearings across cases (GET /api/hearings)", async () => {
    const a = await json(await api(lawyerA, "GET", "/api/hearings"), 200);
    expect(a.hearings.every((h: any) => [c.id, c2.id].includes(h.case.id))).to.equal(true);
    expect(a.hearings.map((h: any) => h.id)).to.include(hearing.id);
    const o = await json(await api(outsider, "GET", "/api/hearings"), 200);
    expect(o.hearings).to.deep.equal([]);
    const j3 = await json(await api(otherCourtJudge, "GET", "/api/hearings"), 200);
    expect(j3.hearings.map((h: any) => h.case.id)).to.deep.equal([c3.id]);
  });

  it("walks the access table: each route for judge, party, outsider (a lawyer, a clerk, another judge, the administrator)", async () => {
    const subject = await json(await api(judge, "POST", base(), { kind: "trial", startsAt: at(30, 9), endsAt: at(30, 10), room: "第九法庭" }), 201);
    const who: Record<string, string[]> = { judge: [judge.token], party: [lawyerA.token], outsider: [outsider.token, clerk.token, judge2.token, tp.adminToken] };
    for (const spec of HEARING_ROUTES) {
      const route = `${spec.base}${spec.path}`.replace(":id", c.id).replace(":hid", subject.id).replace(":slotId", "00000000-0000-4000-8000-000000000000");
      for (const [relation, tokens] of Object.entries(who)) {
        const expected: string = HEARING_MATRIX[spec.action][relation as "judge"];
        for (const token of tokens) {
          const res = await tp.api(spec.method.toUpperCase(), route, { token, json: spec.method === "post" ? {} : undefined });
          const label = `${spec.method} ${spec.path} as ${relation}`;
          if (expected === "hidden") expect(res.status, label).to.equal(404);
          else if (expected === "forbidden") expect(res.status, label).to.equal(403);
          else expect(res.status, label).to.not.be.oneOf([401, 403]);
          if (expected !== "allow") expect((await res.json()).error.code, label).to.be.oneOf(["not_found", "forbidden"]);
        }
      }
      const anonymous = await tp.api(spec.method.toUpperCase(), route);
      expect(anonymous.status, `${spec.path} anonymous`).to.equal(401);
    }
  });

  it("a closed case refuses every change (409 case_closed) and still shows its hearings", async () => {
    await json(await api(judge2, "POST", `/api/cases/${c2.id}/close`), 200);
    await refused(await api(judge2, "POST", base(c2.id), { kind: "trial", startsAt: at(40, 9), endsAt: at(40, 10), room: "第一法庭" }), 409, "case_closed");
    const list = await json(await api(lawyerA, "GET", base(c2.id)), 200);
    expect(list.hearings.length).to.be.greaterThan(0);
  });
});
