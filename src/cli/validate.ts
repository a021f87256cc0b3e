/**
 * cockpit validate [file]: `ok` and a one-line summary, or every error located, exit 2. For a
 * Markdown runbook also what was mapped from it, what was assumed, and every part not mapped, why.
 * Guardrails written but not armed (no metrics source, no probe) are warnings: each located, then
 * what to fill in; still exit 0, since the release itself can run (auto-rollback off, and it says so).
 * So is a placeholder an inner shell parses (`bash -c "… {version}"`, ssh's remote command).
 */
import { armingNeeds, notArmed, notArmedCount } from '../runbook/armed.js';
import { formatError, type LocatedError } from '../runbook/locate.js';
import { findRunbook, isMarkdown, loadRunbook, RunbookNotFound, type LoadResult } from '../runbook/load.js';
import { formatReport, type MarkdownLoad } from '../runbook/markdown.js';
import type { RawRunbook } from '../runbook/schema.js';
import type { Runbook } from '../runbook/types.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import { describeTrigger, unitsOf } from '../guard/describe.js';
import { rollbackCommandErrors } from './validate-commands.js';
import { unsetHeaderVars } from '../runbook/header-env.js';
import type { Io } from './io.js';

export const USAGE = usageOf(COMMANDS.validate);

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function summary(rb: Runbook, raw?: RawRunbook): string {
  const auto = rb.preflight.filter((p) => p.kind === 'auto').length;
  const steps = rb.stages.reduce((a, s) => a + s.steps.length, 0);
  const manualSteps = rb.stages.reduce((a, s) => a + s.steps.filter((x) => x.kind === 'manual').length, 0);
  const rollbackSteps = rb.rollback ? rb.rollback.steps.length + rb.rollback.verify.length + (rb.rollback.incident ? 1 : 0) : 0;
  const unarmed = rb.unarmed?.length ?? 0;
  const shadows = rb.rollback?.shadows?.length ?? 0;
  // series written without a source are the runbook's too (counted, said to have no source)
  const unsourced = raw?.metrics && raw.metrics.source === undefined ? Object.keys(raw.metrics.series).length : 0;
  return [
    n(rb.preflight.length, 'check') + ` (${auto} automated, ${rb.preflight.length - auto} manual)`,
    n(rb.stages.length, 'stage'),
    n(steps, 'step') + (manualSteps ? ` (${manualSteps} manual)` : ''),
    n(rollbackSteps, 'rollback step'),
    n((rb.rollback?.triggers.length ?? 0) + shadows + unarmed, 'trigger') + [unarmed ? `${unarmed} not armed` : '', shadows ? `${shadows} shadow` : ''].filter(Boolean).map((x) => ` (${x})`).join(''),
    n(Object.keys(rb.metrics?.series ?? {}).length + unsourced, 'metric') + (unsourced ? ' (no source)' : ''),
    n(rb.probes.length, 'probe'),
    n(rb.escalation.length, 'escalation level'),
    n(Object.keys(rb.flags?.ramps ?? {}).length, 'flag'),
    n(Object.keys(rb.experiments).length, 'experiment'),
    n(rb.troubleshooting.length, 'troubleshooting entry', 'troubleshooting entries'),
    n(rb.secrets.length, 'secret'),
  ].join(', ');
}

/** Each shadow trigger, said to be one: it is evaluated and journalled, and acts on nothing. */
export function shadowLines(rb: Runbook): string[] {
  const units = unitsOf(rb);
  return (rb.rollback?.shadows ?? []).map((t) => `shadow trigger ${t.id}: ${describeTrigger(t, units)} (evaluated and journalled as "would have fired"; never rolls back, holds the release or refuses a ramp)`);
}

/** Other warnings (a placeholder an inner shell parses), each where it is written. */
export function cautionLines(cautions: readonly LocatedError[]): string[] {
  return cautions.map((w) => `${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
}

/** The guardrails written but not armed, each where it is written, then what to fill in (exit 0: a warning). */
export function notArmedLines(warnings: readonly LocatedError[], raw: RawRunbook | undefined, markdown: boolean): string[] {
  if (warnings.length === 0 || !raw) return [];
  const out = warnings.map((w) => `${w.file}:${w.line}:${w.col}: warning: ${w.message}`);
  out.push(`${notArmedCount(notArmed(raw))} not armed: to arm ${warnings.length === 1 ? 'it' : 'them'}, ${markdown ? 'add to the front matter' : 'fill in'}:`);
  for (const l of armingNeeds(raw)) out.push(`  ${l}`);
  return out;
}

function load(given: string | undefined): LoadResult {
  try {
    return loadRunbook(given);
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw e;
  }
}

function validateMarkdown(given: string, io: Io): number {
  const r = load(given) as MarkdownLoad;
  if (!r.ok) {
    for (const e of r.errors) io.err(formatError(e));
    io.err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}`);
    for (const line of formatReport(r.report, r.display)) io.err(line);
    return 2;
  }
  if (commandErrors(r, io)) {
    for (const line of formatReport(r.report, r.display)) io.err(line); // what was mapped, as for any other error
    return 2;
  }
  io.out(`ok: ${r.runbook.name}: ${summary(r.runbook, r.raw)}`);
  for (const line of shadowLines(r.runbook)) io.out(line);
  for (const line of formatReport(r.report, r.display)) io.out(line);
  for (const line of cautionLines(r.cautions ?? [])) io.out(line);
  for (const line of notArmedLines(r.warnings ?? [], r.raw, true)) io.out(line);
  return 0;
}

/** A rollback-pipeline command that cannot run is an error (exit 2): true when there was one. */
function commandErrors(r: Extract<LoadResult, { ok: true }>, io: Io): boolean {
  const headers = unsetHeaderVars(r.runbook, process.env);
  const errors = [...rollbackCommandErrors(r.runbook, r.raw, r.locate, r.display), ...(r.locate ? r.locate(headers) : headers.map((e) => ({ file: r.display, line: 1, col: 1, message: e.message })))];
  for (const e of errors) io.err(formatError(e));
  if (errors.length) io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} in ${r.display}`);
  return errors.length > 0;
}

export function validateCommand(argv: string[], io: Io): number {
  const { positionals } = parse(argv, COMMANDS.validate);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  let file: string | undefined;
  try {
    file = positionals[0] !== undefined ? findRunbook(positionals[0]) : undefined;
  } catch {
    file = undefined; // load says why
  }
  if (file !== undefined && isMarkdown(file)) return validateMarkdown(positionals[0], io);
  const r = load(positionals[0]);
  if (!r.ok) {
    for (const e of r.errors) io.err(formatError(e));
    io.err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}`);
    return 2;
  }
  if (commandErrors(r, io)) return 2;
  io.out(`ok: ${r.runbook.name}: ${summary(r.runbook, r.raw)}`);
  for (const line of shadowLines(r.runbook)) io.out(line);
  for (const line of cautionLines(r.cautions ?? [])) io.out(line);
  for (const line of notArmedLines(r.warnings ?? [], r.raw, false)) io.out(line);
  return 0;
}
