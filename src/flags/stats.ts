/**
 * Experiment statistics: two-proportion z-test (two-sided p-value), relative lift with a 95 %
 * confidence interval (delta method, as GrowthBook's frequentist engine), and the sample ratio
 * mismatch check (chi-square goodness of fit against the intended split).
 */
import type { Comparison, SrmResult } from '../core/figures.js';
export type { Comparison, SrmResult } from '../core/figures.js';

/** ln Γ(x), Lanczos approximation (g = 7, n = 9): ~15 significant digits. */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) (Numerical Recipes: series or continued fraction). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    for (let n = 1; n < 1000; n++) {
      del *= x / (a + n);
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** Two-sided tail of the standard normal: P(|Z| ≥ |z|) = erfc(|z|/√2) = Q(1/2, z²/2). */
export function twoSidedP(z: number): number {
  return gammaQ(0.5, (z * z) / 2);
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquareP(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export type Arm = { readonly exposures: number; readonly conversions: number };


const Z95 = 1.959963984540054;

/** Compares a treatment arm with the control arm. Undefined while either arm has no exposure or the control no conversion. */
export function compare(control: Arm, treatment: Arm): Comparison | undefined {
  const { exposures: n1, conversions: c1 } = control;
  const { exposures: n2, conversions: c2 } = treatment;
  if (n1 <= 0 || n2 <= 0 || c1 <= 0) return undefined;
  const p1 = c1 / n1;
  const p2 = c2 / n2;
  const pooled = (c1 + c2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se === 0 ? 0 : (p2 - p1) / se;
  const lift = (p2 - p1) / p1;
  // delta method for the ratio p2/p1: var ≈ (p2/p1)² (v2/p2² + v1/p1²)
  const v1 = (p1 * (1 - p1)) / n1;
  const v2 = (p2 * (1 - p2)) / n2;
  const sdLift = Math.sqrt(v2 / (p1 * p1) + ((p2 * p2) / (p1 ** 4)) * v1);
  return { controlRate: p1, treatmentRate: p2, lift, ci95: [lift - Z95 * sdLift, lift + Z95 * sdLift], z, p: twoSidedP(z) };
}


/** The SRM threshold GrowthBook warns at. */
export const SRM_P = 0.001;

/** Sample ratio mismatch: observed exposures against the intended weights (any scale). */
export function srm(observed: readonly number[], weights: readonly number[]): SrmResult | undefined {
  const total = observed.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || wsum <= 0 || observed.length !== weights.length || observed.length < 2) return undefined;
  let chi2 = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * weights[i]) / wsum;
    if (expected > 0) chi2 += (observed[i] - expected) ** 2 / expected;
  }
  const p = chiSquareP(chi2, observed.length - 1);
  return { chi2, p, mismatch: p < SRM_P };
}
