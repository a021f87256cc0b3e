/** What several headless lines read from the state: a step, its title, a stage's title. */
import { EMERGENCY, PREFLIGHT, ROLLBACK } from '../../core/events.js';
import { sanitizeLine } from '../../exec/log-format.js';
import type { SessionState, StepState } from '../../session/reduce.js';

export function stepOf(s: SessionState, stage: string, step: string): StepState | undefined {
  const list = stage === PREFLIGHT ? s.preflight.steps : stage === ROLLBACK ? s.rollback.steps : stage === EMERGENCY ? s.emergency : s.stages.find((x) => x.id === stage)?.steps;
  return list?.find((x) => x.id === step);
}

export function titleOf(s: SessionState, stage: string, step: string): string {
  // a runbook string: on one line (a title with a line break must not forge a stamped line of its own)
  return sanitizeLine(stepOf(s, stage, step)?.title ?? step);
}

export function stageTitle(s: SessionState, stage: string): string {
  return sanitizeLine(s.stages.find((x) => x.id === stage)?.title ?? stage);
}

/** A sampled number as the lines print it: four significant digits. */
export const num = (v: number) => Number(v.toPrecision(4));

/** "(after 3 attempts)" when it took more than one. */
export const attemptsText = (n: number) => (n > 1 ? ` (after ${n} attempts)` : '');
