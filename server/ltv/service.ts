// Renewal of a PDF's long-term proof (PAdES B-LTA, ETSI EN 319 142-1 5.4.3): fresh validation
// data for every signature and timestamp in the file, then a new document timestamp over all of
// it from the platform TSA. Done before the newest timestamp's TSA certificate expires (or its
// algorithms weaken), it carries the file's proof forward; repeated, for as long as needed. Only a
// file whose every signature and timestamp is valid now is renewed: a timestamp over a broken
// signature would prove nothing but that it was broken, and would look like an endorsement.
import { createHash } from "node:crypto";
import type { AuditService } from "../audit/service";
import { ApiError } from "../http/errors";
import type { IdentityService } from "../identity/service";
import { renewLongTerm } from "../pdf/ltv";
import { PdfStructureError } from "../pdf/reader";
import { pdfSignatureReport, type PdfReport } from "../pdf/report";

const sha256 = (b: Buffer) => "0x" + createHash("sha256").update(b).digest("hex");

export class LtvService {
  constructor(
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
  ) {}

  /** The platform's verdict on `pdf`, with its current CRL and ARL for a file whose DSS lacks them. */
  private async verdict(pdf: Buffer): Promise<PdfReport> {
    const crls = [await this.identity.currentCrl(), await this.identity.currentArl()].map((der) => ({ der, source: "platform" as const }));
    try {
      return pdfSignatureReport(pdf, [this.identity.rootPem()], { crls });
    } catch (e) {
      if (e instanceof PdfStructureError) throw new ApiError(422, "pdf_damaged", `the PDF cannot be read: ${e.message}`);
      throw e;
    }
  }

  /** The renewed PDF: `pdf` followed by a DSS update and a document timestamp (and the DSS for its TSA). */
  async renew(pdf: Buffer, actorId: string | null): Promise<{ pdf: Buffer; documentTimestamp: string | null }> {
    const before = await this.verdict(pdf);
    if (before.signatures.length === 0) throw new ApiError(422, "no_signatures", "the PDF has no signature to keep valid");
    if (!before.allValid) {
      const first = before.findings.find((f) => f.severity === "error");
      throw new ApiError(422, "pdf_not_valid", `only a PDF whose signatures are all valid is renewed${first ? `: ${first.code}` : ""}`);
    }
    const renewed = await renewLongTerm(pdf, this.identity.longTermOptions(true));
    const after = await this.verdict(renewed);
    // what the renewal wrote is checked like any file: never hand back one that does not verify
    if (!after.allValid) throw new Error(`the renewed PDF does not verify: ${after.findings.filter((f) => f.severity === "error").map((f) => f.code).join(", ")}`);
    const stamp = after.documentTimestamps[after.documentTimestamps.length - 1];
    await this.audit.record({
      actorId,
      action: "pdf.ltv_renewed",
      subject: sha256(renewed),
      details: { from: sha256(pdf), documentTimestamp: stamp?.time ?? null, documentTimestamps: after.documentTimestamps.length },
    });
    return { pdf: renewed, documentTimestamp: stamp?.time ?? null };
  }
}
