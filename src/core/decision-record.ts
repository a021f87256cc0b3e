/**
 * Why a trigger fired, in full (built by src/guard/decision.ts decisionRecord, rendered by its
 * decisionLines): journalled on trigger.fired and rollback.started, optional there so older
 * journals still fold.
 */
export type DecisionRecord = {
  readonly trigger: string;
  readonly kind: 'metric' | 'probe';
  /** The metric's name, or the probe's ("critical": every critical probe). */
  readonly subject: string;
  /** Where the value came from: the series' PromQL query or JSON pointer, when the runbook gives one. */
  readonly query?: string;
  /** The URLs a probe trigger watches. */
  readonly urls?: readonly string[];
  /** The value at the firing sample (a probe: 1, breaching). */
  readonly value: number;
  readonly unit?: string;
  /** `>` / `<` for a metric; a probe `is` its condition. */
  readonly comparator: '>' | '<' | 'is';
  /** A number for a metric; a probe's condition ("5xx", "latency > 800 ms"). */
  readonly threshold: number | string;
  readonly forMs: number;
  /** Session times: the first breaching sample of the window, and the sample that fired. */
  readonly since: number;
  readonly at: number;
  /** The window's samples [tick time, value or null for a miss], the newest RECORD_SAMPLES. */
  readonly window: readonly (readonly [number, number | null])[];
  /** How many samples the window had. */
  readonly samples: number;
  /** A probe trigger: what each watched probe answered last ("checkout 503 12ms"). */
  readonly observed?: string;
};
