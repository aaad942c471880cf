// Where a person lands after setting up their account from an e-mailed link: what they were
// invited to. Stored with the link as JSON; the signing page's address is derived when needed.
import { z } from "zod";
import type { LinkSecrets } from "../core/link-token";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const landingSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("workspace") }),
  z.object({ kind: z.literal("case"), caseId: z.string().regex(UUID) }),
  z.object({ kind: z.literal("sign"), invitationId: z.string().regex(UUID) }),
]);
export type Landing = z.infer<typeof landingSchema>;

export const WORKSPACE: Landing = { kind: "workspace" };

export function parseLanding(json: string): Landing {
  const parsed = landingSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : WORKSPACE;
}

/** The page's address, relative to the platform's root. */
export function landingUrl(landing: Landing, secrets: LinkSecrets): string {
  switch (landing.kind) {
    case "case":
      return `/workspace/#/cases/${landing.caseId}`;
    case "sign":
      return `/sign/#token=${secrets.token("contract-invitation", landing.invitationId)}`;
    default:
      return "/workspace/";
  }
}
