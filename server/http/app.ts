// The HTTP layer: parsers, routes of each feature, and the one error handler. Thin by design.
import express from "express";
import type { Logger } from "pino";
import type { AccountService } from "../accounts/service";
import { accountRoutes } from "../accounts/routes";
import { evidenceRoutes } from "../evidence/routes";
import type { EvidenceService } from "../evidence/service";
import { verificationRoutes } from "../verification/routes";
import type { VerificationService } from "../verification/service";
import { rpcBodyErrors, rpcRoutes } from "../chain/rpc-routes";
import type { Eip1193 } from "../chain/embedded-chain";
import type { ContentStore } from "../storage/content-store";
import { requireAuth } from "./auth";
import { perIpLimit, perTokenLimit, requestLogging, securityHeaders, strictCors, type RateLimitStoreFactory } from "./hardening";
import { errorHandler, unknownRoute } from "./errors";
import { webRoutes } from "../web/routes";
import type { IdentityService } from "../identity/service";
import { certificateRoutes, pkiPublicRoutes } from "../identity/routes";
import type { AuditService } from "../audit/service";
import { auditRoutes } from "../audit/routes";
import type { CasesService } from "../cases/service";
import { caseRouters } from "../cases/routes";
import type { ContractsService } from "../contracts/service";
import { contractRoutes, signingRoutes } from "../contracts/routes";
import { pdfVerificationRoutes } from "../verification/pdf-routes";

export interface AppDeps {
  log: Logger;
  accounts: AccountService;
  evidence: EvidenceService;
  verification: VerificationService;
  identity: IdentityService;
  audit: AuditService;
  cases: CasesService;
  contracts: ContractsService;
  /** largest PDF accepted for a contract or a PDF signature report */
  maxPdfBytes: number;
  store: ContentStore;
  rpc: Eip1193;
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  maxUploadBytes: number;
  maxJsonBytes: number;
  /** The address people reach the server at (links in issued documents). */
  publicUrl: string;
  corsOrigins: string[];
  limits: { perIpPerMin: number; perTokenPerMin: number; loginPerMin: number; store?: RateLimitStoreFactory };
}

export function buildApp(d: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestLogging(d.log));
  app.use(securityHeaders());
  app.use(strictCors(d.corsOrigins));
  app.use(perIpLimit(d.limits.perIpPerMin, d.limits.store?.("ip")));
  app.use("/api/auth/login", perIpLimit(d.limits.loginPerMin, d.limits.store?.("login")));
  app.use("/api", perTokenLimit(d.limits.perTokenPerMin, d.limits.store?.("token")));
  // Before the JSON parser: /api/tsa reads its raw body itself, whatever the content type claims
  // (a JSON body parsed first would leave it waiting for a stream already consumed).
  app.use("/api", pkiPublicRoutes(d.identity));
  app.use(express.json({ limit: d.maxJsonBytes, type: ["application/json", "application/*+json"] }));

  app.get("/api/health", async (_req, res) => {
    const h = await d.health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  app.use("/api", accountRoutes(d.accounts));
  app.use("/api/verify", verificationRoutes(d.verification, d.maxUploadBytes));
  app.use("/api/certificates", certificateRoutes(d.identity, d.accounts));
  app.use("/api/audit", auditRoutes(d.audit, d.accounts));
  app.use("/api/evidence", requireAuth(d.accounts), evidenceRoutes(d.evidence, d.store, d.maxUploadBytes, d.publicUrl));
  for (const [base, router] of caseRouters(d.cases, d, d.publicUrl)) app.use(base, requireAuth(d.accounts), router);
  app.use("/api/contracts", requireAuth(d.accounts), contractRoutes(d.contracts, d.maxPdfBytes));
  app.use("/api/sign", requireAuth(d.accounts), signingRoutes(d.contracts));
  app.use("/api/verify/pdf", pdfVerificationRoutes(d.verification, () => d.identity.rootPem(), d.maxPdfBytes));
  app.use("/rpc", rpcRoutes(d.rpc), rpcBodyErrors);
  app.use("/api", unknownRoute);
  app.use(webRoutes());
  app.use(unknownRoute);
  app.use(errorHandler(d.log));
  return app;
}
