// Evidence anchored, as the webhooks feature reports it: in the transaction that records a batch
// as anchored, one event per item of the batch, to the organisation of the item's submitter (its
// members may read the item: evidence/service.ts). Items submitted inside a case (restricted) are
// the case's to show, not the organisation's, and are not reported.
import type { Tx } from "../db/client";
import { enqueueWebhookEvents } from "../webhooks/outbox";

export async function reportAnchoredEvidence(tx: Tx, batchId: number): Promise<void> {
  const batch = await tx.batch.findUnique({ where: { id: batchId } });
  if (!batch) return;
  const items = await tx.evidenceItem.findMany({
    where: { restricted: false, leaf: { batchId }, submitter: { organizationId: { not: null } } },
    include: { submitter: { select: { organizationId: true } }, leaf: { select: { leafIndex: true } } },
  });
  const anchor = {
    batchId: batch.id,
    root: batch.root,
    chainId: batch.chainId,
    registry: batch.registry,
    txHash: batch.txHash,
    blockNumber: batch.blockNumber === null ? null : Number(batch.blockNumber),
    anchoredAt: batch.anchoredAt?.toISOString() ?? null,
  };
  const byOrg = new Map<string, typeof items>();
  for (const it of items) byOrg.set(it.submitter.organizationId!, [...(byOrg.get(it.submitter.organizationId!) ?? []), it]);
  for (const [org, list] of byOrg) {
    await enqueueWebhookEvents(
      tx,
      [org],
      list.map((it) => ({
        // one anchoring per item, ever: its id names the event
        id: `evidence-anchored-${it.id}`,
        type: "evidence.anchored" as const,
        orderingKey: `evidence:${it.id}`,
        sequence: 1,
        occurredAt: batch.anchoredAt ?? new Date(),
        data: {
          evidence: { id: it.id, sha256: it.sha256, sm3: it.sm3, title: it.title, submitterId: it.submitterId, acceptedAt: it.acceptedAt.toISOString(), leafIndex: it.leaf.leafIndex },
          anchor,
        },
      })),
    );
  }
}
