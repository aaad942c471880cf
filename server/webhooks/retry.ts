// When a failed delivery is tried again: exponential backoff with jitter (a random delay between
// half the exponential bound and the bound), so that deliveries failing together, when one
// receiver is down, do not come back together.
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones (1, 2, …). */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts - 1, 30));
  // at least half the bound: a retry is never immediate, however the dice fall
  return Math.round(bound / 2 + (random() * bound) / 2);
}
