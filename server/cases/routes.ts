// The case and inbox routes. Exactly the routes of access.ts's ROUTES are registered, and each runs
// the matrix (CasesService.authorize) before its handler: no route can skip the access decision.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../http/auth";
import { ApiError } from "../http/errors";
import { isMultipart } from "../http/multipart";
import { parseInput } from "../http/validate";
import { evidenceMetaOf, ingestUpload, type IngestDeps } from "../evidence/routes";
import { ROUTES, type Action, type RouteSpec } from "./access";
import { PARTY_KINDS, POSITIONS, type CaseAccess, type CasesService } from "./service";
import { clientText } from "./receipt";
import { emailInput, personName } from "../accounts/inputs";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuid = z.string().regex(UUID_RE, "must be an id");
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
const longText = (max: number) => z.string().trim().min(1).max(max);

const newCaseBody = z
  .object({
    number: text(100),
    court: text(200),
    causeOfAction: text(200),
    parties: z
      .array(
        z
          .object({
            name: text(200),
            kind: z.enum(PARTY_KINDS),
            organizationId: uuid.optional(),
            members: z.array(uuid).max(50).default([]),
            // representatives by address: an address with no account is invited (a pending lawyer's account)
            invite: z.array(z.object({ email: emailInput, name: personName }).strict()).max(50).default([]),
          })
          .strict(),
      )
      .min(2)
      .max(50)
      .refine((ps) => ps.some((p) => p.kind === "plaintiff") && ps.some((p) => p.kind === "defendant"), "a case needs a plaintiff and a defendant"),
  })
  .strict();
const userBody = z.object({ userId: uuid }).strict();
const memberBody = z.union([userBody, z.object({ email: emailInput, name: personName }).strict()]);
const editBody = z.object({ purpose: longText(2000) }).strict();
const point = z
  .object({ position: z.enum(POSITIONS), comment: longText(2000).optional() })
  .strict()
  .refine((p) => p.position === "accept" || p.comment !== undefined, "a dispute needs a comment");
const opinionBody = z.object({ authenticity: point, legality: point, relevance: point }).strict();
const listQuery = z.object({ party: uuid.optional() });
const submissionFields = z.object({ title: text(500), purpose: longText(2000), source: text(500).optional() });
const serviceFields = z.object({ title: text(500), party: uuid });

type Handler = (req: Request, res: Response, access: CaseAccess | null) => Promise<void>;

const multipartOnly = (req: Request) => {
  if (!isMultipart(req)) throw new ApiError(415, "unsupported_media_type", "send multipart/form-data with a 'file' part");
};

function sendFile(res: Response, stream: NodeJS.ReadableStream, item: { id: string; sha256: string; size: number | null; fileName: string | null }) {
  const name = item.fileName ? `; filename*=UTF-8''${encodeURIComponent(item.fileName)}` : "";
  res.set({
    "Content-Type": "application/octet-stream",
    "Content-Length": String(item.size),
    "Content-Disposition": `attachment; filename="${item.id}"${name}`,
    "X-Content-SHA256": item.sha256,
  });
  stream.pipe(res);
}

/** The routers to mount, by base path (access.ts ROUTES); publicUrl: the verification page's address, printed on certificates. */
export function caseRouters(cases: CasesService, ingest: IngestDeps, publicUrl = ""): [RouteSpec["base"], Router][] {
  const handlers: Record<Action, Handler> = {
    "case.open": async (req, res) => {
      const c = await cases.openCase(principalOf(req), parseInput(newCaseBody, req.body));
      res.status(201).location(`/api/cases/${c.id}`).json(c);
    },
    "case.list": async (req, res) => {
      res.json({ items: await cases.listCases(principalOf(req)) });
    },
    "case.read": async (_req, res, access) => {
      res.json(await cases.caseDetail(access!));
    },
    "case.addJudge": async (req, res, access) => {
      res.status(201).json(await cases.addJudge(principalOf(req), access!, parseInput(userBody, req.body).userId));
    },
    "case.addPartyMember": async (req, res, access) => {
      res.status(201).json(await cases.addPartyMember(principalOf(req), access!, parseInput(memberBody, req.body)));
    },
    "case.close": async (req, res, access) => {
      res.json(await cases.closeCase(principalOf(req), access!));
    },
    "evidence.submit": async (req, res, access) => {
      multipartOnly(req);
      const principal = principalOf(req);
      const { item, extra } = await ingestUpload(req, ingest, principal, ["title", "purpose", "source", "signature"], (fields) => {
        const f = parseInput(submissionFields, fields, "fields");
        return cases.submissionMeta({ ...f, holderSignature: evidenceMetaOf(fields).holderSignature });
      });
      const sub = await cases.recordSubmission(principal, access!, item, extra.purpose);
      res.status(201).location(`/api/cases/${sub.caseId}/evidence/${sub.id}`).json(sub);
    },
    "submission.edit": async (req, res, access) => {
      res.json(await cases.editSubmission(principalOf(req), access!, parseInput(editBody, req.body).purpose));
    },
    "submission.withdraw": async (req, res, access) => {
      await cases.withdrawSubmission(principalOf(req), access!);
      res.status(204).end();
    },
    "submission.finalise": async (req, res, access) => {
      res.json(await cases.finaliseSubmission(principalOf(req), access!));
    },
    "evidence.list": async (req, res, access) => {
      res.json(await cases.listEvidence(access!, parseInput(listQuery, req.query, "query").party));
    },
    "evidence.read": async (_req, res, access) => {
      res.json(await cases.evidenceDetail(access!));
    },
    "evidence.content": async (_req, res, access) => {
      const { stream, item } = await cases.evidenceContent(access!);
      sendFile(res, stream, item);
    },
    "evidence.verify": async (_req, res, access) => {
      res.json(await cases.verifyEvidence(access!));
    },
    "evidence.certificate": async (_req, res, access) => {
      const pdf = await cases.evidenceCertificate(access!, publicUrl);
      if (!pdf) throw new ApiError(409, "not_anchored", "the item is not anchored yet: its certificate can be issued once it is");
      res.set({ "Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="evidence-certificate-${access!.submission!.id}.pdf"` });
      res.send(pdf);
    },
    "evidence.opinion": async (req, res, access) => {
      const { created, opinion } = await cases.recordOpinion(principalOf(req), access!, parseInput(opinionBody, req.body));
      res.status(created ? 201 : 200).json(opinion);
    },
    "service.serve": async (req, res, access) => {
      multipartOnly(req);
      const principal = principalOf(req);
      const { item, extra } = await ingestUpload(req, ingest, principal, ["title", "party", "signature"], async (fields) => {
        const f = parseInput(serviceFields, fields, "fields");
        return cases.serviceMeta(access!, { ...f, holderSignature: evidenceMetaOf(fields).holderSignature });
      });
      const served = await cases.recordService(principal, access!, item, extra);
      res.status(201).json(served);
    },
    "service.list": async (_req, res, access) => {
      res.json(await cases.listServices(access!));
    },
    "inbox.list": async (req, res) => {
      res.json(await cases.inbox(principalOf(req)));
    },
    "inbox.open": async (req, res) => {
      const client = { ip: clientText(req.ip ?? req.socket.remoteAddress, 100), userAgent: clientText(req.get("user-agent"), 512) };
      const { stream, item } = await cases.openDelivery(principalOf(req), String(req.params.id), client);
      sendFile(res, stream, item);
    },
  };

  const routers = new Map<RouteSpec["base"], Router>();
  for (const spec of ROUTES) {
    let r = routers.get(spec.base);
    if (!r) routers.set(spec.base, (r = Router()));
    const handler = handlers[spec.action];
    r[spec.method](spec.path, async (req, res) => {
      let access: CaseAccess | null;
      try {
        access = await cases.authorize(spec.action, principalOf(req), req.params as Record<string, string>);
      } catch (e) {
        // Refused before an upload was read: discard the body instead of leaving the client blocked.
        if (!req.readableEnded) req.resume();
        throw e;
      }
      await handler(req, res, access);
    });
  }
  return [...routers.entries()];
}
