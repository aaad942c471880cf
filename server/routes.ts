// Route composition: which feature serves which path, with the authentication and limits in front
// of it. Beside platform.ts, above the features; the HTTP layer (server/http/app.ts) knows none of them.
import { Router, type RequestHandler } from "express";
import type { Mount } from "./http/app";
import { requireAuth } from "./http/auth";
import { perIpLimit, type RateLimitStoreFactory } from "./http/hardening";
import type { AccountService } from "./accounts/service";
import { accountRoutes } from "./accounts/routes";
import { evidenceRoutes } from "./evidence/routes";
import type { EvidenceService } from "./evidence/service";
import { verificationRoutes } from "./verification/routes";
import { pdfVerificationRoutes } from "./verification/pdf-routes";
import { ltvRoutes } from "./ltv/routes";
import type { LtvService } from "./ltv/service";
import type { VerificationService } from "./verification/service";
import { rpcBodyErrors, rpcRoutes } from "./chain/rpc-routes";
import type { Eip1193 } from "./chain/embedded-chain";
import type { ContentStore } from "./storage/content-store";
import type { IdentityService } from "./identity/service";
import { certificateRoutes, pkiPublicRoutes } from "./identity/routes";
import type { AuditService } from "./audit/service";
import { auditRoutes } from "./audit/routes";
import type { CasesService } from "./cases/service";
import { caseRouters } from "./cases/routes";
import type { ContractsService } from "./contracts/service";
import { contractRoutes, signingRoutes } from "./contracts/routes";
import { bulkSendRoutes } from "./contracts/bulk/routes";
import type { OrganizationsService } from "./organizations/service";
import { organizationRoutes } from "./organizations/routes";
import type { SealsService } from "./seals/service";
import { sealRoutes } from "./seals/routes";
import type { Invitations } from "./invitations/service";
import { accountLinkRoutes, userInvitationRoutes } from "./invitations/routes";
import type { DirectoryService } from "./directory/service";
import { directoryRoutes } from "./directory/routes";
import { anchoringRoutes } from "./anchoring/routes";
import type { TransparencyLog } from "./log/service";
import { logRoutes } from "./log/routes";
import type { NotificationsService } from "./notifications/service";
import { notificationRoutes } from "./notifications/routes";
import { webRoutes } from "./web/routes";
import type { WebhooksService } from "./webhooks/service";
import { webhookRoutes } from "./webhooks/routes";
import type { CaseFileService } from "./casefile/service";
import { caseFileRouters } from "./casefile/routes";
import type { FilingService } from "./filing/service";
import { filingRouters } from "./filing/routes";
import type { StatisticsService } from "./statistics/service";
import type { StatisticsReports } from "./statistics/reports";
import { statisticsRoutes } from "./statistics/routes";
import type { ServiceAddressesService } from "./service-addresses/service";
import type { HearingsService } from "./hearings/service";
import { hearingRouters } from "./hearings/routes";
import type { MediationService } from "./mediation/service";
import { mediationRouters } from "./mediation/routes";
import type { AddressDeliveries } from "./service-addresses/delivery";
import { serviceAddressRouters, serviceLinkRoutes, textMessageRoutes } from "./service-addresses/routes";

export interface RouteDeps {
  accounts: AccountService;
  evidence: EvidenceService;
  verification: VerificationService;
  identity: IdentityService;
  audit: AuditService;
  cases: CasesService;
  contracts: ContractsService;
  organizations: OrganizationsService;
  seals: SealsService;
  invitations: Invitations;
  directory: DirectoryService;
  notifications: NotificationsService;
  webhooks: WebhooksService;
  caseFiles: CaseFileService;
  filings: FilingService;
  statistics: StatisticsService;
  statisticsReports: StatisticsReports;
  serviceAddresses: ServiceAddressesService;
  mediations: MediationService;
  addressDeliveries: AddressDeliveries;
  hearings: HearingsService;
  ltv: LtvService;
  anchoringStatus: (limit: number) => Promise<unknown>;
  log: TransparencyLog;
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  store: ContentStore;
  rpc: Eip1193;
  maxUploadBytes: number;
  /** largest PDF accepted for a contract or a PDF signature report */
  maxPdfBytes: number;
  /** largest CSV of a bulk send */
  maxBulkCsvBytes: number;
  /** The address people reach the server at (links in issued documents). */
  publicUrl: string;
  /** public requests about e-mailed links, per IP and minute */
  linkLimitPerMin: number;
  /** invitations sent by signed-in users, per IP and minute */
  invitationLimitPerMin: number;
  limitStore?: RateLimitStoreFactory;
}

export function composeRoutes(d: RouteDeps): { rawBodyMounts: Mount[]; apiMounts: Mount[]; pages: RequestHandler } {
  const auth = requireAuth(d.accounts);
  const health = Router().get("/", async (_req, res) => {
    const h = await d.health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  const linkLimit = perIpLimit(d.linkLimitPerMin, d.limitStore?.("links"));
  // Each invitation is a mail to someone else: the routes that send one are limited apart.
  const invitationLimiter = perIpLimit(d.invitationLimitPerMin, d.limitStore?.("invitations"));
  const SENDS_INVITATION = /^\/api\/(organizations\/[^/]+\/members(\/[^/]+\/invitation)?|users\/(invite|[^/]+\/(password-reset|invitation)))\/?$/;
  const invitationLimit: RequestHandler = (req, res, next) =>
    req.method === "POST" && SENDS_INVITATION.test(req.originalUrl.split("?")[0]) ? invitationLimiter(req, res, next) : next();
  return {
    rawBodyMounts: [["/api", pkiPublicRoutes(d.identity)]],
    apiMounts: [
      ["/api/health", health],
      ["/api", invitationLimit],
      ["/api", accountLinkRoutes(d.invitations, linkLimit)],
      ["/api/users", auth, userInvitationRoutes(d.invitations, d.accounts)],
      ["/api", accountRoutes(d.accounts)],
      ["/api/organizations/:id/webhooks", auth, webhookRoutes(d.webhooks, d.organizations)],
      ["/api/organizations/:id/seals", auth, sealRoutes(d.seals)],
      ["/api/organizations", auth, organizationRoutes(d.organizations)],
      ["/api/directory", auth, directoryRoutes(d.directory)],
      ["/api/notifications", notificationRoutes(d.notifications, auth)],
      ["/api/anchoring", auth, anchoringRoutes(d.anchoringStatus)],
      ["/api/log", logRoutes(d.log)],
      ["/api/verify", verificationRoutes(d.verification, d.maxUploadBytes)],
      ["/api/certificates", certificateRoutes(d.identity, d.accounts)],
      ["/api/audit", auditRoutes(d.audit, d.accounts)],
      ["/api/evidence", auth, evidenceRoutes(d.evidence, d.store, d.maxUploadBytes, d.publicUrl)],
      ...caseRouters(d.cases, d, d.publicUrl).map(([base, router]): Mount => [base, auth, router]),
      ...caseFileRouters(d.caseFiles).map(([base, router]): Mount => [base, auth, router]),
      ...filingRouters(d.filings, d).map(([base, router]): Mount => [base, auth, router]),
      ["/api/statistics", auth, statisticsRoutes(d.statistics, d.statisticsReports)],
      ...serviceAddressRouters(d.serviceAddresses).map(([base, router]): Mount => [base, auth, router]),
      ...hearingRouters(d.hearings).map(([base, router]): Mount => [base, auth, router]),
      ...mediationRouters(d.mediations).map(([base, router]): Mount => [base, auth, router]),
      ["/api/service-links", serviceLinkRoutes(d.addressDeliveries, linkLimit)],
      ["/api/text-messages", auth, textMessageRoutes(d.addressDeliveries)],
      ["/api/contracts/bulk", auth, bulkSendRoutes(d.contracts.bulk, d.maxBulkCsvBytes)],
      ["/api/contracts", auth, contractRoutes(d.contracts, d.maxPdfBytes)],
      ["/api/sign", auth, signingRoutes(d.contracts)],
      ["/api/ltv", auth, ltvRoutes(d.ltv, d.maxPdfBytes)],
      ["/api/verify/pdf", pdfVerificationRoutes(d.verification, () => d.identity.rootPem(), d.maxPdfBytes, async () => [await d.identity.currentCrl(), await d.identity.currentArl()])],
      ["/rpc", rpcRoutes(d.rpc), rpcBodyErrors],
    ],
    pages: webRoutes(),
  };
}
