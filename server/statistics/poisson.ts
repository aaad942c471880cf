// The Poisson upper tail P(X >= k) for X ~ Poisson(lambda), accurate far into the tail (the sum runs
// upward from k in log space, never as 1 minus a sum close to 1 when the tail is small).

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

export function poissonUpperTail(k: number, lambda: number): number {
  if (!Number.isInteger(k) || k < 0) throw new RangeError("k must be a non-negative integer");
  if (!(lambda >= 0)) throw new RangeError("lambda must be non-negative");
  if (k === 0) return 1;
  if (lambda === 0) return 0;
  if (k <= lambda) {
    // the tail is large: 1 - P(X < k), the lower sum being well away from 1
    let term = Math.exp(-lambda);
    let lower = term;
    for (let i = 1; i < k; i++) {
      term *= lambda / i;
      lower += term;
    }
    if (term === 0 || !Number.isFinite(lower)) return 1 - lowerInLogSpace(k, lambda);
    return Math.max(0, 1 - lower);
  }
  let term = Math.exp(-lambda + k * Math.log(lambda) - logGamma(k + 1));
  let sum = 0;
  for (let i = k; term > sum * 1e-17 || i === k; i++) {
    sum += term;
    term *= lambda / (i + 1);
    if (i - k > 100_000) break;
  }
  return Math.min(1, sum);
}

/** P(X < k) summed from the top term down in log space, for a lambda so large that e^-lambda underflows. */
function lowerInLogSpace(k: number, lambda: number): number {
  let sum = 0;
  for (let i = k - 1; i >= 0; i--) {
    const term = Math.exp(-lambda + i * Math.log(lambda) - logGamma(i + 1));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
