/** The release without a terminal UI: `cockpit run --headless|--json`, `--dry-run`, `cockpit rollback`. Loaded only for them (run.ts). */
import { checkProgram } from '../exec/program.js';
import { attachJson, attachPlain } from '../headless/plain.js';
import { resolveInvocation } from '../runbook/placeholders.js';
import { programOf } from '../runbook/command.js';
import type { Runbook } from '../runbook/types.js';
import { EXIT_CODES, stageValue } from '../core/events.js';
import { openSession } from '../session/open.js';
import { commandPlan } from '../session/plan.js';
import { newSessionId, sessionValues } from '../session/values.js';
import { parse } from './args.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';
import { checkStage, type RunFlags } from './run-flags.js';
import { handleSignals } from './signals.js';

/** The plan, as the run would go: with --stage, the stages before it are skipped (the pre-flight still runs). */
export function dryRun(rb: Runbook, io: Io, fromStage?: string): number {
  checkStage(rb, fromStage);
  const values = sessionValues(rb, newSessionId());
  const skipped = new Set(fromStage === undefined ? [] : rb.stages.slice(0, rb.stages.findIndex((s) => s.id === fromStage)).map((s) => s.id));
  io.out(`dry run: ${rb.name} ${values.version} → ${rb.environment} (nothing runs)`);
  for (const section of commandPlan(rb)) {
    if (section.stage !== undefined && skipped.has(section.stage)) {
      io.out(`stage ${section.stage}: skipped (--stage ${fromStage})`);
      continue;
    }
    io.out(section.title);
    for (const item of section.items) {
      if (item.kind === 'note') {
        io.out(`  ${item.id}: ${item.text}`);
        continue;
      }
      // {stage} as the run will have it: the stage's id, or the environment for a pseudo-stage
      const s = item.step;
      const inv = resolveInvocation(s.command, { ...values, stage: stageValue(item.stage, rb.environment), reason: '<reason>', ...item.given });
      const program = s.command.kind === 'argv' ? inv.file : programOf(s.command);
      const problem = program ? checkProgram(program, s.cwd ? `${rb.dir}/${s.cwd}` : rb.dir) : undefined;
      const extra = [s.timeoutMs !== undefined ? `timeout ${s.timeoutMs / 1000}s` : '', s.retries ? `retries ${s.retries}` : '', problem ?? ''].filter(Boolean);
      io.out(`  ${s.id}: ${JSON.stringify([inv.file, ...inv.args])}${extra.length ? `  (${extra.join(', ')})` : ''}`);
    }
  }
  return 0;
}

/** Runs the release without a terminal UI; resolves with the exit code. */
export async function runHeadless(rb: Runbook, flags: RunFlags, io: Io): Promise<number> {
  checkStage(rb, flags.stage);
  const opened = openSession(rb, {
    mode: 'headless',
    autoAdvance: true,
    onFailure: flags.onFailure,
    confirm: flags.confirm,
    yes: flags.yes,
    fromStage: flags.stage,
    resume: true,
    learning: flags.learning,
  });
  if (typeof opened === 'string') {
    io.err(`cockpit: ${opened}`);
    return 1;
  }
  const { controller } = opened;
  if (rb.unarmed?.length && !flags.json)
    io.out(`⚠ auto-rollback off: ${rb.unarmed.length} trigger${rb.unarmed.length === 1 ? '' : 's'} of the runbook wait${rb.unarmed.length === 1 ? 's' : ''} for a metrics source or probes the runbook does not give (${rb.unarmed.join('; ')}): cockpit validate says what to add`);
  const detach = flags.json ? attachJson(controller, io.out) : attachPlain(controller, io.out);
  // Ctrl+C interrupts, but not a rollback at the first; SIGHUP never stops the run (signals.ts)
  const offSignals = handleSignals(controller, io, { quiet: flags.json });
  try {
    await controller.start();
    const outcome = await controller.settled;
    await controller.idle();
    await opened.drain();
    if (!flags.json) io.out(`journal: ${opened.journalPath}`);
    return EXIT_CODES[outcome];
  } finally {
    offSignals();
    detach();
    opened.close();
  }
}

/** cockpit rollback [runbook]: the rollback pipeline now, headless. */
export async function rollbackCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { reason: { type: 'string' }, json: { type: 'boolean' } }, 'usage: cockpit rollback [runbook] [--reason "..."] [--json]');
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  if (!rb.rollback) {
    io.err(`cockpit: ${rb.name} has no rollback section`);
    return 2;
  }
  // a session whose cockpit died with a step still running is taken over and rolled back (its
  // step interrupted first): a new session could not stop that step
  const opened = openSession(rb, { mode: 'headless', onFailure: 'stop', takeOverRunning: true });
  if (typeof opened === 'string') {
    io.err(`cockpit: ${opened}`);
    return 1;
  }
  const detach = values.json ? attachJson(opened.controller, io.out) : attachPlain(opened.controller, io.out);
  // the first Ctrl+C does not stop a rollback, a second within 2 s abandons it but the incident
  // still opens; SIGHUP never stops it (signals.ts)
  const offSignals = handleSignals(opened.controller, io, { quiet: values.json });
  try {
    const reason = values.reason ?? 'manual rollback (cockpit rollback)';
    const r = opened.resumed ? opened.controller.resumeAndRollback(reason, 'command') : opened.controller.rollback(reason, 'command');
    if (!r.ok) {
      io.err(`cockpit: ${r.reason}`);
      return 1;
    }
    const outcome = await opened.controller.settled;
    await opened.controller.idle();
    await opened.drain();
    if (!values.json) io.out(`journal: ${opened.journalPath}`);
    return outcome === 'rolled-back' ? 0 : EXIT_CODES[outcome];
  } finally {
    offSignals();
    detach();
    opened.close();
  }
}
