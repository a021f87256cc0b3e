/** A schema-valid raw runbook → the typed Runbook (ids derived, commands parsed, durations in ms). */
import { basename, dirname, extname } from 'node:path';
import { notArmed } from './armed.js';
import { describeCommand, parseCommand, programOf, type Command } from './command.js';
import { splitCommands } from './shell-lexer.js';
import { parseDuration } from './duration.js';

/** A team lease's default: renewed every 10 s, free 30 s (plus the clock skew allowance) after its holder died. */
const DEFAULT_LEASE_MS = 30_000;
import { explicitIds, ms, slug, uniquer, type Unique } from './normalize-ids.js';
import { targets, triggers } from './normalize-watch.js';
import type { RawRun, RawRunbook, RawStep } from './schema.js';
import { levelChannel, notifyTargets } from './notify.js';
import type { Choice, CommandStep, EscalationLevel, Input, PreflightItem, RiskRegister, Runbook, Stage, Step } from './types.js';

const PRODUCTION = /^(prod|production|live)$/i;

export { slug } from './normalize-ids.js';
export { triggerId } from './normalize-watch.js';

/** The id a command earns from its program: ./scripts/deploy-staging.sh → deploy-staging. */
function idFromRun(run: RawRun): string {
  const cmd = parseCommand(run);
  const prog = programOf(cmd);
  if (prog) return slug(basename(prog, extname(prog)));
  return slug(describeCommand(cmd).split(/\s+/).slice(0, 3).join(' '));
}

/** "Stop the bleeding", "IMMEDIATE: Roll back …", ./scripts/rollback-last-release.sh: an emergency item that rolls back. */
const ROLLBACK_TITLE = /stop the bleeding|^(?:[\p{L}\d ]+:\s*)?roll(?:ing)?[\s-]?back\b/iu;
const ROLLBACK_PROGRAM = /^(?:force[-_])?roll[-_]?back(?![-_]?(?:status|check|verify|test))/i;

export function isRollbackItem(title: string, step: CommandStep | undefined): boolean {
  const program = step ? programOf(step.command) : undefined;
  return ROLLBACK_TITLE.test(title.trim()) || (program !== undefined && ROLLBACK_PROGRAM.test(basename(program)));
}

/** The emergency reference: its runnable actions, and the item that is the rollback (the first, if several). */
function emergencyItems(raw: RawRunbook): { actions: CommandStep[]; rollback?: { title: string; step?: CommandStep } } {
  const unique = uniquer();
  const actions: CommandStep[] = [];
  let rollback: { title: string; step?: CommandStep } | undefined;
  for (const e of raw.emergency ?? []) {
    const step = e.run !== undefined ? commandStep(e.run, { title: e.title }, unique) : undefined;
    if (step && !(e.rollback ?? isRollbackItem(e.title, step))) actions.push(step);
    else rollback ??= { title: e.title, step: step && { ...step, id: 'rollback' } };
  }
  return { actions, rollback };
}

export function commandStep(run: RawRun, extra: { id?: string; title?: string; timeout?: string; retries?: number; cwd?: string; env?: Record<string, string> } = {}, unique: Unique = uniquer()): CommandStep {
  const command = parseCommand(run);
  const display = typeof run === 'string' ? run : describeCommand(command);
  const id = extra.id !== undefined ? unique(extra.id, true) : unique(idFromRun(run));
  const block = blockOf(command);
  return {
    kind: 'command',
    id,
    title: extra.title ?? id,
    command,
    display,
    timeoutMs: ms(extra.timeout),
    retries: extra.retries ?? 0,
    cwd: extra.cwd,
    env: extra.env,
    ...(block ? { block } : {}),
  };
}

/** What the run was told beside the runbook: choices made (`--choose`, the plan review) and input values (`--set`, the screen). */
export type NormalizeOptions = {
  readonly choices?: Readonly<Record<string, string>>;
  readonly inputs?: Readonly<Record<string, string>>;
  /** The directory steps run in, when not the runbook's own (a Markdown runbook in a git repository: its root, run-dir.ts). */
  readonly dir?: string;
};

type RawChoose = Extract<RawStep, { choose: unknown }>;

export function isChoose(raw: RawStep): raw is RawChoose {
  return typeof raw === 'object' && !Array.isArray(raw) && 'choose' in raw;
}

/** A choice's id: as written, or from its title. */
export function choiceId(raw: RawChoose, where: string, n: number): string {
  return raw.choose.id ?? `${where}-choice${n > 1 ? `-${n}` : ''}`;
}

/** Which option `given` names: its id, its number (1-based) or its title; undefined when none. */
export function optionIndex(options: readonly { id?: string; title: string }[], given: string | number | undefined): number | undefined {
  if (given === undefined) return undefined;
  const text = String(given).trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= options.length ? n - 1 : undefined;
  }
  const i = options.findIndex((o, k) => (o.id ?? `option-${k + 1}`) === text || o.title.toLowerCase() === text.toLowerCase());
  return i < 0 ? undefined : i;
}

/** Steps of a list with its choices expanded (the chosen option's steps in its place; nothing for one not chosen). */
function expandSteps(list: readonly RawStep[], where: string, raw: RawRunbook, opts: NormalizeOptions, choices: Choice[], kept: (s: RawStep) => boolean = () => true): RawStep[] {
  const out: RawStep[] = [];
  let n = 0;
  for (const st of list) {
    if (!isChoose(st)) {
      out.push(st);
      continue;
    }
    const id = choiceId(st, where, ++n);
    const options = st.choose.options.map((o, k) => ({ id: o.id ?? `option-${k + 1}`, title: o.title, steps: commandSteps(o.steps) }));
    const at = optionIndex(st.choose.options, opts.choices?.[id] ?? raw.choices?.[id]);
    choices.push({ id, title: st.choose.title, where, options, at: out.filter(kept).length, ...(at !== undefined ? { chosen: options[at].id } : {}) });
    if (at !== undefined) out.push(...st.choose.options[at].steps);
  }
  return out;
}

function inputsOf(raw: RawRunbook): Input[] {
  return Object.entries(raw.inputs ?? {}).map(([name, i]) => ({ name, prompt: i.prompt ?? name, ...(i.description ? { description: i.description } : {}), ...(i.pattern ? { pattern: i.pattern } : {}) }));
}

/** The choices not made yet: nothing in their stage (or the rollback) may run until they are. */
export function unresolvedChoices(rb: Pick<Runbook, 'choices'>): Choice[] {
  return rb.choices.filter((c) => c.chosen === undefined);
}

/** The inputs without a value (or with one that does not match its pattern), with why. */
export function missingInputs(rb: Pick<Runbook, 'inputs' | 'inputValues'>): { input: Input; why: string }[] {
  const out: { input: Input; why: string }[] = [];
  for (const input of rb.inputs) {
    const v = rb.inputValues[input.name];
    if (v === undefined || v.trim() === '') out.push({ input, why: 'no value' });
    else if (input.pattern !== undefined && !safeMatch(input.pattern, v)) out.push({ input, why: `does not match ${input.pattern}` });
  }
  return out;
}

function safeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

/** A shell script's top-level commands, when it has 2 or more (CommandStep.block). */
export function blockOf(command: Command): CommandStep['block'] {
  if (command.kind !== 'shell') return undefined;
  const { commands } = splitCommands(command.script);
  if (commands.length < 2) return undefined;
  return { commands: commands.map((c) => ({ text: c.text, line: c.line + 1, ...(c.title ? { title: c.title } : {}) })) };
}

/** A manual step's default title: its text's first line, shortened to a checklist line. */
export function manualTitle(text: string, max = 48): string {
  const line = text.trim().split(/\r?\n/)[0].replace(/\s+/g, ' ').replace(/^[-*]\s*(\[[ xX]\]\s*)?/, '');
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

function step(raw: RawStep, unique: Unique): Step {
  if (typeof raw === 'string' || Array.isArray(raw)) return commandStep(raw, {}, unique);
  if ('choose' in raw) throw new Error('a choice reached step(): expandSteps removes them');
  if ('flag' in raw) {
    const id = raw.id !== undefined ? unique(raw.id, true) : unique(`flag-${raw.flag}-${raw.to}`);
    return { kind: 'flag', id, title: raw.title ?? `${raw.flag} → ${raw.to === 'next' ? 'next step' : `${raw.to} %`}`, flag: raw.flag, to: raw.to };
  }
  if ('manual' in raw) {
    const text = raw.manual.trim();
    const title = raw.title ?? manualTitle(text);
    return { kind: 'manual', id: raw.id !== undefined ? unique(raw.id, true) : unique(slug(title)), title, text };
  }
  if ('monitor' in raw) {
    const durationMs = parseDuration(raw.monitor) ?? 0;
    const id = raw.id !== undefined ? unique(raw.id, true) : unique(`monitor-${raw.monitor}`);
    return { kind: 'monitor', id, title: raw.title ?? `monitor ${raw.monitor}`, durationMs };
  }
  return commandStep(raw.run, raw, unique);
}

/** Whether step() makes a command of it (commandSteps keeps only those). */
const isCommand = (s: RawStep): boolean => typeof s === 'string' || Array.isArray(s) || !('flag' in s || 'manual' in s || 'monitor' in s || 'choose' in s);

function commandSteps(list: readonly RawStep[] | undefined): CommandStep[] {
  const unique = uniquer(explicitIds(list));
  return (list ?? []).map((s) => step(s, unique)).filter((s): s is CommandStep => s.kind === 'command');
}

function riskRegister(raw: NonNullable<RawRunbook['riskRegister']>): RiskRegister {
  if ('file' in raw) return { kind: 'file', file: raw.file };
  return { kind: 'run', step: commandStep(raw.run, { id: 'risk-register', title: 'risk register', timeout: raw.timeout ?? '30s' }) };
}

function preflightOf(raw: RawRunbook): PreflightItem[] {
  const preUnique = uniquer(explicitIds(raw.preflight));
  return (raw.preflight ?? []).map((p) => {
    if (p.run !== undefined) {
      const id = p.id !== undefined ? preUnique(p.id, true) : preUnique(slug(p.title));
      const s = commandStep(p.run, { id, title: p.title, timeout: p.timeout, retries: p.retries }, (x) => x);
      return { ...s, kind: 'auto' };
    }
    return { kind: 'manual', id: p.id !== undefined ? preUnique(p.id, true) : preUnique(slug(p.title)), title: p.title, text: p.manual ?? '' };
  });
}

/** The stages: armed from the first production one on, unless a stage says otherwise. */
function stagesOf(raw: RawRunbook, opts: NormalizeOptions, choices: Choice[]): Stage[] {
  let armedFromHere = false;
  return raw.stages.map((s) => {
    const environment = s.environment ?? s.id;
    if (PRODUCTION.test(s.id) || PRODUCTION.test(environment)) armedFromHere = true;
    const expanded = expandSteps(s.steps, s.id, raw, opts, choices);
    const unique = uniquer(explicitIds(expanded));
    return {
      id: s.id,
      title: s.title ?? s.id,
      environment,
      budgetMs: ms(s.budget),
      confirm: s.confirm ?? 'press-r',
      armed: s.armed ?? armedFromHere,
      steps: expanded.map((st) => step(st, unique)),
      // criteria need samples: without a metrics source they are not checked (cockpit validate says so)
      criteria: raw.metrics?.source !== undefined ? (s.criteria ?? []) : [],
    };
  });
}

type Emergency = ReturnType<typeof emergencyItems>;

/** The rollback section; without one, an emergency item's command is the rollback. */
function rollbackOf(raw: RawRunbook, opts: NormalizeOptions, choices: Choice[], emergency: Emergency): Runbook['rollback'] {
  if (raw.rollback)
    return {
      steps: commandSteps(expandSteps(raw.rollback.steps, 'rollback', raw, opts, choices, isCommand)),
      verify: commandSteps(raw.rollback.verify),
      incident: raw.rollback.incident !== undefined ? commandStep(raw.rollback.incident, { id: 'incident', title: 'create incident' }) : undefined,
      ...triggers(raw),
      graceMs: ms(raw.rollback.grace) ?? 5000,
    };
  return emergency.rollback?.step ? { steps: [emergency.rollback.step], verify: [], triggers: [], graceMs: 5000 } : undefined;
}

function escalationOf(raw: RawRunbook): EscalationLevel[] {
  return (raw.escalation ?? []).map((e, i) => ({
    level: i + 1,
    afterMs: ms(e.after) ?? 0,
    title: e.title ?? `Level ${i + 1}`,
    run: e.run !== undefined ? commandStep(e.run, { id: `escalation-${i + 1}` }) : undefined,
    notify: levelChannel(e.notify),
  }));
}

/**
 * What is not armed (Runbook.unarmed), and the rollback as run: a rollback assembled from
 * alternatives is not armed until one is chosen (nothing would run), its triggers listed instead.
 */
function armedOf(raw: RawRunbook, rollback: Runbook['rollback'], choices: readonly Choice[]): { unarmed: string[]; rollback: Runbook['rollback'] } {
  const unarmed = notArmed(raw)
    .filter((n) => n.kind === 'trigger')
    .map((n) => n.what);
  const rollbackChoice = choices.find((c) => c.where === 'rollback' && c.chosen === undefined);
  if (rollback && rollbackChoice && rollback.triggers.length > 0) {
    unarmed.push(...rollback.triggers.map((t) => `${t.kind === 'metric' ? `${t.metric} ${t.op === 'above' ? '>' : '<'} ${t.threshold}` : `probe ${t.probe}`} (the rollback is a choice not made yet: ${rollbackChoice.title})`));
  }
  return { unarmed, rollback: rollback && rollbackChoice ? { ...rollback, triggers: [], shadows: [] } : rollback };
}

function troubleshootingOf(raw: RawRunbook): Runbook['troubleshooting'] {
  return (raw.troubleshooting ?? []).map((t) => ({
    match: t.match,
    title: t.title ?? t.match,
    hint: t.hint,
    steps: commandSteps([...(t.run !== undefined ? [t.run] : []), ...(t.steps ?? [])]),
  }));
}

export function normalize(raw: RawRunbook, file: string, opts: NormalizeOptions = {}): Runbook {
  const choices: Choice[] = [];
  const preflight = preflightOf(raw);
  const stages = stagesOf(raw, opts, choices);
  // an emergency item that is the rollback opens the R dialog; without a rollback section its command is the rollback
  const emergency = emergencyItems(raw);
  const rollback = rollbackOf(raw, opts, choices, emergency);
  const escalation = escalationOf(raw);
  const source = raw.metrics?.source;
  const armed = armedOf(raw, rollback, choices);
  const { unarmed } = armed;
  const lastProd = [...stages].reverse().find((s) => PRODUCTION.test(s.id) || PRODUCTION.test(s.environment));
  return {
    file,
    dir: opts.dir ?? dirname(file),
    ...(opts.dir !== undefined && opts.dir !== dirname(file) ? { home: dirname(file) } : {}),
    name: raw.name,
    versionTemplate: raw.version ?? '{git.describe}',
    environment: raw.environment ?? lastProd?.environment ?? stages[stages.length - 1].environment,
    preflight,
    stages,
    rollback: armed.rollback,
    escalation,
    notify: notifyTargets(raw),
    troubleshooting: troubleshootingOf(raw),
    emergency: emergency.actions,
    emergencyRollback: emergency.rollback && { title: emergency.rollback.title, display: emergency.rollback.step?.display },
    secrets: raw.secrets ?? [],
    metrics: raw.metrics && source ? { ...raw.metrics, source } : undefined,
    probes: raw.probes ?? [],
    flags: raw.flags,
    experiments: raw.experiments ?? {},
    ...(unarmed.length > 0 ? { unarmed } : {}),
    ...(raw.targets ? { targets: targets(raw.targets) } : {}),
    ...(raw.riskRegister ? { riskRegister: riskRegister(raw.riskRegister) } : {}),
    ...(raw.team ? { team: { remote: raw.team.remote, leaseMs: (raw.team.lease !== undefined ? parseDuration(raw.team.lease) : undefined) ?? DEFAULT_LEASE_MS } } : {}),
    inputs: inputsOf(raw),
    inputValues: { ...(opts.inputs ?? {}) },
    choices,
  };
}
