// The hearing calendar file checked against RFC 5545 by a small independent reader written here
// (unfold continuation lines, split NAME:VALUE, unescape TEXT), not by the code that writes it.
import { expect } from "chai";
import { renderIcs } from "../../server/hearings/ics";

function readIcs(raw: string): Array<[string, string]> {
  const physical = raw.split("\r\n");
  expect(physical.pop()).to.equal(""); // the file ends with CRLF
  for (const l of physical) {
    expect(l).to.not.include("\n");
    expect(Buffer.byteLength(l, "utf8")).to.be.at.most(75);
  }
  const logical: string[] = [];
  for (const l of physical) {
    if (l.startsWith(" ")) logical[logical.length - 1] += l.slice(1);
    else logical.push(l);
  }
  return logical.map((l) => {
    const i = l.indexOf(":");
    const value = l.slice(i + 1).replace(/\\n/g, "\n").replace(/\\([,;\\])/g, "$1");
    return [l.slice(0, i), value];
  });
}

describe("hearing calendar file (.ics)", () => {
  it("writes one VEVENT in UTC with CRLF lines folded at 75 octets", () => {
    const summary = "开庭（庭审）：（2026）京0105民初1234号 某某科技有限公司诉某某贸易有限公司买卖合同纠纷, 第一次";
    const raw = renderIcs({
      uid: "hearing-abc@court.example",
      stamp: new Date("2026-12-01T08:00:00.123Z"),
      startsAt: new Date("2026-12-20T01:30:00Z"),
      endsAt: new Date("2026-12-20T03:00:00Z"),
      summary,
      location: "第三法庭; Room 3",
    });
    const props = readIcs(raw);
    const get = (n: string) => props.filter(([k]) => k === n).map(([, v]) => v);
    expect(props[0]).to.deep.equal(["BEGIN", "VCALENDAR"]);
    expect(get("BEGIN")).to.deep.equal(["VCALENDAR", "VEVENT"]);
    expect(get("UID")).to.deep.equal(["hearing-abc@court.example"]);
    expect(get("DTSTAMP")).to.deep.equal(["20261201T080000Z"]);
    expect(get("DTSTART")).to.deep.equal(["20261220T013000Z"]);
    expect(get("DTEND")).to.deep.equal(["20261220T030000Z"]);
    expect(get("SUMMARY")).to.deep.equal([summary]);
    expect(get("LOCATION")).to.deep.equal(["第三法庭; Room 3"]);
    // the long Chinese summary really was folded, and no character was split across lines
    expect(raw.split("\r\n").filter((l) => l.startsWith(" ")).length).to.be.greaterThan(0);
    expect(raw).to.not.include("\uFFFD");
  });
});
