/** The shapes of an experiment's figures as journalled (experiment.sampled): data only, no maths. */

export type Comparison = {
  readonly controlRate: number;
  readonly treatmentRate: number;
  /** (treatment − control) / control. */
  readonly lift: number;
  readonly ci95: readonly [number, number];
  readonly z: number;
  readonly p: number;
};

export type SrmResult = { readonly chi2: number; readonly p: number; readonly mismatch: boolean };

export type VariantFigures = { readonly variant: string; readonly exposures?: number; readonly conversions?: number; readonly rate?: number; readonly error?: string };

export type ExperimentFigures = {
  readonly id: string;
  readonly variants: readonly VariantFigures[];
  /** Each treatment against the control (the first variant). */
  readonly comparisons: readonly { readonly variant: string; readonly result?: Comparison }[];
  readonly srm?: SrmResult;
  /** The intended split, in percent per variant. */
  readonly weights: readonly number[];
  readonly minSample: number;
  /** True when every variant has at least minSample exposures. */
  readonly ready: boolean;
  readonly verdict: string;
};
