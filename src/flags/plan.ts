/** Ramp plans from the runbook, and the steps up and down from a percentage. */
import { parseDuration } from '../runbook/duration.js';
import type { Runbook } from '../runbook/types.js';

export type RampPlan = {
  readonly flag: string;
  /** Ascending, starting at 0 (the kill switch). */
  readonly steps: readonly number[];
  readonly holdMs?: number;
  readonly auto: boolean;
  readonly rollbackTo: number;
};

export function rampPlans(rb: Runbook): RampPlan[] {
  return Object.entries(rb.flags?.ramps ?? {}).map(([flag, ramp]) => {
    const raw = Array.isArray(ramp) ? ramp : ramp.steps;
    const steps = raw[0] === 0 ? [...raw] : [0, ...raw];
    if (Array.isArray(ramp)) return { flag, steps, auto: false, rollbackTo: 0 };
    return { flag, steps, holdMs: ramp.hold ? parseDuration(ramp.hold) : undefined, auto: ramp.auto ?? false, rollbackTo: ramp.rollbackTo ?? 0 };
  });
}

/** The next step above the current percentage (unknown counts as 0: flags start off). */
export function nextStep(plan: RampPlan, current: number | undefined): number | undefined {
  const cur = current ?? 0;
  return plan.steps.find((p) => p > cur);
}

/** The step below the current percentage. */
export function previousStep(plan: RampPlan, current: number | undefined): number | undefined {
  const cur = current ?? 0;
  return [...plan.steps].reverse().find((p) => p < cur);
}
