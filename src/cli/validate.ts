/** cockpit validate [file]: `ok` and a one-line summary, or every error located, exit 2. */
import type { Runbook } from '../runbook/types.js';
import { parse } from './args.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';

export const USAGE = 'usage: cockpit validate [runbook]';

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function summary(rb: Runbook): string {
  const auto = rb.preflight.filter((p) => p.kind === 'auto').length;
  const steps = rb.stages.reduce((a, s) => a + s.steps.length, 0);
  const rollbackSteps = rb.rollback ? rb.rollback.steps.length + rb.rollback.verify.length + (rb.rollback.incident ? 1 : 0) : 0;
  return [
    n(rb.preflight.length, 'check') + ` (${auto} automated, ${rb.preflight.length - auto} manual)`,
    n(rb.stages.length, 'stage'),
    n(steps, 'step'),
    n(rollbackSteps, 'rollback step'),
    n(rb.rollback?.triggers.length ?? 0, 'trigger'),
    n(Object.keys(rb.metrics?.series ?? {}).length, 'metric'),
    n(rb.probes.length, 'probe'),
    n(rb.escalation.length, 'escalation level'),
    n(Object.keys(rb.flags?.ramps ?? {}).length, 'flag'),
    n(Object.keys(rb.experiments).length, 'experiment'),
    n(rb.troubleshooting.length, 'troubleshooting entry', 'troubleshooting entries'),
    n(rb.secrets.length, 'secret'),
  ].join(', ');
}

export function validateCommand(argv: string[], io: Io): number {
  const { positionals } = parse(argv, {}, USAGE);
  const rb = loadOrExit(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  io.out(`ok: ${rb.name}: ${summary(rb)}`);
  return 0;
}
