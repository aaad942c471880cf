// The rules of the signing flow, as pure functions over a contract's state: states, which step is
// open, who may do what now. The service applies them; the tests can read them.

export const STATUSES = ["draft", "in_progress", "completed", "declined", "voided", "expired"] as const;
export type ContractStatus = (typeof STATUSES)[number];

/** Terminal states: the contract changes no more. */
export const ENDED: ReadonlySet<string> = new Set(["completed", "declined", "voided", "expired"]);

export interface SignerState {
  id: string;
  step: number;
  status: string; // pending | signed | declined
}

/** The step now open for signing: the lowest one with a pending signer (null when all have signed). */
export function openStep(signers: SignerState[]): number | null {
  let open: number | null = null;
  for (const s of signers) if (s.status === "pending" && (open === null || s.step < open)) open = s.step;
  return open;
}

/** Why this signer cannot sign now, or null when they can. */
export function signingBlocked(status: string, signers: SignerState[], signerId: string): { code: string; message: string } | null {
  if (status !== "in_progress") return { code: `contract_${status}`, message: `the contract is ${status.replace("_", " ")}` };
  const me = signers.find((s) => s.id === signerId);
  if (!me) return { code: "not_a_signer", message: "not a signer of this contract" };
  if (me.status !== "pending") return { code: "already_" + me.status, message: `this signer has already ${me.status}` };
  const open = openStep(signers);
  if (open !== null && me.step > open) {
    const waiting = signers.filter((s) => s.step === open && s.status === "pending").length;
    return { code: "not_your_turn", message: `step ${me.step} opens when step ${open} is complete (${waiting} signature${waiting === 1 ? "" : "s"} missing)` };
  }
  return null;
}

/** Steps must be 1, 2, ... without gaps. */
export function stepsProblem(steps: number[]): string | null {
  const distinct = [...new Set(steps)].sort((a, b) => a - b);
  for (let i = 0; i < distinct.length; i++) if (distinct[i] !== i + 1) return `steps must be numbered 1, 2, ... without gaps (got ${distinct.join(", ")})`;
  return null;
}

export const mayVoid = (status: string) => status === "draft" || status === "in_progress";
