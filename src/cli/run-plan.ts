/**
 * `--set` and `--choose` applied to a loaded runbook (normalised again with them), or exit 2 naming
 * what does not exist; and the headless gate: nothing runs while a choice is unmade or an input has
 * no value. Loaded only when a runbook has choices or inputs, or the flags are given (run.ts).
 */
import type { CachedRunbook } from '../runbook/cache.js';
import { normalize } from '../runbook/normalize.js';
import type { Runbook } from '../runbook/types.js';
import { checkGiven, neededBeforeRun, parseAssignments, type Given, type Locate } from '../session/plan-review.js';
import { UsageError } from './args.js';
import type { Io } from './io.js';

/** The runbook as the flags make it, with what they gave; a UsageError (exit 2) listing every mistake. */
export function applyGiven(loaded: CachedRunbook, flags: { readonly set?: readonly string[]; readonly choose?: readonly string[] }): { runbook: Runbook; given: Given } {
  const set = parseAssignments(flags.set, '--set');
  if (typeof set === 'string') throw new UsageError(set);
  const choose = parseAssignments(flags.choose, '--choose');
  if (typeof choose === 'string') throw new UsageError(choose);
  const given = checkGiven(loaded.runbook, set, choose);
  if (Array.isArray(given)) throw new UsageError(given.join('\ncockpit: '));
  if (Object.keys(set).length === 0 && Object.keys(choose).length === 0) return { runbook: loaded.runbook, given };
  if (!loaded.raw) throw new UsageError('cannot apply --set/--choose: the runbook as written is not available (run with COCKPIT_NO_CACHE=1)');
  return { runbook: normalize(loaded.raw, loaded.runbook.file, { ...given, dir: loaded.runbook.dir }), given };
}

/** Headless never asks: what is still needed is listed (exit 2), each at its line when known, before anything runs; undefined when the run can start. */
export function headlessGate(rb: Runbook, display: string, io: Io, locate?: Locate): number | undefined {
  const needed = neededBeforeRun(rb, display, locate);
  if (needed.length === 0) return undefined;
  for (const line of needed) io.err(line);
  io.err(`cockpit: ${needed.length} thing${needed.length === 1 ? '' : 's'} to give before the run (headless never asks): nothing ran`);
  return 2;
}
