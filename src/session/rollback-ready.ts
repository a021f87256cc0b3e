/**
 * Whether every command the rollback pipeline can run (its steps, verify, incident, the escalation
 * levels' `run`, the risk register's `run`) exists and is executable: one rule per command
 * (commandProblem), read by the session's program check, the guardrail self-test (a pre-flight
 * failure) and `cockpit validate` (an error where the command is written).
 */
import { resolve } from 'node:path';
import { ESCALATION, ROLLBACK } from '../core/events.js';
import { checkCwd, checkProgram } from '../exec/program.js';
import { programOf } from '../runbook/command.js';
import { resolveInvocation, type PlaceholderValues } from '../runbook/placeholders.js';
import type { CommandStep, Runbook } from '../runbook/types.js';
import { planCommands } from './plan.js';

/**
 * Why a command step cannot run from `dir` (its cwd, or its program missing or not executable), or
 * undefined when it can. A shell script is checked for its program only when it starts with a path
 * (`./x.sh`); a bare word in a script is the shell's to find.
 */
export function commandProblem(step: CommandStep, dir: string, values: PlaceholderValues = {}, check: ProgramCheck = realCheck): string | undefined {
  const program = step.command.kind === 'argv' ? resolveInvocation(step.command, values).file : programOf(step.command);
  return check(program, step.cwd ? resolve(dir, step.cwd) : dir);
}

/** Why `program` (or, with none to check, the cwd) cannot be used from `cwd`: the session's Runner.programProblem. */
export type ProgramCheck = (program: string | undefined, cwd: string) => string | undefined;

const realCheck: ProgramCheck = (program, cwd) => (program ? checkProgram(program, cwd) : checkCwd(cwd));

export type RollbackCommandProblem = { readonly where: string; readonly display: string; readonly reason: string };

/** Every rollback-pipeline command that cannot run as things are, with where it sits ("rollback rollback-production", "escalation level 1 (after 0 min)"). */
export function rollbackCommandProblems(rb: Runbook, values: PlaceholderValues = {}, check: ProgramCheck = realCheck): RollbackCommandProblem[] {
  return planCommands(rb)
    .filter((c) => c.stage === ROLLBACK || c.stage === ESCALATION)
    .flatMap((c) => {
      const reason = commandProblem(c.step, rb.dir, { ...values, ...c.given }, check);
      return reason ? [{ where: `${c.stage} ${c.step.id}`, display: c.step.display, reason }] : [];
    });
}
