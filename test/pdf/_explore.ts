import { writeFileSync } from "node:fs";
import { contractPdf, pdfTestPki, tsaFor, tempDir, nssDbWithRoot, run } from "./helpers";
import { signPdf } from "../../server/pdf/pades";
import { verifyPdfSignatures } from "../../server/pdf/verify";
(async () => {
  let t = Date.now();
  const pki = pdfTestPki(); console.log("pki", Date.now() - t); t = Date.now();
  const pdf = await contractPdf(); console.log("pdf", Date.now() - t, pdf.length); t = Date.now();
  const tmp = tempDir("pdfx-");
  const db = nssDbWithRoot(tmp.dir, pki.root.certPem);
  let cur = pdf;
  writeFileSync("/tmp/p0.pdf", cur);
  for (let i = 0; i < 3; i++) {
    const s = pki.signers[i];
    cur = await signPdf(cur, s.signer, { fieldName: `sig${i + 1}`, reason: "同意 agree", location: "北京", stamp: { page: 0, rect: [60 + i * 170, 60, 160, 70], lines: [s.name, s.organisation, new Date().toISOString().slice(0, 19).replace("T", " ")] }, timestamp: tsaFor(pki) });
    console.log("sign", i, Date.now() - t, cur.length); t = Date.now();
    writeFileSync(`/tmp/p${i + 1}.pdf`, cur);
  }
  console.log(run("pdfsig", ["-nssdir", `sql:${db}`, "-no-ocsp", "/tmp/p3.pdf"]).output);
  console.log(run("qpdf", ["--check", "/tmp/p3.pdf"]).output.slice(0, 500));
  console.log(JSON.stringify(verifyPdfSignatures(cur, [pki.root.certPem]).map(r => ({ ...r, signerCertPem: !!r.signerCertPem })), null, 1));
})().catch(e => { console.error(e); process.exit(1); });
