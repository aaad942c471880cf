// POST /api/verify/pdf judges revocation from the platform's own current CRL and ARL (read from
// the identity service): a PDF signed with a holder's platform certificate, verified before and
// after the admin revokes it (keyCompromise, after the signature timestamp: stands, shown), and
// one signed after the revocation (invalid). Public route: no token; bad input is a 4xx.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { signPdf } from "../../server/pdf/pades";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { createNamedUser, expectJson, sleep } from "../helpers/openssl";
import { contractPdf } from "../pdf/helpers";

describe("POST /api/verify/pdf: revocation from the platform's CRL and ARL", function () {
  this.timeout(180_000);
  let tp: TestPlatform;
  let userId: string;
  let certId: string;

  before(async () => {
    tp = await startTestPlatform({});
    const user = await createNamedUser(tp, "赵六 Zhao Liu");
    userId = user.id;
    certId = (await expectJson(await tp.api("POST", "/api/certificates", { token: tp.adminToken, json: { userId } }), 201)).id;
  });
  after(async () => tp.stop());

  // the holder's certificate and key, kept: after revocation the platform would issue a new one
  let signer: Awaited<ReturnType<TestPlatform["platform"]["identity"]["signerForUser"]>>;
  async function signedByHolder(): Promise<Buffer> {
    signer ??= (await tp.platform.identity.signerForUser(userId))!;
    expect(signer.certId).to.equal(certId);
    return signPdf(await contractPdf(), signer!, {
      fieldName: "Holder",
      timestamp: (sig) => tp.platform.identity.timestamp(createHash("sha256").update(sig).digest()),
    });
  }
  const verify = async (pdf: Buffer) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(pdf)]), "x.pdf");
    return expectJson(await tp.api("POST", "/api/verify/pdf", { body: form }), 200);
  };

  let signedEarlier: Buffer;
  it("not revoked: every certificate good from the platform's CRL/ARL, allValid", async () => {
    signedEarlier = await signedByHolder();
    const r = await verify(signedEarlier);
    expect(r.revocationData).to.deep.include({ dssCrls: 0, outsideCrls: 2 });
    expect(r.signatures[0].revocation.map((v: any) => [v.role, v.status, v.source])).to.deep.equal([
      ["signer", "good", "platform"],
      ["ca", "good", "platform"],
      ["tsa", "good", "platform"],
      ["tsa-ca", "good", "platform"],
    ]);
    expect(r.allValid, JSON.stringify(r.findings)).to.equal(true);
  });

  it("revoked (keyCompromise) after the timestamp: the signature stands, the revocation shown with its code", async () => {
    await sleep(1000 - (Date.now() % 1000) + 20); // the CRL's revocation date has whole seconds
    await expectJson(await tp.api("POST", `/api/certificates/${certId}/revoke`, { token: tp.adminToken, json: { reason: "keyCompromise" } }), 200);
    const r = await verify(signedEarlier);
    const signer = r.signatures[0].revocation.find((v: any) => v.role === "signer");
    expect(signer).to.include({ status: "revoked", reason: "keyCompromise", code: "revoked_after_timestamp", blocking: false });
    expect(r.findings.map((f: any) => [f.code, f.severity])).to.deep.include(["revoked_after_timestamp", "warning"]);
    expect(r.allValid).to.equal(true);
  });

  it("signed with the key after its revocation: revoked_before_signing, not valid", async () => {
    await sleep(1100);
    const after = await signedByHolder();
    const r = await verify(after);
    expect(r.findings.map((f: any) => f.code)).to.include("revoked_before_signing");
    expect(r.signatures[0].valid).to.equal(false);
    expect(r.allValid).to.equal(false);
  });

  it("bad input: no file 4xx, not a PDF 415, a damaged PDF 422 (never 500)", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(Buffer.from("hello"))]), "x.pdf");
    expect((await tp.api("POST", "/api/verify/pdf", { body: form })).status).to.equal(415);
    const broken = new FormData();
    broken.append("file", new Blob([new Uint8Array(Buffer.from("%PDF-1.7\nnothing else"))]), "x.pdf");
    expect((await tp.api("POST", "/api/verify/pdf", { body: broken })).status).to.equal(422);
    expect((await tp.api("POST", "/api/verify/pdf", { json: {} })).status).to.equal(415);
  });
});
