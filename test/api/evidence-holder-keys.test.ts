// HOLDER_KEY_ALGORITHM through the API: a platform making RSA holder keys, then the same data
// (folder and database) under the default, ECDSA P-256. A user whose key was made as RSA keeps
// signing with it, a new user signs with P-256, and every upload's signature, old and new, is
// accepted by openssl cms -verify and by `npm run verify` with its proof bundle.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseSignedData } from "../../server/pki/cms";
import { parseCertificate } from "../../server/pki/certificate-parse";
import { OID } from "../../server/pki/oid";
import { runVerify } from "../helpers/cli";
import { createPostgresDatabase, testDbKind } from "../helpers/database";
import { expectJson, fetchPki, OpensslDir } from "../helpers/openssl";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

interface Upload {
  name: string;
  content: Buffer;
  bundle: any;
}

describe("evidence: holder keys ECDSA P-256 by default, RSA selectable, both verifying (API)", function () {
  this.timeout(180_000);
  const ossl = new OpensslDir("holder-keys-");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-test-"));
  let database: { url?: string; drop: () => Promise<void> } = { drop: async () => undefined };
  let tp: TestPlatform | null = null;
  const uploads: Upload[] = [];
  let rsaUser: { id: string; email: string; token: string };

  const start = (env: Record<string, string>) => startTestPlatform(env, { dataDir, databaseUrl: database.url });

  async function upload(t: TestPlatform, token: string, name: string): Promise<Upload> {
    const content = Buffer.from(`${name}: ${randomBytes(32).toString("hex")}\n`);
    const item = await expectJson(await t.upload(token, content), 201);
    const u = { name, content, bundle: await t.waitAnchored(token, item.id) };
    uploads.push(u);
    return u;
  }

  /** The signer certificate's key type and the SignerInfo's signatureAlgorithm of an upload. */
  function signatureOf(u: Upload): { keyType: string | undefined; curve: string | undefined; bits: number | undefined; algorithm: string } {
    const sd = parseSignedData(Buffer.from(u.bundle.signature.cms, "base64"));
    const signer = parseCertificate(sd.certificates[0]);
    const details = signer.publicKey.asymmetricKeyDetails;
    return { keyType: signer.publicKey.asymmetricKeyType, curve: details?.namedCurve, bits: details?.modulusLength, algorithm: sd.signerInfos[0].signatureAlgorithm };
  }

  before(async () => {
    if (testDbKind() === "postgresql") {
      const pg = await createPostgresDatabase();
      database = { url: pg.url, drop: pg.drop };
    }
  });
  after(async () => {
    await tp?.stop();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    ossl.remove();
  });

  it("HOLDER_KEY_ALGORITHM=rsa: a new user's uploads are signed with RSA-3072 (sha256WithRSAEncryption)", async () => {
    tp = await start({ HOLDER_KEY_ALGORITHM: "rsa", BATCH_MAX_AGE_MS: "100" });
    rsaUser = await tp.createUser("lawyer");
    const u = await upload(tp, rsaUser.token, "rsa-before");
    expect(signatureOf(u)).to.deep.equal({ keyType: "rsa", curve: undefined, bits: 3072, algorithm: OID.sha256WithRSAEncryption });
    await tp.stop();
    tp = null;
  });

  it("restarted on the default: that user still signs with the RSA key; a new user gets a P-256 key and ecdsa-with-SHA256", async () => {
    tp = await start({ BATCH_MAX_AGE_MS: "100" });
    expect(tp.config.HOLDER_KEY_ALGORITHM).to.equal("ec-p256");
    const token = await tp.login(rsaUser.email, "user-password-1");
    const again = await upload(tp, token, "rsa-after");
    expect(signatureOf(again)).to.include({ keyType: "rsa", algorithm: OID.sha256WithRSAEncryption });
    const ecUser = await tp.createUser("lawyer");
    const ec = await upload(tp, ecUser.token, "ec");
    expect(signatureOf(ec)).to.deep.equal({ keyType: "ec", curve: "prime256v1", bits: undefined, algorithm: OID.ecdsaWithSha256 });
    // The certificate listing reads EC certificates like RSA ones.
    const { certificates } = await expectJson(await tp.api("GET", "/api/certificates", { token: ecUser.token }), 200);
    expect(certificates).to.have.length(1);
    expect(certificates[0].keyHeldBy).to.equal("platform");
    expect(certificates[0].certPem).to.contain("BEGIN CERTIFICATE");
  });

  it("openssl cms -verify accepts every upload's signature (RSA and EC) with the platform root; another file fails", async () => {
    await fetchPki(tp!, ossl);
    for (const u of uploads) {
      ossl.write(`${u.name}.bin`, u.content);
      ossl.write(`${u.name}.p7s`, Buffer.from(u.bundle.signature.cms, "base64"));
      const base = ["cms", "-verify", "-binary", "-inform", "DER", "-in", `${u.name}.p7s`, "-CAfile", "root.pem", "-out", "/dev/null"];
      const ok = ossl.run(...base, "-content", `${u.name}.bin`);
      expect(ok.status, `${u.name}: ${ok.output}`).to.equal(0);
      expect(ok.output).to.contain("Verification successful");
      const other = uploads.find((o) => o !== u)!;
      expect(ossl.run(...base, "-content", `${other.name}.bin`).status, u.name).to.not.equal(0);
    }
  });

  it("npm run verify accepts each file with its bundle (the signature among the checks), RSA and EC alike", async () => {
    for (const u of uploads) {
      const file = ossl.write(`${u.name}.file`, u.content);
      const bundle = ossl.write(`${u.name}.json`, JSON.stringify(u.bundle));
      const r = await runVerify([file, bundle]);
      expect(r.code, `${u.name}: ${r.out}`).to.equal(0);
      expect(r.out.toLowerCase()).to.contain("signature");
    }
  });
});
