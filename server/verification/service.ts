// Verification of a file or digest: every verdict is recomputed (record -> leaf -> root, and the
// root read from the chain), never read from a stored status.
import { ApiError } from "../http/errors";
import type { Db } from "../db/client";
import type { EvidenceService } from "../evidence/service";
import { bundleOf, logSection } from "../anchoring/proof";
import type { PointReader } from "../db/point-reader";
import { readDigest } from "./digest-read";
import { LogReader } from "../log/reader";
import { leafStatus } from "../anchoring/queue";
import { verifyBundleOffline, type Check, type ProofBundle } from "../core/proof-bundle";
import { verifyAnchorOnChain } from "../chain/anchor-check";
import type { ChainReader } from "../chain/chain-reader";
import type { IdentityService } from "../identity/service";
import { verifyPkiSections, type SignerReport } from "../pki/bundle-checks";


export interface VerificationMatch {
  evidenceId: string;
  status: string;
  verified: boolean;
  anchoredAt: string | null;
  checks: Check[];
  /** The submitter's certificate, with its status at the signing time and now. */
  signer: (SignerReport & { statusAtSigningTime: string; statusNow: string }) | null;
  bundle: ProofBundle | null;
}

export class VerificationService {
  constructor(
    private readonly db: Db,
    private readonly point: PointReader,
    private readonly evidence: EvidenceService,
    private readonly chain: ChainReader,
    private readonly identity: IdentityService,
  ) {}

  async verifyDigest(sha256: string): Promise<{ sha256: string; anchored: boolean; matches: VerificationMatch[] }> {
    const { items, context } = await readDigest(this.point, sha256);
    const matches: VerificationMatch[] = [];
    const log = new LogReader(this.db);
    // The log's key as this platform holds it, not the one a bundle names.
    let logKey: string | null = null;
    for (const item of items) {
      const leaf = item.anchored;
      const section = leaf?.batch.inLog ? await logSection(log, leaf.leafIndex, leaf.batch.treeSize, { anchoredNote: item.anchoredNote, head: context.head ?? undefined }) : undefined;
      const bundle = leaf ? { ...bundleOf(leaf, section), ...(await this.evidence.bundleSections(item, context.latestCrl)) } : null;
      if (!bundle) {
        const status = (await leafStatus(this.db, item.leafSeq)) ?? "queued";
        matches.push({ evidenceId: item.id, status, verified: false, anchoredAt: null, checks: [], signer: null, bundle: null });
        continue;
      }
      logKey ??= context.head ? log.keyOf(context.head) : await log.verifierKey();
      const checks = verifyBundleOffline(bundle, sha256, { logKey });
      let signer: (SignerReport & { statusAtSigningTime: string; statusNow: string }) | null = null;
      if (checks.every((c) => c.ok)) {
        // Trust only this platform's own root, not the one a bundle carries.
        const pki = verifyPkiSections(bundle, { trustedRootPems: [this.identity.rootPem()] });
        checks.push(...pki.checks);
        if (pki.signer) {
          // Status when the platform accepted the item (anchored in the record), not at the time the
          // signer claims in the signature.
          const acceptedAt = typeof bundle.record.acceptedAt === "string" ? new Date(bundle.record.acceptedAt) : null;
          const status = await this.identity.signerStatus(pki.signer.certPem, acceptedAt, item.signerRow ?? undefined);
          signer = { ...pki.signer, revokedAt: status.revokedAt, revocationReason: status.revocationReason, statusAtSigningTime: status.atSigningTime, statusNow: status.now };
        }
      }
      if (checks.every((c) => c.ok)) {
        try {
          checks.push(...(await verifyAnchorOnChain(this.chain, bundle, { logKey })));
        } catch {
          // No verdict without the chain: unreachable is not the same as "not anchored".
          throw new ApiError(503, "chain_unavailable", "the chain cannot be read right now; retry shortly", { "Retry-After": "10" });
        }
      }
      const verified = checks.every((c) => c.ok);
      matches.push({
        evidenceId: item.id,
        status: "anchored",
        verified,
        anchoredAt: verified ? new Date(bundle.anchor.blockTimestamp * 1000).toISOString() : null,
        checks,
        signer,
        bundle,
      });
    }
    return { sha256, anchored: matches.some((m) => m.verified), matches };
  }
}
