/** The release without a terminal UI: `cockpit run --headless|--json`, `--dry-run`, `cockpit rollback`. Loaded only for them (run.ts). */
import type { TeamLease } from '../core/events.js';
import type { Sharing } from '../share/share-session.js';
import { isShareUrl } from '../share/protocol.js';
import { checkProgram } from '../exec/program.js';
import { attachJson, attachPlain } from '../headless/plain.js';
import { resolveInvocation } from '../runbook/placeholders.js';
import { programOf } from '../runbook/command.js';
import type { Runbook } from '../runbook/types.js';
import { EXIT_CODES, stageValue, type Outcome } from '../core/events.js';
import type { Controller } from '../session/controller.js';
import { openSession, type OpenedSession } from '../session/open.js';
import { commandPlan } from '../session/plan.js';
import { unmatchedConfirms } from '../session/manual.js';
import { newSessionId, sessionValues } from '../session/values.js';
import { parse } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';
import { checkStage, type RunFlags } from './run-flags.js';
import { headlessGate } from './run-plan.js';
import { handleSignals } from './signals.js';
import type { PlanLines } from '../runbook/markdown-source.js';
import { choicesAndInputs, locateFrom, planAcceptedEvent, recordsPlan } from '../session/plan-review.js';

/** The plan, as the run would go: with --stage, the stages before it are skipped (the pre-flight still runs). */
export function dryRun(rb: Runbook, io: Io, fromStage?: string, display = rb.file, lines?: PlanLines): number {
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
  for (const line of choicesAndInputs(rb, display, locateFrom(lines))) io.out(line);
  return 0;
}

/**
 * A headless session from its opening to its close: the output attached (plain lines or --json),
 * Ctrl+C and SIGHUP handled (signals.ts: not a rollback at the first Ctrl+C, never on SIGHUP),
 * `act` sets it going (or says why it cannot); resolves with the exit code once the outcome and
 * everything after it (the review, the risk register) is written.
 */
export async function drive(
  opened: OpenedSession | string,
  json: boolean | undefined,
  io: Io,
  act: (c: Controller) => Promise<string | undefined>,
  exitOf: (o: Outcome) => number = (o) => EXIT_CODES[o],
): Promise<number> {
  if (typeof opened === 'string') {
    io.err(`cockpit: ${opened}`);
    return 1;
  }
  const { controller } = opened;
  const detach = json ? attachJson(controller, io.out) : attachPlain(controller, io.out);
  const offSignals = handleSignals(controller, io, { quiet: json });
  try {
    const refused = await act(controller);
    if (refused !== undefined) {
      io.err(`cockpit: ${refused}`);
      return 1;
    }
    const outcome = await controller.settled;
    await controller.idle();
    await opened.drain();
    if (!json) io.out(`journal: ${opened.journalPath}`);
    return exitOf(outcome);
  } finally {
    offSignals();
    detach();
    opened.close();
  }
}

/** Runs the release without a terminal UI; resolves with the exit code. */
export type HeadlessPlan = { display: string; hash?: string; lines?: PlanLines; teamLease?: TeamLease; onLeaseLost?: (tell: (why: string) => void) => void; share?: Sharing };

export async function runHeadless(rb: Runbook, flags: RunFlags, io: Io, plan: HeadlessPlan = { display: rb.file }): Promise<number> {
  checkStage(rb, flags.stage);
  const gate = headlessGate(rb, plan.display, io, locateFrom(plan.lines));
  if (gate !== undefined) return gate;
  const opened = openSession(rb, {
    ...(recordsPlan(rb, plan.hash) ? { plan: planAcceptedEvent(rb, plan.hash, 'given') } : {}),
    ...(plan.teamLease ? { teamLease: plan.teamLease } : {}),
    ...(plan.onLeaseLost ? { onLeaseLost: plan.onLeaseLost } : {}),
    mode: 'headless',
    autoAdvance: true,
    onFailure: flags.onFailure,
    confirm: flags.confirm,
    yes: flags.yes,
    unguarded: flags.unguarded,
    fromStage: flags.stage,
    resume: true,
    learning: flags.learning,
  });
  if (plan.share && typeof opened !== 'string') plan.share.attach({ session: opened.controller, sessionId: opened.sessionId, journalPath: opened.journalPath, runbook: rb });
  return drive(opened, flags.json, io, async (controller) => {
    if (rb.unarmed?.length && !flags.json)
      io.out(`⚠ auto-rollback off: ${rb.unarmed.length} trigger${rb.unarmed.length === 1 ? '' : 's'} of the runbook wait${rb.unarmed.length === 1 ? 's' : ''} for a metrics source or probes the runbook does not give (${rb.unarmed.join('; ')}): cockpit validate says what to add`);
    const confirms = unmatchedConfirms(rb, flags.confirm);
    for (const c of confirms.unmatched)
      io.err(`cockpit: ⚠ --confirm ${JSON.stringify(c)} names no manual item or step of ${rb.name}${confirms.known.length ? ` (manual: ${confirms.known.map((k) => JSON.stringify(k)).join(', ')})` : ' (it has none)'}`);
    await controller.start();
    return undefined;
  });
}

/** cockpit rollback [runbook]: the rollback pipeline now, headless; exit 0 when it rolled back. */
export async function rollbackCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.rollback);
  // a shared session's URL: read-only from here (cli/share.ts)
  if (isShareUrl(positionals[0])) return (await import('./share.js')).refuseRemoteRollback(positionals[0], io);
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  if (!rb.rollback) {
    io.err(`cockpit: ${rb.name} has no rollback section`);
    return 2;
  }
  const reason = values.reason ?? 'manual rollback (cockpit rollback)';
  // another cockpit drives the session here: it is asked to roll back, and followed (cli/rollback-ask.ts)
  const asked = await (await import('./rollback-ask.js')).askDriverToRollBack(rb, reason, values.json, io);
  if (asked !== undefined) return asked;
  // a team's environment: its lease first. A cockpit elsewhere that holds it drives the release
  // (refused, named); a hold or an unreachable remote does not stop a rollback (cli/team.ts)
  const teamCli = rb.team ? await import('./team.js') : undefined;
  const team = teamCli ? await teamCli.takeTeamLease(rb, { message: reason, rollback: true }, io) : undefined;
  if (typeof team === 'number') return team;
  try {
    // a session whose cockpit died with a step still running is taken over and rolled back (its
    // step interrupted first): a new session could not stop that step
    const opened = openSession(rb, { mode: 'headless', onFailure: 'stop', takeOverRunning: true, ...(team ? { teamLease: team.event, onLeaseLost: (tell: (why: string) => void) => team.onLost(tell) } : {}) });
    const resumed = typeof opened !== 'string' && opened.resumed;
    return await drive(
      opened,
      values.json,
      io,
      async (controller) => {
        const r = resumed ? controller.resumeAndRollback(reason, 'command') : controller.rollback(reason, 'command');
        return r.ok ? undefined : r.reason;
      },
      (outcome) => (outcome === 'rolled-back' ? 0 : EXIT_CODES[outcome]),
    );
  } finally {
    if (team && teamCli) await teamCli.endTeamLease(rb, team, io);
  }
}
