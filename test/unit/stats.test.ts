/**
 * Experiment statistics against reference values, each to 4 significant digits.
 *
 * References were computed with Python's standard library only (scipy is not available):
 *
 *   import math
 *   two_sided_p = lambda z: math.erfc(abs(z) / math.sqrt(2))                 # P(|Z| ≥ |z|)
 *   chi2_df1    = lambda x: math.erfc(math.sqrt(x / 2))                      # χ²(1) = Z²
 *   chi2_df2    = lambda x: math.exp(-x / 2)                                 # χ²(2) is Exp(1/2)
 *   chi2_df3    = lambda x: math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
 *
 *   def compare(c1, n1, c2, n2):                                             # control, treatment
 *       p1, p2 = c1 / n1, c2 / n2
 *       pp = (c1 + c2) / (n1 + n2)                                           # pooled under H0
 *       z = (p2 - p1) / math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
 *       v1, v2 = p1 * (1 - p1) / n1, p2 * (1 - p2) / n2
 *       sd = math.sqrt(v2 / p1**2 + p2**2 * v1 / p1**4)                      # delta method, below
 *       lift = p2 / p1 - 1
 *       return z, two_sided_p(z), lift, (lift - 1.959963984540054 * sd, lift + 1.959963984540054 * sd)
 *
 * Delta method for the relative lift L = p2/p1 − 1 = g(p1, p2) with g(a, b) = b/a − 1:
 *   ∂g/∂a = −b/a², ∂g/∂b = 1/a; the arms are independent, so
 *   Var(L) ≈ (∂g/∂b)² Var(p2) + (∂g/∂a)² Var(p1) = v2/p1² + p2²·v1/p1⁴,  v_i = p_i(1−p_i)/n_i,
 *   and the 95 % interval is L ± z₀.₉₇₅·√Var(L), z₀.₉₇₅ = 1.959963984540054.
 *   Worked by hand for 200/2000 vs 250/2000: p1 = 0.1, p2 = 0.125, v1 = 0.09/2000 = 4.5e-5,
 *   v2 = 0.109375/2000 = 5.46875e-5; Var = 5.46875e-5/0.01 + 0.015625·4.5e-5/1e-4
 *   = 5.46875e-3 + 7.03125e-3 = 0.0125 → sd = 0.1118034; L = 0.25 → [0.03087, 0.4691].
 */
import { describe, expect, it } from 'vitest';
import { chiSquareP, compare, gammaQ, srm, SRM_P, twoSidedP } from '../../src/flags/stats.js';

/** Equal to `ref` to 4 significant digits. */
function sig4(actual: number | undefined, ref: number): void {
  expect(actual).toBeTypeOf('number');
  expect(Number(actual!.toPrecision(4))).toBe(Number(ref.toPrecision(4)));
  // and not by luck of rounding: within half a unit of the 4th digit
  expect(Math.abs(actual! - ref)).toBeLessThanOrEqual(Math.abs(ref) * 5e-4);
}

describe('two-sided p of the standard normal', () => {
  it.each([
    // z, python two_sided_p(z)
    [0, 1],
    [1, 0.31731050786291415],
    [1.959963984540054, 0.05],
    [-1.959963984540054, 0.05],
    [2.5758293035489, 0.01],
    [3.290526731491926, 0.001],
    [5, 5.733031437583892e-7],
    [8, 1.2441921148543639e-15],
  ])('z = %s → p = %s', (z, p) => sig4(twoSidedP(z), p));
});

describe('chi-square upper tail', () => {
  it.each([
    // x, df, reference (python closed forms above)
    [3.841458820694124, 1, 0.05], // the 5 % critical value of χ²(1)
    [6.634896601021214, 1, 0.01],
    [10.827566170662733, 1, 0.001],
    [3.9215686274509802, 1, 0.04767038065616144],
    [5.991464547107979, 2, 0.05],
    [1, 2, 0.6065306597126334], // exp(−1/2)
    [10, 3, 0.018566135463043237], // tables: 0.01857
    [7.814727903251178, 3, 0.05],
    [0.5, 3, 0.9188914116546758],
    [100, 1, 1.5239706048320995e-23], // deep tail: continued fraction, relative precision kept
  ])('P(χ² ≥ %s), df = %s → %s', (x, df, p) => sig4(chiSquareP(x, df), p));

  it('gammaQ is 1 at 0 and is a probability across the series/continued-fraction switch (x = a + 1)', () => {
    expect(gammaQ(1.5, 0)).toBe(1);
    const below = gammaQ(1.5, 2.5 - 1e-9);
    const above = gammaQ(1.5, 2.5 + 1e-9);
    expect(Math.abs(below - above)).toBeLessThan(1e-8);
    sig4(gammaQ(1.5, 2.5), 0.17179714429673315); // = chi2_df3(5)
  });
});

describe('compare: two-proportion z-test and the relative lift', () => {
  it('textbook cross-check: lovastatin 57/2325 vs placebo 97/2081 → z = 3.987, one-sided p = 0.00003348', () => {
    // A textbook exercise ("Does lovastatin reduce the risk of heart attack? In a Texas study…"),
    // worked with a two-proportion z-test: z = 3.987, p = 0.00003348 (one-sided; two-sided is twice it).
    // Our arms are control = lovastatin, treatment = placebo, so z comes out positive.
    const c = compare({ exposures: 2325, conversions: 57 }, { exposures: 2081, conversions: 97 })!;
    sig4(c.z, 3.986832081642938);
    sig4(c.p / 2, 3.348e-5);
    sig4(c.p, 6.696138152428081e-5);
  });

  it.each([
    // control, treatment → z, two-sided p, lift, CI (python compare above)
    [{ c1: 200, n1: 2000, c2: 250, n2: 2000 }, { z: 2.501955417, p: 0.01235094771, lift: 0.25, lo: 0.03086936486, hi: 0.4691306351 }],
    [{ c1: 1000, n1: 10000, c2: 1100, n2: 10000 }, { z: 2.306634774, p: 0.02107518927, lift: 0.1, lo: 0.01087011253, hi: 0.1891298875 }],
    [{ c1: 140, n1: 200, c2: 255, n2: 340 }, { z: 1.266014826, p: 0.2055077743, lift: 0.07142857143, lo: -0.0459299529, hi: 0.1887870958 }],
    [{ c1: 48, n1: 1000, c2: 60, n2: 1000 }, { z: 1.18719976, p: 0.2351488356, lift: 0.25, lo: -0.2116068879, hi: 0.7116068879 }],
  ])('%o', (a, r) => {
    const c = compare({ exposures: a.n1, conversions: a.c1 }, { exposures: a.n2, conversions: a.c2 })!;
    expect(c.controlRate).toBe(a.c1 / a.n1);
    expect(c.treatmentRate).toBe(a.c2 / a.n2);
    sig4(c.z, r.z);
    sig4(c.p, r.p);
    sig4(c.lift, r.lift);
    sig4(c.ci95[0], r.lo);
    sig4(c.ci95[1], r.hi);
    // a CI that excludes 0 goes with p < 0.05 here (the two use different SEs, but agree on these)
    expect(c.ci95[0] > 0).toBe(c.p < 0.05);
  });

  it('no difference → z = 0, p = 1, a symmetric interval around 0', () => {
    const c = compare({ exposures: 10000, conversions: 500 }, { exposures: 10000, conversions: 500 })!;
    expect(c.z).toBe(0);
    sig4(c.p, 1);
    expect(c.lift).toBe(0);
    sig4(c.ci95[1], 0.1208202943);
    expect(c.ci95[0]).toBeCloseTo(-c.ci95[1], 12);
  });

  it('is symmetric in sign: swapping the arms negates z and keeps p', () => {
    const a = { exposures: 2000, conversions: 200 };
    const b = { exposures: 2000, conversions: 250 };
    expect(compare(b, a)!.z).toBeCloseTo(-compare(a, b)!.z, 12);
    expect(compare(b, a)!.p).toBeCloseTo(compare(a, b)!.p, 12);
  });

  it('is undefined before there is data: no exposures in either arm, or no control conversion yet', () => {
    expect(compare({ exposures: 0, conversions: 0 }, { exposures: 0, conversions: 0 })).toBeUndefined();
    expect(compare({ exposures: 0, conversions: 0 }, { exposures: 100, conversions: 5 })).toBeUndefined();
    expect(compare({ exposures: 100, conversions: 5 }, { exposures: 0, conversions: 0 })).toBeUndefined();
    expect(compare({ exposures: 100, conversions: 0 }, { exposures: 100, conversions: 5 })).toBeUndefined();
    // a treatment with no conversion yet is data: a lift of −100 %
    expect(compare({ exposures: 100, conversions: 5 }, { exposures: 100, conversions: 0 })!.lift).toBe(-1);
  });
});

describe('sample ratio mismatch', () => {
  it('5000/5200 at 50/50 → χ² = 3.922, p ≈ 0.04767: suspicious, not a mismatch', () => {
    const r = srm([5000, 5200], [50, 50])!;
    sig4(r.chi2, 3.9215686274509802);
    sig4(r.p, 0.04767038065616144);
    expect(r.mismatch).toBe(false);
  });

  it('the mismatch flag is p < 0.001: 4836/5164 (p = 0.001038) is not, 4835/5165 (p = 0.000967) is', () => {
    expect(SRM_P).toBe(0.001);
    const near = srm([4836, 5164], [1, 1])!; // d = 164: χ² = 10.7584
    sig4(near.p, 0.0010380708664139465);
    expect(near.mismatch).toBe(false);
    const over = srm([4835, 5165], [1, 1])!; // d = 165: χ² = 10.89
    sig4(over.p, 0.000966848284767553);
    expect(over.mismatch).toBe(true);
    expect(srm([5000, 5400], [1, 1])!.mismatch).toBe(true);
  });

  it('weights at any scale, more than two arms (χ²(3))', () => {
    const a = srm([2500, 2480, 2560, 2460], [25, 25, 25, 25])!;
    sig4(a.chi2, 2.24);
    sig4(a.p, 0.5241126510419973);
    const b = srm([1030, 1980, 990, 4000], [0.125, 0.25, 0.125, 0.5])!;
    sig4(b.chi2, 1.2);
    sig4(b.p, 0.753004311656458);
    const c = srm([900, 2100], [1, 2])!; // intended 1:2, observed 900:2100 → χ² = 15
    sig4(c.chi2, 15);
    sig4(c.p, 0.00010751117672950056);
    expect(c.mismatch).toBe(true);
  });

  it('undefined without data or with a malformed split', () => {
    expect(srm([0, 0], [1, 1])).toBeUndefined();
    expect(srm([10, 10], [0, 0])).toBeUndefined();
    expect(srm([10, 10, 10], [1, 1])).toBeUndefined();
    expect(srm([10], [1])).toBeUndefined();
  });
});
