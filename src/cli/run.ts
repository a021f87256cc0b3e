/** cockpit run [runbook]: the release, headless (plain or --json), or --dry-run. */
import { distFile } from '../exec/dist-file.js';
import { checkProgram } from '../exec/program.js';
import { attachJson, attachPlain } from '../headless/plain.js';
import { resolveInvocation } from '../runbook/placeholders.js';
import { programOf } from '../runbook/command.js';
import type { Runbook } from '../runbook/types.js';
import { EXIT_CODES, stageValue } from '../core/events.js';
import { openSession } from '../session/open.js';
import { commandPlan } from '../session/plan.js';
import { newSessionId, sessionValues } from '../session/values.js';
import { parse, UsageError } from './args.js';
import type { Io } from './io.js';
import { requireWithCodeCache } from './code-cache.js';
import { loadRunbookCached } from './load-cached.js';
import { resolveTheme } from './theme.js';
import { handleSignals } from './signals.js';

export const USAGE = `usage: cockpit run [runbook] [--headless] [--json] [--confirm "<title>"]... [--yes]
                  [--dry-run] [--stage <id>] [--on-failure stop|rollback] [--learning "<text>"]`;

const OPTIONS = {
  headless: { type: 'boolean' },
  json: { type: 'boolean' },
  confirm: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  stage: { type: 'string' },
  'on-failure': { type: 'string' },
  theme: { type: 'string' },
  learning: { type: 'string' },
} as const;

export type RunFlags = Pick<ReturnType<typeof parseRunFlags>, 'onFailure'> & Partial<Omit<ReturnType<typeof parseRunFlags>, 'onFailure'>>;

export function parseRunFlags(argv: string[]) {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  const onFailure = values['on-failure'] ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'rollback') throw new UsageError(`--on-failure must be stop or rollback (got "${onFailure}")`);
  return { file: positionals[0], ...values, onFailure: onFailure as 'stop' | 'rollback' };
}

function checkStage(rb: Runbook, stage: string | undefined): void {
  if (stage !== undefined && !rb.stages.some((s) => s.id === stage))
    throw new UsageError(`--stage: no stage "${stage}" (stages: ${rb.stages.map((s) => s.id).join(', ')})`);
}

/** The plan, as the run would go: with --stage, the stages before it are skipped (the pre-flight still runs). */
function dryRun(rb: Runbook, io: Io, fromStage?: string): number {
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

/** dist/tui.cjs: the screen's bundle (scripts/build.mjs). */
function screenBundle(): string {
  const found = distFile('tui.cjs', import.meta.url);
  if (!found) throw new Error('the screen bundle (dist/tui.cjs) is missing: run "npm run build"');
  return found;
}

/** Loads the screen's bundle (Ink, React) through V8's code cache (code-cache.ts). Ink treats CI=false as "not CI", but chalk turns colour off whenever CI is set at all. */
export async function loadScreen(): Promise<typeof import('../ui/run-tui.js')> {
  if (process.env.CI === 'false' || process.env.CI === '0') delete process.env.CI;
  return requireWithCodeCache(screenBundle()).exports as typeof import('../ui/run-tui.js');
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

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const flags = parseRunFlags(argv);
  // on a terminal the screen's code starts loading while the runbook is read
  const screen = !flags.headless && !flags.json && !flags['dry-run'] && process.stdout.isTTY === true && process.stdin.isTTY === true ? loadScreen() : undefined;
  const rb = await loadRunbookCached(flags.file, io.err);
  if (typeof rb === 'number') return rb;
  if (flags['dry-run']) return dryRun(rb, io, flags.stage);
  if (!screen) return runHeadless(rb, flags, io);
  checkStage(rb, flags.stage);
  const theme = await resolveTheme(flags.theme);
  const { runTui } = await screen;
  return runTui(rb, { theme, onFailure: flags.onFailure === 'rollback' ? 'rollback' : 'wait', confirm: flags.confirm, yes: flags.yes, fromStage: flags.stage, learning: flags.learning }, io.err);
}
