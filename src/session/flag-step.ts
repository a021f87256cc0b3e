/**
 * The one-shot flag step (`cockpit flag <name> <percent>|--next|--previous`): the session starts
 * without watching, reads every flag, judges the guardrails on one fresh sample of the metrics and
 * probes, then takes the step through the same guarded path as the screen's + and -.
 */
import type { FlagResult } from '../flags/manager.js';
import type { Engine } from './engine.js';

export type FlagStepAsk = {
  readonly flag: string;
  /** The percentage asked for; without it, one step of the ramp in `dir`. */
  readonly to?: number;
  readonly dir?: 'up' | 'down';
  /** Go up although a guardrail refuses (the operator repeated the flag's name). */
  readonly forced: boolean;
};

export type FlagStepOutcome = {
  /** Why the flag could not be read before the step (the step is tried all the same). */
  readonly readError?: string;
  /** The percentage the provider said before the step. */
  readonly from?: number;
} & ({ readonly noTarget: string } | { readonly to: number; readonly result: FlagResult });

export async function flagStep(x: Engine, ask: FlagStepAsk): Promise<FlagStepOutcome> {
  const ramps = x.flags;
  if (!ramps) return { noTarget: `${x.o.runbook.name} has no flags section` };
  x.begin({ watch: false });
  await ramps.readAll();
  if (x.guard) {
    x.guard.arm('flag command');
    await x.guard.sampleOnce();
  }
  const before = x.s.flags[ask.flag];
  const known = { readError: before?.status === 'unknown' && before.error ? before.error : undefined, from: before?.percent };
  let to = ask.to;
  if (to === undefined) {
    const t = ramps.target(ask.flag, ask.dir ?? 'up');
    if (typeof t === 'string') return { ...known, noTarget: t };
    to = t;
  }
  // one fresh sample is all a one-shot command has: a metric without data refuses a step up
  const result = await ramps.apply(ask.flag, to, { forced: ask.forced, by: 'command', noDataAfter: 1 });
  return { ...known, to, result };
}
