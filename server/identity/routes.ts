import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { requireAuth, principalOf } from "../http/auth";
import { ApiError, forbidden, notFound } from "../http/errors";
import { parseInput } from "../http/validate";
import type { AccountService } from "../accounts/service";
import type { IdentityService } from "./service";
import { decodeGetRequest, OcspRequestError } from "../pki/ocsp/request";

const MAX_TSA_REQUEST_BYTES = 16 * 1024;
/** An OCSP request for a few certificates is a few hundred bytes; a larger one is not a client we serve. */
const MAX_OCSP_REQUEST_BYTES = 4 * 1024;
const MAX_CSR_CHARS = 64 * 1024;
const REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "privilegeWithdrawn"] as const;

const issueBody = z
  .object({
    userId: z.string().uuid().optional(),
    organizationId: z.string().uuid().optional(),
    csr: z.string().min(1).max(MAX_CSR_CHARS).optional(),
  })
  .strict()
  .refine((b) => !(b.userId && b.organizationId), "give userId or organizationId, not both");
const revokeBody = z.object({ reason: z.enum(REASONS).default("unspecified") }).strict();

/** Public: what relying parties need to check signatures without an account. */
export function pkiPublicRoutes(identity: IdentityService): Router {
  const r = Router();
  r.get("/pki/ca.pem", (_req, res) => {
    res.type("application/x-pem-file").send(identity.chainPem());
  });
  r.get("/pki/root.pem", (_req, res) => {
    res.type("application/x-pem-file").send(identity.rootPem());
  });
  r.get("/pki/crl", async (_req, res) => {
    res.type("application/pkix-crl").set("Cache-Control", "no-cache").send(await identity.currentCrl());
  });
  // The root's CRL for the CAs it issued, named in the issuing CA's certificate.
  r.get("/pki/arl", async (_req, res) => {
    res.type("application/pkix-crl").set("Cache-Control", "no-cache").send(await identity.currentArl());
  });
  // The issuing CA's certificate as DER, where the caIssuers access method points (RFC 5280 §4.2.2.1).
  r.get("/pki/issuing-ca.cer", (_req, res) => {
    res.type("application/pkix-cert").send(identity.issuingCaDer());
  });
  // RFC 6960 Appendix A: OCSP over HTTP, POST with the DER request as body.
  r.post("/ocsp", async (req, res) => {
    if (!req.is("application/ocsp-request")) throw new ApiError(415, "unsupported_media_type", "send the request as application/ocsp-request");
    const body = await readLimited(req, MAX_OCSP_REQUEST_BYTES);
    if (body === null) throw new ApiError(413, "payload_too_large", `an OCSP request is at most ${MAX_OCSP_REQUEST_BYTES} bytes`);
    sendOcsp(res, await identity.respondToOcspRequest(body));
  });
  // ... and GET with the request base64-encoded as the last path segment(s) ("/" is a base64 digit).
  r.get(/^\/ocsp\/(.+)$/, async (req, res) => {
    // The raw path, not Express's decoded parameter: decodeGetRequest undoes the percent-encoding itself.
    const encoded = req.originalUrl.split("?")[0].replace(/^.*?\/ocsp\//, "");
    if (encoded.length > MAX_OCSP_REQUEST_BYTES * 4) throw new ApiError(414, "uri_too_long", `an OCSP request is at most ${MAX_OCSP_REQUEST_BYTES} bytes`);
    let der: Buffer;
    try {
      der = decodeGetRequest(encoded);
    } catch (e) {
      if (!(e instanceof OcspRequestError)) throw e;
      // A path that is not base64 is still an OCSP request that could not be read: malformedRequest.
      der = Buffer.alloc(0);
    }
    sendOcsp(res, await identity.respondToOcspRequest(der));
  });
  // RFC 3161 over HTTP (section 3.4): every answer is a TimeStampResp, a rejection included.
  r.post("/tsa", async (req, res) => {
    const body = await readLimited(req, MAX_TSA_REQUEST_BYTES);
    res.type("application/timestamp-reply");
    if (body === null) {
      res.send(identity.rejectTimeStamp("badDataFormat", `the request exceeds ${MAX_TSA_REQUEST_BYTES} bytes`));
      return;
    }
    if (!req.is("application/timestamp-query")) {
      res.send(identity.rejectTimeStamp("badRequest", "send application/timestamp-query"));
      return;
    }
    res.send(identity.respondToTimeStampRequest(body));
  });
  return r;
}

export function certificateRoutes(identity: IdentityService, accounts: AccountService): Router {
  const r = Router();
  r.use(requireAuth(accounts));

  r.post("/", async (req, res) => {
    const p = principalOf(req);
    const body = parseInput(issueBody, req.body);
    const isAdmin = p.role === "admin";
    if (body.organizationId) {
      if (!isAdmin) throw forbidden("only an admin issues organisation certificates");
      res.status(201).json(await identity.issue({ organizationId: body.organizationId }, body.csr, p.userId));
      return;
    }
    const userId = body.userId ?? p.userId;
    if (userId !== p.userId && !isAdmin) throw forbidden("you may request a certificate for yourself only");
    res.status(201).json(await identity.issue({ userId }, body.csr, p.userId));
  });

  r.get("/", async (req, res) => {
    const p = principalOf(req);
    res.json({ certificates: await identity.list(p.role === "admin" ? {} : { userId: p.userId }) });
  });

  r.get("/:id", async (req, res) => {
    res.json(await visible(identity, req));
  });

  r.post("/:id/revoke", async (req, res) => {
    const p = principalOf(req);
    // No body means the default reason. A body that was not parsed (not JSON) is refused rather
    // than ignored, which would revoke with "unspecified" whatever reason it gave.
    const sentBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (req.body === undefined && sentBody) throw new ApiError(415, "unsupported_media_type", "send the reason as application/json");
    const body = parseInput(revokeBody, req.body ?? {});
    const cert = await visible(identity, req);
    if (p.role !== "admin" && cert.userId !== p.userId) throw forbidden();
    res.json(await identity.revoke(cert.id, body.reason, p.userId));
  });
  return r;
}

/** A certificate its holder or an admin may see; 404 for anyone else. */
async function visible(identity: IdentityService, req: Request) {
  const p = principalOf(req);
  const id = String(req.params.id);
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound("certificate");
  const cert = await identity.get(id);
  if (p.role !== "admin" && cert.userId !== p.userId) throw notFound("certificate");
  return cert;
}

/** Every OCSP answer, an error response included, is a 200 with an OCSPResponse (RFC 6960 Appendix A.2). */
function sendOcsp(res: Response, der: Buffer): void {
  res.type("application/ocsp-response").set("Cache-Control", "no-cache").send(der);
}

/** The raw body, or null when it is longer than `limit` (the rest is discarded). */
function readLimited(req: Request, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
