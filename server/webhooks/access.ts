// Every route under /api/organizations/:id/webhooks and the action of the organisations' access
// table (organizations/access.ts, ORG_MATRIX) it is decided by, before its handler runs.
import type { OrgAction } from "../organizations/access";

export interface WebhookRouteSpec {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  name: "create" | "list" | "read" | "update" | "remove" | "rotateSecret" | "deliveries" | "redeliver";
  action: Extract<OrgAction, "webhooks.read" | "webhooks.manage">;
}

export const WEBHOOK_ROUTES: readonly WebhookRouteSpec[] = [
  { method: "post", path: "/", name: "create", action: "webhooks.manage" },
  { method: "get", path: "/", name: "list", action: "webhooks.read" },
  { method: "get", path: "/:webhookId", name: "read", action: "webhooks.read" },
  { method: "patch", path: "/:webhookId", name: "update", action: "webhooks.manage" },
  { method: "delete", path: "/:webhookId", name: "remove", action: "webhooks.manage" },
  { method: "post", path: "/:webhookId/secret", name: "rotateSecret", action: "webhooks.manage" },
  { method: "get", path: "/:webhookId/deliveries", name: "deliveries", action: "webhooks.read" },
  { method: "post", path: "/:webhookId/deliveries/:deliveryId/redeliver", name: "redeliver", action: "webhooks.manage" },
];
