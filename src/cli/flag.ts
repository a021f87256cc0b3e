/**
 * cockpit flag <name> <percent>|--next|--previous: one step through the same guarded path as the
 * screen. The guardrails are judged on a fresh sample of the metrics and probes. Exit 4 when a
 * guardrail refuses (with the reason), 1 when the provider fails or users are not served what
 * was written (Unleash: the environment is disabled; the provider's words say what they get).
 * What is printed on success is the provider's own confirmation, no more.
 * cockpit flag <name> --deploy: the runbook's flags.deploy for the flag (its code with the flag
 * off, before the ramp), its output streamed; exit 1 when it fails.
 */
import { jsonLine } from '../core/json-line.js';
import { parseLogLine, sanitizeLine } from '../exec/log-format.js';
import { changeLine } from '../flags/served.js';
import type { Controller } from '../session/controller.js';
import type { FlagStepOutcome } from '../session/flag-step.js';
import { openSession } from '../session/open.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';

export const USAGE = usageOf(COMMANDS.flag);
export const EXIT_REFUSED = 4;

export async function flagCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.flag);
  const [name, percentText, ...rest] = positionals;
  if (!name || rest.length > 0) throw new UsageError(USAGE);
  const modes = [percentText !== undefined, values.next === true, values.previous === true, values.deploy === true].filter(Boolean).length;
  if (modes !== 1) throw new UsageError(`give exactly one of <percent>, --next, --previous, --deploy\n${USAGE}`);
  if (values.force !== undefined && values.force !== name) throw new UsageError(`--force must repeat the flag name (--force ${name}) to force a refused step up`);
  const rb = loadOrExit(values.runbook, io.err);
  if (typeof rb === 'number') return rb;
  if (!rb.flags) throw new UsageError(`${rb.name} has no flags section`);
  if (!Object.keys(rb.flags.ramps).includes(name)) throw new UsageError(`no flag "${name}" in ${rb.name} (flags: ${Object.keys(rb.flags.ramps).join(', ')})`);
  let to: number | undefined;
  if (percentText !== undefined) {
    to = Number(percentText.replace(/%$/, ''));
    if (!Number.isFinite(to) || to < 0 || to > 100) throw new UsageError(`"${percentText}" is not a percentage (0–100)`);
  }

  const opened = openSession(rb, { mode: 'headless' });
  if (typeof opened === 'string') {
    io.err(`cockpit: ${opened}`);
    return 1;
  }
  const { controller } = opened;
  if (values.deploy) return deploy(controller, name, values.json === true, io, opened.close);
  try {
    const step = await controller.flagStep({ flag: name, to, dir: values.next ? 'up' : 'down', forced: values.force === name });
    if (step.readError) io.err(`cockpit: could not read ${name}: ${sanitizeLine(step.readError)}`);
    if ('noTarget' in step) {
      io.err(`cockpit: ${sanitizeLine(step.noTarget)}`);
      return 1;
    }
    return printStep(name, step, values.json === true, values.force === name, io);
  } finally {
    controller.quit();
    opened.close();
  }
}

/** Prints a flag step's outcome (the provider's confirmation, or why not); its exit code. */
function printStep(name: string, step: Extract<FlagStepOutcome, { to: number }>, json: boolean, forced: boolean, io: Io): number {
  const { from, to, result: r } = step;
  if (json) io.out(jsonLine({ flag: name, from: from ?? null, requested: to, ...r }));
  if (r.ok) {
    if (!json) io.out(sanitizeLine(changeLine(name, from, r, forced)));
    return 0;
  }
  if (!json) io.err(`cockpit: ${name} → ${to} %: ${sanitizeLine(r.reason)}`);
  return r.refused ? EXIT_REFUSED : 1;
}

async function deploy(controller: Controller, flag: string, json: boolean, io: Io, close: () => void): Promise<number> {
  if (!controller.runbook.flags?.deploy) {
    close();
    throw new UsageError(`${controller.runbook.name} has no flag deploy command (flags.deploy)`);
  }
  const off = controller.onOutput((_stage, _step, lines) => {
    if (!json) for (const l of lines) io.out(`  ${parseLogLine(l).text}`);
  });
  try {
    controller.begin({ watch: false });
    if (!json) io.out(`${flag}: deploying with the flag off`);
    const r = await controller.deployFlag(flag);
    if (json) io.out(jsonLine({ flag, deploy: r.ok, ...(r.ok ? {} : { reason: r.reason }) }));
    else if (r.ok) io.out(`${flag}: deployed with the flag off`);
    else io.err(`cockpit: ${r.reason}`);
    return r.ok ? 0 : 1;
  } finally {
    off();
    controller.quit();
    close();
  }
}
