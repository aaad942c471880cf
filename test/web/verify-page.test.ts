// The public verification page (server/web/public/): its browser modules checked in Node against
// the server's own code, then the page itself driven in Chromium against a running platform.
import { expect } from "chai";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { id as keccakId } from "ethers";
import type { Page } from "playwright-core";
import { canonicalize } from "../../server/core/jcs";
import { verifyBundleOffline, type ProofBundle } from "../../server/core/proof-bundle";
import { consistencyProof, verifyConsistency } from "../../server/core/consistency";
import { leafHash, rootFromLeafHashes } from "../../server/core/merkle";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";
import { SHOTS, haveChromium, launchBrowser, type TestBrowser } from "../helpers/browser";

const PUBLIC = path.join(__dirname, "../../server/web/public");

// TypeScript compiles import() to require() under "module": "commonjs"; the page's modules are
// ES modules, so the real dynamic import is reached through Function.
const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<any>;
const load = (name: string) => importEsm(pathToFileURL(path.join(PUBLIC, name)).href);

const sha = (b: Uint8Array | string) => "0x" + createHash("sha256").update(b).digest("hex");
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const flip = (h: string) => h.slice(0, -1) + (h.endsWith("0") ? "1" : "0");

describe("public verification page", function () {
  this.timeout(60_000);
  let sha256mod: any;
  let jcs: any;
  let vb: any;
  let hf: any;
  let i18n: any;
  let pr: any;
  let vl: any;
  /** The in-browser steps of a version 2 bundle: the offline ones, the log's, then the chain's. */
  const allSteps = (): string[] => [...vb.STEPS.slice(0, 4), ...vl.LOG_STEPS, ...vb.STEPS.slice(4)];

  before(async () => {
    [sha256mod, jcs, vb, hf, i18n, pr, vl] = await Promise.all(
      ["sha256.mjs", "jcs.mjs", "verify-bundle.mjs", "hash-file.mjs", "i18n.mjs", "pdf-report.mjs", "verify-log.mjs"].map(load),
    );
  });

  describe("browser modules, in Node", () => {
    it("sha256.mjs equals node:crypto on lengths around block boundaries, in any split", () => {
      const data = randomBytes(1000);
      for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
        const part = data.subarray(0, n);
        expect(sha256mod.toHex(sha256mod.sha256(part)), `length ${n}`).to.equal(sha(part));
        // Fed in uneven pieces, including empty ones.
        const h = new sha256mod.Sha256();
        for (let i = 0; i < n; ) {
          const step = (i * 7 + 1) % 70;
          h.update(part.subarray(i, i + step));
          i += step;
        }
        expect(sha256mod.toHex(h.digest()), `length ${n}, split`).to.equal(sha(part));
      }
      expect(sha256mod.toHex(sha256mod.sha256(new TextEncoder().encode("abc")))).to.equal(
        "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // FIPS 180-2 example
      );
      expect(sha256mod.toHex(sha256mod.sha256(new ArrayBuffer(0)))).to.equal(sha(""));
    });

    it("sha256.mjs on random data (fast-check) and on a few MiB", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(700), { maxLength: 6 }), (bytes, cuts) => {
          const h = new sha256mod.Sha256();
          let at = 0;
          for (const c of [...cuts].sort((a, b) => a - b)) {
            h.update(bytes.subarray(at, Math.max(at, c)));
            at = Math.max(at, c);
          }
          h.update(bytes.subarray(at));
          return sha256mod.toHex(h.digest()) === sha(bytes);
        }),
        { numRuns: 300 },
      );
      const big = randomBytes(5 * 1024 * 1024 + 17);
      expect(sha256mod.toHex(sha256mod.sha256(big))).to.equal(sha(big));
    });

    it("hashFile: WebCrypto below the limit, JavaScript above it, same digest, progress to the end", async () => {
      const bytes = randomBytes(9 * 1024 * 1024 + 5);
      const blob = new Blob([bytes]);
      for (const subtleLimit of [Infinity, 0]) {
        const seen: number[] = [];
        const digest = await hf.hashFile(blob, { subtleLimit, onProgress: (done: number) => seen.push(done) });
        expect(digest).to.equal(sha(bytes));
        expect(seen[seen.length - 1]).to.equal(bytes.length);
        expect(seen.length).to.equal(1 + Math.ceil(bytes.length / hf.CHUNK_BYTES));
      }
      expect(await hf.hashFile(new Blob([]))).to.equal(sha(""));
      expect(await hf.hashFile(blob, { isCancelled: () => true })).to.equal(null);
    });

    it("hashFile of a file above 64 MiB (the JavaScript path)", async function () {
      const bytes = randomBytes(hf.SUBTLE_LIMIT + 1);
      expect(await hf.hashFile(new Blob([bytes]))).to.equal(sha(bytes));
    });

    it("verify-log.mjs: a consistency proof between any two sizes verifies as server/core's does, a changed one fails both", () => {
      const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const roots = [Buffer.alloc(0), ...leaves.map((_, i) => rootFromLeafHashes(leaves.slice(0, i + 1)))];
      for (let m = 1; m <= leaves.length; m++) {
        for (let n = m; n <= leaves.length; n++) {
          const proof = consistencyProof(leaves, m, n);
          expect(vl.verifyConsistency(m, n, roots[m], roots[n], proof), `${m} -> ${n}`).to.equal(true);
          if (proof.length) {
            const bad = proof.map((p, i) => (i === proof.length - 1 ? Buffer.from(p.map((x) => x ^ 1)) : p));
            expect(vl.verifyConsistency(m, n, roots[m], roots[n], bad), `${m} -> ${n} altered`).to.equal(false);
            expect(verifyConsistency(m, n, roots[m], roots[n], bad), `${m} -> ${n} altered (server)`).to.equal(false);
          }
          if (n > m) expect(vl.verifyConsistency(m, n, roots[m], roots[n - 1], proof), `${m} -> ${n} other root`).to.equal(false);
        }
      }
    });

    it("jcs.mjs equals server/core/jcs.ts", () => {
      const samples: unknown[] = [
        { b: 1, a: [true, false, null], "": "empty" },
        JSON.parse(String.raw`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`),
        { "\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\ud83d\ude00": 5, "\u0080": 6, "\u00f6": 7 },
        { type: "evidence", id: "x", sha256: "0x" + "ab".repeat(32), size: 12, submitter: { id: "u", email: "a@b.c" }, acceptedAt: "2026-01-01T00:00:00.000Z", title: "合同 \u2028" },
        [1e21, 1e-7, -0, 5e-324, 0.1, 9007199254740992],
        { a: undefined, b: 2 },
      ];
      for (const v of samples) expect(jcs.canonicalize(v)).to.equal(canonicalize(v));
      fc.assert(fc.property(fc.jsonValue(), (v) => jcs.canonicalize(v) === canonicalize(v)), { numRuns: 300 });
      for (const bad of [NaN, Infinity, "\ud800", { ["\udfff"]: 1 }, [undefined], new Date(0), 1n]) {
        expect(() => jcs.canonicalize(bad)).to.throw(TypeError);
        expect(() => canonicalize(bad)).to.throw(TypeError);
      }
    });

    it("the hard-coded event topic and selector are keccak256 of their signatures (ethers)", () => {
      expect(vb.ANCHORED_TOPIC).to.equal(keccakId("Anchored(bytes32,uint256,address)"));
      expect(vb.ANCHORED_AT_SELECTOR).to.equal(keccakId("anchoredAt(bytes32)").slice(0, 10));
    });

    it("every text exists in both languages, and every data-i18n key of the page is known", () => {
      const { zh, en } = i18n.MESSAGES;
      expect(Object.keys(zh).sort()).to.deep.equal(Object.keys(en).sort());
      const html = fs.readFileSync(path.join(PUBLIC, "index.html"), "utf8");
      const keys = [...html.matchAll(/data-i18n(?:-aria-label)?="([^"]+)"/g)].map((m) => m[1]);
      expect(keys.length).to.be.greaterThan(10);
      for (const k of keys) expect(zh, k).to.have.property(k);
      for (const step of [...vb.STEPS, ...vl.LOG_STEPS]) {
        for (const prefix of ["step.", "fail."]) expect(zh, prefix + step).to.have.property(prefix + step);
      }
    });

    it("pdf-report.mjs: what is a PDF, the report's verdict, each error's text", () => {
      const head = (s: string) => new TextEncoder().encode(s);
      expect(pr.isPdfHead(head("%PDF-1.7\n"))).to.equal(true);
      expect(pr.isPdfHead(head(" ".repeat(1019) + "%PDF-"))).to.equal(true); // within the first 1024 bytes
      expect(pr.isPdfHead(head(" ".repeat(1020) + "%PDF-"))).to.equal(false);
      expect(pr.isPdfHead(head("%PDF"))).to.equal(false);
      expect(pr.isPdfHead(head("plain text"))).to.equal(false);

      const sig = (over: object = {}) => ({ valid: true, coversWholeDocument: true, changedAfter: false, revision: { size: 100, sha256: "0x" }, ...over });
      expect(pr.pdfVerdict({ signatures: [], allValid: false, lastCoversWholeDocument: false }).kind).to.equal("unsigned");
      expect(pr.pdfVerdict({ signatures: [sig()], allValid: true, lastCoversWholeDocument: true }).kind).to.equal("valid");
      expect(pr.pdfVerdict({ signatures: [sig({ valid: false }), sig()], allValid: false, lastCoversWholeDocument: true })).to.deep.include({ kind: "invalid", failing: 1, count: 2, changedAfterLast: false });
      expect(pr.pdfVerdict({ signatures: [sig({ coversWholeDocument: false, changedAfter: true })], allValid: false, lastCoversWholeDocument: false })).to.deep.include({ kind: "invalid", failing: 0, changedAfterLast: true });
      // An earlier signature followed by later revisions is a note; the last one changed after is a failure.
      const later = sig({ coversWholeDocument: false, changedAfter: true });
      expect(pr.coverageOf(later, false, 130)).to.deep.equal({ state: "note", key: "pdf.coverage.laterRevisions", params: { added: 30 } });
      expect(pr.coverageOf(later, true, 130)).to.deep.equal({ state: "fail", key: "pdf.coverage.changedBytes", params: { added: 30 } });
      expect(pr.coverageOf(sig(), true, 100).state).to.equal("pass");
      // changes after the last signature that the verdict allows (a DSS) are a note, named by the changes check
      const dss = { docMdpPermission: null, allowed: true, findings: [{ code: "changed_dss_added", allowed: true, objects: ["20 0 R (/DSS)"] }] };
      expect(pr.coverageOf(sig({ coversWholeDocument: false, changedAfter: true, changes: dss }), true, 130).state).to.equal("note");
      expect(pr.changesOf(sig({ changes: dss }))).to.deep.include({ state: "note", key: "pdf.changes.allowed" });
      const page = { docMdpPermission: null, allowed: false, findings: [{ code: "changed_page_content", allowed: false, objects: ["5 0 R (/Page) /Contents"] }] };
      expect(pr.changesOf(sig({ changes: page })).state).to.equal("fail");
      expect(pr.changesOf(sig({ changes: { docMdpPermission: null, allowed: true, findings: [] } })).state).to.equal("pass");
      // revocation: good passes; revoked after the timestamp is a note (stands); unknown or revoked before fails
      const rev = (over: object) => ({ role: "signer", subject: "CN=x", serialHex: "01", status: "good", revokedAt: null, reason: null, source: "platform", code: "revocation_good", blocking: false, detail: "", ...over });
      expect(pr.revocationOf(sig({ revocation: [rev({})] })).state).to.equal("pass");
      expect(pr.revocationOf(sig({ revocation: [rev({ status: "revoked", code: "revoked_after_timestamp" })] })).state).to.equal("note");
      expect(pr.revocationOf(sig({ revocation: [rev({ status: "unknown", code: "revocation_unknown", blocking: true })] })).state).to.equal("fail");
      expect(pr.revocationOf(sig({ revocation: [] })).state).to.equal("fail");
      // every code the server can give has its text in both languages
      const codes = ["revoked_after_timestamp", "revoked_before_signing", "revoked_no_timestamp", "tsa_revoked", "revocation_unknown"].map((c) => `pdf.revocation.${c}`)
        .concat(["changed_dss_added", "changed_doc_timestamp_added", "changed_form_filled", "changed_signature_added", "changed_annotation_added", "changed_page_content", "changed_resources", "changed_structure"].map((c) => `pdf.changes.${c}`));
      for (const k of codes) for (const l of ["zh", "en"]) expect(i18n.MESSAGES[l], `${l} ${k}`).to.have.property(k);

      const cases: [number, string, string][] = [
        [0, "network", "pdf.error.network"],
        [413, "file_too_large", "pdf.error.tooLarge"],
        [413, "http_413", "pdf.error.tooLarge"],
        [429, "rate_limited", "pdf.error.rateLimited"],
        [415, "not_a_pdf", "pdf.error.notPdf"],
        [422, "pdf_encrypted", "pdf.error.encrypted"],
        [422, "pdf_damaged", "pdf.error.damaged"],
        [400, "empty_file", "pdf.error.empty"],
        [500, "internal", "pdf.error.other"],
      ];
      for (const [status, code, key] of cases) {
        expect(pr.errorKey({ status, code }), code).to.equal(key);
        expect(i18n.MESSAGES.zh, key).to.have.property(key);
        expect(i18n.MESSAGES.en, key).to.have.property(key);
      }
    });
  });

  describe("in Chromium", () => {
    let tp: TestPlatform;
    let browser: TestBrowser;
    let page: Page;
    const content = Buffer.from("Signed contract, page 1 of 1\n签署的合同\n");
    let bundle: ProofBundle;
    let evidenceId: string;

    before(async function () {
      if (!haveChromium()) this.skip();
      // A batch closes at 3 items: the evidence and two neighbours share one (with the audit log's head
      // as a fourth leaf), so its audit path has length.
      tp = await startTestPlatform({ BATCH_MAX_ITEMS: "3", BATCH_MAX_AGE_MS: "10000" });
      const { id } = (await (await tp.upload(tp.adminToken, content, { title: "合同" })).json()) as { id: string };
      evidenceId = id;
      await tp.upload(tp.adminToken, "a neighbour");
      await tp.upload(tp.adminToken, "another neighbour");
      bundle = await tp.waitAnchored(tp.adminToken, id);
      expect(bundle.version, "a bundle of the one log").to.equal(2);
      expect(bundle.merkle.treeSize).to.equal(4);
      browser = await launchBrowser("verify-page", {
        viewport: { width: 1100, height: 900 },
        timezoneId: "Asia/Shanghai", // local time and UTC differ, as for the page's users
      });
      page = browser.context.pages()[0] ?? (await browser.context.newPage());
      page.on("pageerror", (e) => console.error("page error:", e));
    });

    after(async () => {
      await browser?.close();
      await tp?.stop();
    });

    const open = async () => {
      await page.goto(tp.url + "/");
      await page.waitForSelector("body[data-ready]");
    };
    const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `verify-page-${name}.png`), fullPage: true });
    const chooseFile = async (bytes: Buffer, name = "contract.txt") => {
      await page.evaluate(() => document.getElementById("verdict")!.removeAttribute("data-verdict"));
      await page.setInputFiles("#file", { name, mimeType: "application/octet-stream", buffer: bytes });
      return page.waitForSelector("#verdict[data-verdict]");
    };

    it("serves the page without login, in Chinese by default, every input labelled", async () => {
      // The page may fetch from a JSON-RPC endpoint its user chooses; the API keeps the strict policy.
      const pageCsp = (await tp.api("GET", "/")).headers.get("content-security-policy") ?? "";
      expect(pageCsp).to.match(/connect-src 'self' https: http:/).and.to.contain("script-src 'self'");
      const apiCsp = (await tp.api("GET", "/api/health")).headers.get("content-security-policy") ?? "";
      expect(apiCsp).to.not.contain("https:");
      await open();
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
      expect(await page.textContent("h1")).to.equal("核验电子证据");
      for (const input of await page.$$("input")) {
        const inputId = await input.getAttribute("id");
        expect(await page.$(`label[for="${inputId}"]`), `label for #${inputId}`).to.not.equal(null);
      }
      expect(await page.getAttribute("#verdict", "aria-live")).to.equal("polite");
      // Keyboard: the file input is reachable by Tab and shows a focus ring on its drop zone.
      await page.focus(".lang-button[data-lang=en]");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal("file");
      const outline = await page.$eval(".dropzone-label", (n) => getComputedStyle(n).outlineStyle);
      expect(outline).to.equal("solid");
      await shot("start");
    });

    it("an anchored file: the verdict, when, where, the checks, and the proof bundle download", async () => {
      await open();
      const requests: string[] = [];
      const onRequest = (r: { method(): string; url(): string; postData(): string | null }) => {
        if (r.method() === "POST") requests.push(`${r.url()} ${r.postData()}`);
      };
      page.on("request", onRequest);
      const verdict = await chooseFile(content);
      page.off("request", onRequest);
      expect(await verdict.getAttribute("data-verdict")).to.equal("anchored");
      expect(await verdict.textContent()).to.contain("已存证");
      // Only the digest left the browser.
      expect(requests).to.deep.equal([`${tp.url}/api/verify {"sha256":"${sha(content)}"}`]);
      const details = (await page.textContent("#details"))!;
      for (const value of [
        bundle.anchor.txHash,
        bundle.merkle.root,
        bundle.anchor.registry,
        String(bundle.anchor.blockNumber),
        String(bundle.anchor.chainId),
        sha(content),
        new Date(bundle.anchor.blockTimestamp * 1000).toISOString().slice(0, 19).replace("T", " ") + " UTC",
        "Asia/Shanghai", // the local time's zone is named
      ]) {
        expect(details).to.contain(value);
      }
      const checkResults = await page.$$eval("#details .check", (ns) => ns.map((n) => `${n.getAttribute("data-step")}:${n.getAttribute("data-result")}`));
      // The server's checks, as it returned them: every step, each passing.
      const serverSteps = ["bundle-format", "file-digest", "record-leaf", "audit-path", "checkpoint-signature", "log-inclusion", "log-consistency", "signature", "timestamp", "certificate-status", "chain-id", "transaction", "root-on-chain", "checkpoint-on-chain"];
      expect(checkResults).to.deep.equal(serverSteps.map((s) => `${s}:pass`));
      // each step named in words, the log's steps too, not shown as its text key
      const names = await page.$$eval("#details .check .step-name", (ns) => ns.map((n) => n.textContent ?? ""));
      expect(names.filter((n) => n.startsWith("step.")), names.join(" | ")).to.deep.equal([]);
      await shot("anchored");

      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#details button")]);
      const saved = path.join(os.tmpdir(), `verify-page-bundle-${process.pid}.json`);
      await download.saveAs(saved);
      expect(JSON.parse(fs.readFileSync(saved, "utf8"))).to.deep.equal(bundle);
      fs.rmSync(saved);
    });

    it("a link with ?sha256= (the QR code on a certificate) looks that digest up at once", async () => {
      await page.goto(`${tp.url}/?sha256=${sha(content)}`);
      const verdict = await page.waitForSelector("#verdict[data-verdict]");
      expect(await verdict.getAttribute("data-verdict")).to.equal("anchored");
      expect(await page.textContent("#details")).to.contain(bundle.anchor.txHash);
      await page.goto(tp.url + "/");
      await page.waitForSelector("body[data-ready]");
    });

    it("a file with one byte changed is not found", async () => {
      await open();
      const changed = Buffer.from(content);
      changed[3] ^= 0x01;
      const verdict = await chooseFile(changed);
      expect(await verdict.getAttribute("data-verdict")).to.equal("not-found");
      expect(await verdict.textContent()).to.contain("未找到");
      expect(await page.textContent("#details")).to.contain(sha(changed));
      await shot("not-found");
    });

    it("items still waiting to be anchored are pending; a proof that fails is named as such", async () => {
      await open();
      const bytes = Buffer.from("not anchored yet");
      let reply: unknown;
      await page.route("**/api/verify", (route) => route.fulfill({ json: reply }));
      try {
        reply = {
          sha256: sha(bytes),
          anchored: false,
          matches: [{ evidenceId: "ev-1", status: "sent", verified: false, anchoredAt: null, checks: [], bundle: null }],
        };
        let verdict = await chooseFile(bytes);
        expect(await verdict.getAttribute("data-verdict")).to.equal("pending");
        expect(await verdict.textContent()).to.contain("尚未上链");
        expect(await verdict.textContent()).to.contain("交易已发送");
        await shot("pending");

        const checks = [
          { name: "bundle-format", ok: true, detail: "well-formed" },
          { name: "root-on-chain", ok: false, detail: "registry has no anchor for root" },
        ];
        reply = {
          sha256: sha(bytes),
          anchored: false,
          matches: [{ evidenceId: "ev-2", status: "anchored", verified: false, anchoredAt: null, checks, bundle }],
        };
        verdict = await chooseFile(bytes);
        expect(await verdict.getAttribute("data-verdict")).to.equal("failed");
        expect(await verdict.textContent()).to.contain("核验未通过");
        expect(await page.$$eval("#details .check", (ns) => ns.map((n) => n.getAttribute("data-result")))).to.deep.equal(["pass", "fail"]);
        // A failing proof's claimed time and transaction are not presented as facts.
        expect(await page.textContent("#details")).to.not.contain(bundle.anchor.txHash);
      } finally {
        await page.unroute("**/api/verify");
      }
    });

    it("switches to English and back; the choice is remembered", async () => {
      await open();
      await chooseFile(content);
      expect(await page.textContent("label[for=local-file]")).to.equal("文件");
      await page.click(".lang-button[data-lang=en]");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      expect(await page.textContent("label[for=local-file]")).to.equal("File");
      expect(await page.textContent("h1")).to.equal("Verify electronic evidence");
      expect(await page.title()).to.equal("Evidence verification");
      expect(await page.getAttribute(".lang-button[data-lang=en]", "aria-pressed")).to.equal("true");
      // The verdict already shown is re-rendered in the new language.
      expect(await page.textContent("#verdict")).to.contain("Anchored");
      expect(await page.textContent("#details")).to.contain("Transaction hash");
      await shot("anchored-en");
      await page.reload();
      await page.waitForSelector("body[data-ready]");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      expect(await page.textContent("label[for=local-bundle]")).to.equal("Proof bundle (JSON file)");
      await page.click(".lang-button[data-lang=zh]");
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
      expect(await page.textContent("label[for=local-bundle]")).to.equal("证明包（JSON 文件）");
    });

    const checkInBrowser = async (b: unknown, file: Buffer = content) => {
      await page.evaluate(() => document.getElementById("local-verdict")!.removeAttribute("data-verdict"));
      await page.setInputFiles("#local-file", { name: "contract.txt", mimeType: "text/plain", buffer: file });
      await page.setInputFiles("#local-bundle", { name: "bundle.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(b)) });
      await page.click("#local-submit");
      const verdict = await page.waitForSelector("#local-verdict[data-verdict]:not([data-verdict=busy])");
      const steps = await page.$$eval("#local-details .check", (ns) => ns.map((n) => `${n.getAttribute("data-step")}:${n.getAttribute("data-result")}`));
      return { verdict: await verdict.getAttribute("data-verdict"), failedStep: await verdict.getAttribute("data-failed-step"), text: (await verdict.textContent())!, steps };
    };

    it("the in-browser check passes every step, against this server's /rpc", async () => {
      await open();
      expect(await page.inputValue("#rpc-url")).to.equal(`${tp.url}/rpc`);
      await page.click(".lang-button[data-lang=en]");
      const r = await checkInBrowser(bundle);
      expect(r.verdict, r.text).to.equal("verified");
      expect(r.text).to.contain(`VERIFIED: anchored on chain ${bundle.anchor.chainId}`);
      expect(r.steps).to.deep.equal(allSteps().map((s: string) => `${s}:pass`));
      await shot("local-verified");
      await page.click(".lang-button[data-lang=zh]");
    });

    it("the in-browser check names the failing step of a tampered bundle or a wrong file", async () => {
      await open();
      const tampered = (change: (b: any) => void) => {
        const copy: any = clone(bundle);
        change(copy);
        return copy;
      };
      const other = Buffer.concat([content, Buffer.from("!")]);
      const cases: [string, unknown, Buffer, string, string][] = [
        ["record altered", tampered((b) => (b.record.acceptedAt = "2020-01-01T00:00:00.000Z")), content, "record-leaf", "记录被篡改"],
        ["wrong file", bundle, other, "file-digest", "文件不符"],
        ["path altered", tampered((b) => (b.merkle.auditPath[0] = flip(b.merkle.auditPath[0]))), content, "audit-path", "审计路径被篡改"],
        ["malformed", tampered((b) => delete b.merkle), content, "bundle-format", "证明包格式错误"],
        // the log's steps, in the browser too: a checkpoint whose text was changed after signing, an
        // inclusion proof that leads elsewhere, a consistency proof that shows no extension
        ["checkpoint forged", tampered((b) => (b.log.checkpoint = b.log.checkpoint.replace(/\n(\d+)\n/, (_m: string, n: string) => `\n${Number(n) + 1}\n`))), content, "checkpoint-signature", "检查点签名无效"],
        ["inclusion altered", tampered((b) => (b.log.inclusion.treeSize += 1)), content, "log-inclusion", "记录不在日志中"],
        ["log forked", tampered((b) => b.log.consistency.proof.push("0x" + "11".repeat(32))), content, "log-consistency", "日志被分叉或改写"],
        ["other chain", tampered((b) => (b.anchor.chainId = 1)), content, "chain-id", "不是证明包所指的链"],
        ["wrong tx", tampered((b) => (b.anchor.txHash = "0x" + "ab".repeat(32))), content, "transaction", "该交易未锚定此根"],
        ["wrong time", tampered((b) => (b.anchor.blockTimestamp -= 5)), content, "root-on-chain", "根不在链上"],
      ];
      for (const [name, b, file, step, summary] of cases) {
        const r = await checkInBrowser(b, file);
        expect(r.verdict, name).to.equal("failed");
        expect(r.failedStep, name).to.equal(step);
        expect(r.text, name).to.contain(summary).and.to.contain(step);
        const at = allSteps().indexOf(step);
        expect(r.steps, name).to.deep.equal(
          allSteps().map((s: string, i: number) => `${s}:${i < at ? "pass" : i === at ? "fail" : "skipped"}`),
        );
        if (name === "record altered") await shot("local-tampered");
      }
      // The same verdicts as the server's own offline verification.
      const serverChecks = verifyBundleOffline(tampered((b) => (b.record.acceptedAt = "2020-01-01T00:00:00.000Z")), sha(content));
      expect(serverChecks.find((c) => !c.ok)?.name).to.equal("record-leaf");
    });

    it("the in-browser check works against another JSON-RPC endpoint, and says when one cannot be read", async () => {
      // Another origin serving the same chain: a relay to the platform's /rpc, with CORS on /cors only.
      const relay = http.createServer(async (req, res) => {
        const cors = req.url === "/cors";
        if (cors) res.setHeader("Access-Control-Allow-Origin", "*");
        if (req.method === "OPTIONS") {
          if (cors) res.setHeader("Access-Control-Allow-Headers", "content-type");
          res.writeHead(cors ? 204 : 405).end();
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const upstream = await fetch(`${tp.url}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
        res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
      });
      await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
      const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
      try {
        await open();
        await page.fill("#rpc-url", `${relayUrl}/cors`);
        const ok = await checkInBrowser(bundle);
        expect(ok.verdict, ok.text).to.equal("verified");
        expect(ok.steps).to.deep.equal(allSteps().map((s: string) => `${s}:pass`));

        await page.fill("#rpc-url", `${relayUrl}/no-cors`);
        const unreadable = await checkInBrowser(bundle);
        expect(unreadable.verdict).to.equal("failed");
        expect(unreadable.failedStep).to.equal("chain-id");
        expect(unreadable.text).to.contain("无法读取该节点的链上数据");
        await shot("local-unreachable");
      } finally {
        relay.closeAllConnections();
        await new Promise<void>((r) => relay.close(() => r()));
      }
    });

    it("the browser's JavaScript SHA-256 path (large files) agrees with WebCrypto", async () => {
      await open();
      // A string, so that TypeScript leaves the browser's import() alone.
      const result = (await page.evaluate(`(async () => {
        const { hashFile } = await import("/hash-file.mjs");
        const bytes = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 31) & 0xff);
        const blob = new Blob([bytes]);
        return { js: await hashFile(blob, { subtleLimit: 0 }), subtle: await hashFile(blob) };
      })()`)) as { js: string; subtle: string };
      expect(result.js).to.equal(result.subtle);
      const bytes = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 31) & 0xff);
      expect(result.js).to.equal(sha(bytes));
    });

    describe("PDF signature report (the PDF uploaded only on request)", () => {
      let certificate: Buffer; // the evidence certificate: a PDF sealed by the platform (PAdES B-T)
      let expected: any; // POST /api/verify/pdf's report on it, asked from here

      const verifyPdfApi = async (pdf: Buffer) => {
        const form = new FormData();
        form.append("file", new Blob([new Uint8Array(pdf)]), "x.pdf");
        return (await tp.api("POST", "/api/verify/pdf", { body: form })).json() as Promise<any>;
      };
      /** Records every request to /api/verify/pdf, with its content type. */
      const watchPdfUploads = () => {
        const seen: string[] = [];
        const onRequest = (r: { method(): string; url(): string; headers(): Record<string, string> }) => {
          if (new URL(r.url()).pathname === "/api/verify/pdf") seen.push(`${r.method()} ${r.headers()["content-type"]?.split(";")[0]}`);
        };
        page.on("request", onRequest);
        return { seen, stop: () => page.off("request", onRequest) };
      };
      const pressUpload = async () => {
        await page.evaluate(() => document.getElementById("pdf-verdict")!.removeAttribute("data-verdict"));
        await page.click("#pdf-upload");
        return page.waitForSelector("#pdf-verdict[data-verdict]");
      };
      const checkResults = () =>
        page.$$eval("#pdf-details .pdf-sig .check", (ns) => ns.map((n) => `${n.getAttribute("data-step")}:${n.getAttribute("data-result")}`));

      before(async () => {
        const res = await tp.api("GET", `/api/evidence/${evidenceId}/certificate`, { token: tp.adminToken });
        expect(res.status).to.equal(200);
        expect(res.headers.get("content-type")).to.equal("application/pdf");
        certificate = Buffer.from(await res.arrayBuffer());
        expected = await verifyPdfApi(certificate);
        expect(expected.signatures).to.have.length(1);
        expect(expected.allValid).to.equal(true);
      });

      it("is offered after the verdict; nothing is uploaded before the button; then one valid, trusted, timestamped signature followed only by allowed changes (its DSS and document timestamp: PAdES B-LTA)", async () => {
        await open();
        const uploads = watchPdfUploads();
        try {
          // No .pdf name and no PDF type: recognised by its %PDF- header.
          const verdict = await chooseFile(certificate, "evidence-certificate");
          expect(await verdict.getAttribute("data-verdict")).to.equal("not-found"); // the certificate itself is not evidence
          await page.waitForSelector("#pdf:not([hidden])");
          expect(await page.textContent("#pdf-title")).to.equal("PDF 签名报告");
          expect(await page.textContent("#pdf")).to.contain("不会保存");
          expect(await page.textContent("#pdf-upload")).to.equal("上传此 PDF 以核验签名");
          expect(await page.$eval("#pdf-verdict", (n) => n.textContent)).to.equal("");
          await page.waitForTimeout(300);
          expect(uploads.seen, "nothing uploaded before the button is pressed").to.deep.equal([]);

          // Keyboard: the button is reached and pressed without a mouse, with a visible focus ring.
          await page.focus("#pdf-upload");
          expect(await page.$eval("#pdf-upload", (n) => getComputedStyle(n).outlineStyle)).to.equal("solid");
          await page.evaluate(() => document.getElementById("pdf-verdict")!.removeAttribute("data-verdict"));
          await page.keyboard.press("Enter");
          const pdfVerdict = await page.waitForSelector("#pdf-verdict[data-verdict]");
          expect(uploads.seen).to.deep.equal(["POST multipart/form-data"]);
          expect(await pdfVerdict.getAttribute("data-verdict")).to.equal("valid");
          expect(await pdfVerdict.textContent()).to.contain("签名有效").and.to.contain("全部 1 个签名均有效");
          expect(await page.getAttribute("#pdf-progress", "hidden")).to.not.equal(null);
        } finally {
          uploads.stop();
        }
        const sig = expected.signatures[0];
        expect(await page.$$eval("#pdf-details .pdf-sig", (ns) => ns.map((n) => n.getAttribute("data-valid")))).to.deep.equal(["true"]);
        expect(await checkResults()).to.deep.equal(["intact:pass", "chain:pass", "coverage:note", "timestamp:pass", "revocation:pass", "changes:note"]);
        expect(await page.textContent("#pdf-details [data-step=revocation]")).to.contain("证书链中每一张证书均未被吊销");
        const block = (await page.textContent("#pdf-details .pdf-sig"))!;
        const tsUtc = new Date(sig.timestamp.time).toISOString().slice(0, 19).replace("T", " ") + " UTC";
        for (const fact of ["有效", "证书链受本平台根证书信任", "均为允许的改动", "时间戳有效", tsUtc, sig.signer.subject, sig.signer.fingerprintSha256, sig.revision.sha256, sig.subFilter]) {
          expect(block).to.contain(fact);
        }
        if (sig.reason) expect(block).to.contain(sig.reason);
        // Words and an icon, not colour alone.
        expect(await page.textContent("#pdf-details .sig-status")).to.contain("✓").and.to.contain("有效");
        const details = (await page.textContent("#pdf-details"))!;
        expect(details).to.contain(expected.sha256);
        expect(await page.getAttribute("#pdf-details [data-anchored]", "data-anchored")).to.equal(String(expected.anchoring.anchored));
        await shot("pdf-report");

        // The report is re-rendered in the other language.
        await page.click(".lang-button[data-lang=en]");
        expect(await page.textContent("#pdf-title")).to.equal("PDF signature report");
        expect(await page.textContent("#pdf-upload")).to.equal("Upload this PDF to check its signatures");
        expect(await page.textContent("#pdf-details [data-step=chain] .step-name")).to.equal("Certificate chain trusted to the platform root");
        expect(await page.textContent("#pdf-verdict")).to.contain("Signatures valid");
        expect(await page.textContent("#pdf-details .sig-status")).to.contain("VALID");
        await page.click(".lang-button[data-lang=zh]");
        expect(await page.textContent("#pdf-details [data-step=chain] .step-name")).to.equal("证书链受本平台根证书信任");
      });

      it("a byte changed inside the signed range, or bytes appended after the signature: not valid, and why", async () => {
        await open();
        const tampered = Buffer.from(certificate);
        const at = tampered.indexOf(Buffer.from("/Title")) + 2;
        expect(at).to.be.greaterThan(1);
        expect(at).to.be.lessThan(expected.signatures[0].byteRange[1]); // inside the first signed range
        tampered[at] = tampered[at] === 0x69 ? 0x6a : 0x69;
        await chooseFile(tampered, "certificate.pdf");
        let verdict = await pressUpload();
        expect(await verdict.getAttribute("data-verdict")).to.equal("invalid");
        expect(await verdict.textContent()).to.contain("签名核验未通过").and.to.contain("1 个签名中有 1 个未通过核验");
        expect(await page.$$eval("#pdf-details .pdf-sig", (ns) => ns.map((n) => n.getAttribute("data-valid")))).to.deep.equal(["false"]);
        expect(await checkResults()).to.include("intact:fail");
        expect(await page.textContent("#pdf-details .sig-status")).to.contain("✕").and.to.contain("无效");
        expect(await page.textContent("#pdf-details")).to.contain("签名覆盖的字节已被改动");
        await shot("pdf-report-changed");

        const appended = Buffer.concat([certificate, Buffer.from("\n% a line added after signing\n")]);
        await chooseFile(appended, "certificate.pdf");
        verdict = await pressUpload();
        expect(await verdict.getAttribute("data-verdict")).to.equal("invalid");
        expect(await verdict.textContent()).to.contain("最后一个签名之后，文档又被改动");
        expect(await checkResults()).to.deep.equal(["intact:pass", "chain:pass", "coverage:fail", "timestamp:pass", "revocation:pass", "changes:fail"]);
        // the appended bytes, beside the certificate's own allowed long-term updates (DSS, document timestamp)
        expect(await page.$$eval("#pdf-details [data-step=changes] .finding", (ns) => ns.map((n) => n.getAttribute("data-code")))).to.have.members(["changed_structure", "changed_dss_added", "changed_doc_timestamp_added", "changed_form_filled"]);
        // every byte after the seal's revision: its DSS and document timestamp, then the appended line
        expect(await page.textContent("#pdf-details [data-step=coverage]")).to.contain(`追加了 ${appended.length - expected.signatures[0].revision.size} 字节`);
        // bytes in no revision are a change no validator can allow: the signature itself is judged invalid
        expect(await page.textContent("#pdf-details .sig-status")).to.contain("✕").and.to.contain("无效");
        expect(await page.textContent("#pdf-details [data-step=changes]")).to.contain("文档结构被改动").and.to.contain("changed_structure");
        await shot("pdf-report-appended");
      });

      it("a file that is not a PDF gets no PDF section; errors are told by the error body's code", async () => {
        await open();
        const uploads = watchPdfUploads();
        try {
          await chooseFile(content, "contract.txt");
          expect(await page.getAttribute("#pdf", "hidden")).to.not.equal(null);
          expect(await page.$("#pdf:not([hidden])")).to.equal(null);
          expect(uploads.seen).to.deep.equal([]);
        } finally {
          uploads.stop();
        }

        // Named .pdf but not one: offered by its name, refused by the server (415 not_a_pdf).
        await chooseFile(Buffer.from("not a PDF at all"), "fake.pdf");
        await page.waitForSelector("#pdf:not([hidden])");
        let verdict = await pressUpload();
        expect(await verdict.getAttribute("data-verdict")).to.equal("error");
        expect(await verdict.getAttribute("data-error-code")).to.equal("not_a_pdf");
        expect(await verdict.textContent()).to.contain("服务器认为这不是 PDF 文件");

        // The other errors, as the server (or the network) would give them.
        await chooseFile(certificate, "certificate.pdf");
        const cases: [string, number | "abort", string, string][] = [
          ["file_too_large", 413, "file_too_large", "超过服务器允许的大小上限"],
          ["rate_limited", 429, "rate_limited", "请求过于频繁"],
          ["pdf_encrypted", 422, "pdf_encrypted", "该 PDF 已加密"],
          ["pdf_damaged", 422, "pdf_damaged", "该 PDF 已损坏"],
          ["network", "abort", "network", "上传未能到达服务器"],
        ];
        for (const [code, status, shownCode, text] of cases) {
          await page.route("**/api/verify/pdf", (route) =>
            status === "abort" ? route.abort("connectionreset") : route.fulfill({ status, json: { error: { code, message: `a ${code} error` } } }),
          );
          try {
            verdict = await pressUpload();
            expect(await verdict.getAttribute("data-verdict"), code).to.equal("error");
            expect(await verdict.getAttribute("data-error-code"), code).to.equal(shownCode);
            expect(await verdict.textContent(), code).to.contain(text);
          } finally {
            await page.unroute("**/api/verify/pdf");
          }
        }
        await shot("pdf-report-error");

        // While the upload runs: its progress, and a cancel button that stops it.
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        await page.route("**/api/verify/pdf", async (route) => {
          await held;
          await route.fulfill({ json: expected }).catch(() => undefined); // cancelled by then
        });
        try {
          await page.click("#pdf-upload");
          await page.waitForSelector("#pdf-progress:not([hidden])");
          expect(await page.getAttribute("#pdf-upload", "aria-disabled")).to.equal("true");
          expect(await page.textContent("#pdf-progress-label")).to.match(/正在上传|服务器正在核验/);
          await page.click("#pdf-cancel");
          await page.waitForSelector("#pdf-progress", { state: "hidden" });
          expect(await page.textContent("#pdf-verdict")).to.contain("已取消上传");
          expect(await page.getAttribute("#pdf-upload", "aria-disabled")).to.equal("false");
          expect(await page.evaluate(() => document.activeElement?.id)).to.equal("pdf-upload");
        } finally {
          release();
          await page.unroute("**/api/verify/pdf");
        }
      });
    });
  });
});
