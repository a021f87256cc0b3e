/**
 * cockpit validate's check that every command the rollback pipeline can run exists and is
 * executable (the rule is session/rollback-ready.ts, the one the guardrail self-test runs before a
 * release): each problem an error where the command is written (file:line), exit 2.
 */
import type { LocatedError } from '../runbook/locate.js';
import { commandStep } from '../runbook/normalize.js';
import type { Path } from '../runbook/rules.js';
import type { RawRunbook } from '../runbook/schema.js';
import type { Runbook } from '../runbook/types.js';
import { rollbackCommandProblems } from '../session/rollback-ready.js';

type RawRun = Parameters<typeof commandStep>[0];

/** Where each rollback-pipeline command is written, with how it displays (to find a problem's place). */
function sites(raw: RawRunbook): { path: Path; display: string }[] {
  const out: { path: Path; display: string }[] = [];
  const add = (path: Path, run: unknown) => {
    const r = run !== null && typeof run === 'object' && !Array.isArray(run) ? (run as { run?: unknown }).run : run;
    if (typeof r === 'string' || Array.isArray(r)) out.push({ path, display: commandStep(r as RawRun).display });
  };
  (raw.rollback?.steps ?? []).forEach((s, i) => add(['rollback', 'steps', i], s));
  (raw.rollback?.verify ?? []).forEach((s, i) => add(['rollback', 'verify', i], s));
  if (raw.rollback?.incident !== undefined) add(['rollback', 'incident'], raw.rollback.incident);
  (raw.escalation ?? []).forEach((e, i) => add(['escalation', i, 'run'], e.run));
  return out;
}

/** Every rollback-pipeline command that cannot run, located (the runbook's start when its place is not found). */
export function rollbackCommandErrors(rb: Runbook, raw: RawRunbook | undefined, locate: ((e: { path: Path; message: string }[]) => LocatedError[]) | undefined, display: string): LocatedError[] {
  const problems = rollbackCommandProblems(rb);
  if (problems.length === 0) return [];
  const known = raw ? sites(raw) : [];
  const errs = problems.map((p) => ({ path: known.find((s) => s.display === p.display)?.path ?? [], message: `${p.where} cannot run: ${p.reason} (the guardrail self-test fails the pre-flight on it)` }));
  return locate ? locate(errs) : errs.map((e) => ({ file: display, line: 1, col: 1, message: e.message }));
}
