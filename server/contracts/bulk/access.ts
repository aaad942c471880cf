// Who may send contracts in bulk: the roles that send contracts as a business does (an enterprise's
// members, lawyers for their clients). Courts' roles draft through their own features (mediation,
// orders), and the platform's administrator runs the platform, not its contracts. A run's report is
// its sender's alone (404 for anyone else, as for another user's contract).
import type { Role } from "../../accounts/roles";

export const BULK_SENDERS: readonly Role[] = ["member", "lawyer"];

export const mayBulkSend = (role: Role) => BULK_SENDERS.includes(role);
