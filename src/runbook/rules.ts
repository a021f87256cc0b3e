/** Cross-field rules the schema cannot say: unknown names, duplicate ids, ramp order, bands. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { quoteForDisplay } from './command.js';
import { parseDuration } from './duration.js';
import { didYouMean } from './suggest.js';
import type { RawRunbook } from './schema.js';

export type Path = readonly (string | number)[];
export type RuleError = { readonly path: Path; readonly message: string; readonly atKey?: boolean };

function hint(name: string, known: readonly string[]): string {
  const s = didYouMean(name, known);
  return s ? ` (did you mean "${s}"?)` : known.length ? ` (known: ${known.join(', ')})` : '';
}

function duplicates<T>(list: readonly T[], key: (t: T) => string | undefined, path: (i: number) => Path, what: string, out: RuleError[], within = '') {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) out.push({ path: path(i), message: `duplicate ${what} "${k}"${within} (first used at index ${first})` });
    else seen.set(k, i);
  });
}

/** Why a step's `cwd:` cannot be used (relative to the runbook's directory, as a run takes it), or undefined. */
function cwdProblem(dir: string, cwd: string): string | undefined {
  let st;
  try {
    st = statSync(resolve(dir, cwd));
  } catch {
    const where = cwd.startsWith('/') ? '' : ' in the runbook\'s directory';
    return `cwd "${cwd}" does not exist${where} (for one an earlier step makes, write run: "cd ${quoteForDisplay(cwd)} && …")`;
  }
  return st.isDirectory() ? undefined : `cwd "${cwd}" is not a directory`;
}

/** Every command step with a `cwd:`, and where it is written. */
function stepsWithCwd(rb: RawRunbook): { path: Path; cwd: string }[] {
  const lists: { at: Path; steps: readonly unknown[] }[] = [
    ...rb.stages.map((s, si) => ({ at: ['stages', si, 'steps'] as Path, steps: s.steps })),
    { at: ['rollback', 'steps'], steps: rb.rollback?.steps ?? [] },
    { at: ['rollback', 'verify'], steps: rb.rollback?.verify ?? [] },
    ...(rb.troubleshooting ?? []).map((t, ti) => ({ at: ['troubleshooting', ti, 'steps'] as Path, steps: t.steps ?? [] })),
  ];
  return lists.flatMap(({ at, steps }) =>
    steps.flatMap((st, i) => (st !== null && typeof st === 'object' && !Array.isArray(st) && typeof (st as { cwd?: unknown }).cwd === 'string' ? [{ path: [...at, i, 'cwd'], cwd: (st as { cwd: string }).cwd }] : [])),
  );
}

type Rules = (rb: RawRunbook, out: RuleError[]) => void;

const metricNamesOf = (rb: RawRunbook): string[] => Object.keys(rb.metrics?.series ?? {});

/** Stage and step ids unique, criteria on known metrics with one bound. */
const stageRules: Rules = (rb, out) => {
  const metricNames = metricNamesOf(rb);
  duplicates(rb.stages, (s) => s.id, (i) => ['stages', i, 'id'], 'stage id', out);
  rb.stages.forEach((s, si) => {
    duplicates(s.steps, (st) => (typeof st === 'object' && !Array.isArray(st) && !('choose' in st) ? st.id : undefined), (i) => ['stages', si, 'steps', i, 'id'], 'step id', out, ` in stage "${s.id}"`);
    (s.criteria ?? []).forEach((c, ci) => {
      if (!metricNames.includes(c.metric)) out.push({ path: ['stages', si, 'criteria', ci, 'metric'], message: `criterion names unknown metric "${c.metric}"${hint(c.metric, metricNames)}` });
      if (c.below !== undefined && c.above !== undefined) out.push({ path: ['stages', si, 'criteria', ci, 'above'], atKey: true, message: 'a criterion needs exactly one of "below" or "above", not both' });
      else if (c.below === undefined && c.above === undefined) out.push({ path: ['stages', si, 'criteria', ci], message: 'a criterion needs exactly one of "below" or "above"' });
    });
  });
};

const preflightRules: Rules = (rb, out) => {
  duplicates(rb.preflight ?? [], (p) => p.id, (i) => ['preflight', i, 'id'], 'pre-flight id', out);
  (rb.preflight ?? []).forEach((p, i) => {
    if (p.run !== undefined && p.manual !== undefined)
      out.push({ path: ['preflight', i, 'manual'], atKey: true, message: `pre-flight item "${p.title}" has both "run" and "manual": keep "run" for an automated check or "manual" for one the operator ticks` });
    else if (p.run === undefined && p.manual === undefined)
      out.push({ path: ['preflight', i], message: `pre-flight item "${p.title}" needs "run" (an automated check) or "manual" (what the operator checks and ticks)` });
  });
};

/** Probe names unique; triggers on known metrics and probes, one bound, ids unique. */
const triggerRules: Rules = (rb, out) => {
  const metricNames = metricNamesOf(rb);
  const probeNames = (rb.probes ?? []).map((p) => p.name);
  duplicates(rb.probes ?? [], (p) => p.name, (i) => ['probes', i, 'name'], 'probe name', out);

  (rb.rollback?.triggers ?? []).forEach((t, i) => {
    const at: Path = ['rollback', 'triggers', i];
    if ('metric' in t) {
      if (!metricNames.includes(t.metric)) out.push({ path: [...at, 'metric'], message: `trigger names unknown metric "${t.metric}"${hint(t.metric, metricNames)}` });
      if (t.above !== undefined && t.below !== undefined) out.push({ path: [...at, 'below'], atKey: true, message: 'a metric trigger needs exactly one of "above" or "below", not both' });
      else if (t.above === undefined && t.below === undefined) out.push({ path: at, message: 'a metric trigger needs exactly one of "above" or "below"' });
    } else if (t.probe === 'critical') {
      // with no probe at all the trigger is only not armed yet (armed.ts); probes none of which is critical is a slip
      const probes = rb.probes ?? [];
      if (probes.length > 0 && !probes.some((p) => p.critical)) out.push({ path: [...at, 'probe'], message: 'trigger watches "critical" probes but no probe is marked critical: true' });
    } else if (!probeNames.includes(t.probe)) {
      out.push({ path: [...at, 'probe'], message: `trigger names unknown probe "${t.probe}"${hint(t.probe, probeNames)}` });
    }
  });
  duplicates(rb.rollback?.triggers ?? [], (t) => t.id, (i) => ['rollback', 'triggers', i, 'id'], 'trigger id', out);
};

/** What a rollback and a troubleshooting entry cannot hold; flag steps on known ramps. */
const stepKindRules: Rules = (rb, out) => {
  for (const key of ['steps', 'verify'] as const) {
    (rb.rollback?.[key] ?? []).forEach((s, i) => {
      if (typeof s === 'object' && !Array.isArray(s) && 'monitor' in s) out.push({ path: ['rollback', key, i], message: 'a rollback cannot contain a monitor step' });
      if (typeof s === 'object' && !Array.isArray(s) && 'flag' in s) out.push({ path: ['rollback', key, i], message: 'a rollback cannot contain a flag step (rollback sets every ramped flag to 0 % by itself)' });
      if (typeof s === 'object' && !Array.isArray(s) && 'manual' in s)
        out.push({ path: ['rollback', key, i, 'manual'], atKey: true, message: 'a rollback cannot contain a manual step: a rollback runs without waiting for a tick (put the check in a stage, or a command that does it)' });
    });
  }
  (rb.troubleshooting ?? []).forEach((t, ti) =>
    (t.steps ?? []).forEach((s, i) => {
      if (typeof s === 'object' && !Array.isArray(s) && 'manual' in s)
        out.push({ path: ['troubleshooting', ti, 'steps', i, 'manual'], atKey: true, message: 'troubleshooting steps are commands to offer: write what to do by hand in "hint"' });
    }),
  );
};

const flagStepRules: Rules = (rb, out) => {
  const rampNames = Object.keys(rb.flags?.ramps ?? {});
  rb.stages.forEach((st, si) =>
    st.steps.forEach((step, i) => {
      if (typeof step === 'object' && !Array.isArray(step) && 'flag' in step && !rampNames.includes(step.flag))
        out.push({ path: ['stages', si, 'steps', i, 'flag'], message: `flag step names unknown flag "${step.flag}"${hint(step.flag, rampNames)}` });
    }),
  );
};

const seriesRules: Rules = (rb, out) => {
  const source = rb.metrics?.source?.type;
  for (const [name, s] of Object.entries(rb.metrics?.series ?? {})) {
    const at: Path = ['metrics', 'series', name];
    if (source === 'prometheus' && !s.query) out.push({ path: at, message: `series "${name}" needs a "query" (PromQL) for the prometheus source`, atKey: true });
    if (source === 'http-json' && !s.pointer) out.push({ path: at, message: `series "${name}" needs a "pointer" (JSON pointer) for the http-json source`, atKey: true });
    if (s.pointer !== undefined && s.pointer !== '' && !s.pointer.startsWith('/')) out.push({ path: [...at, 'pointer'], message: `bad JSON pointer "${s.pointer}": it must start with "/"` });
    if (s.warn !== undefined && s.critical !== undefined) {
      const below = s.direction === 'below';
      if (below ? s.warn < s.critical : s.warn > s.critical)
        out.push({ path: [...at, 'warn'], message: `warn (${s.warn}) must be ${below ? 'above' : 'below'} critical (${s.critical}) for a series breached ${below ? 'below' : 'above'}` });
    }
  }
};

const escalationRules: Rules = (rb, out) => {
  let latest: { ms: number; text: string } | undefined;
  (rb.escalation ?? []).forEach((e, i) => {
    if (e.run === undefined && e.notify === undefined && !e.title?.trim())
      out.push({ path: ['escalation', i], message: 'an escalation level needs "run", "notify", or a "title" (a reminder on screen at its time)' });
    const after = parseDuration(e.after) ?? 0;
    if (latest !== undefined && after < latest.ms)
      out.push({ path: ['escalation', i, 'after'], message: `escalation levels must be in order of "after": ${e.after} comes after ${latest.text}` });
    if (latest === undefined || after > latest.ms) latest = { ms: after, text: e.after };
  });
};

const rampRules: Rules = (rb, out) => {
  for (const [flag, ramp] of Object.entries(rb.flags?.ramps ?? {})) {
    const steps = Array.isArray(ramp) ? ramp : ramp.steps;
    const base: Path = Array.isArray(ramp) ? ['flags', 'ramps', flag] : ['flags', 'ramps', flag, 'steps'];
    steps.forEach((p, i) => {
      if (p < 0 || p > 100) out.push({ path: [...base, i], message: `ramp "${flag}": ${p} is outside 0–100` });
      else if (i > 0 && p <= steps[i - 1]) out.push({ path: [...base, i], message: `ramp "${flag}" is not ascending: ${steps[i - 1]} then ${p}` });
    });
    if (steps.length === 0) out.push({ path: base, message: `ramp "${flag}" has no steps` });
    if (!Array.isArray(ramp) && ramp.rollbackTo !== undefined && (ramp.rollbackTo < 0 || ramp.rollbackTo > 100))
      out.push({ path: ['flags', 'ramps', flag, 'rollbackTo'], message: `rollbackTo ${ramp.rollbackTo} is outside 0–100` });
  }
};

const experimentAndSecretRules: Rules = (rb, out) => {
  const flagNames = Object.keys(rb.flags?.ramps ?? {});
  for (const [id, ex] of Object.entries(rb.experiments ?? {})) {
    if (ex.flag !== undefined && !flagNames.includes(ex.flag)) out.push({ path: ['experiments', id, 'flag'], message: `experiment "${id}" names unknown flag "${ex.flag}"${hint(ex.flag, flagNames)}` });
  }

  (rb.secrets ?? []).forEach((name, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.push({ path: ['secrets', i], message: `"${name}" is not an environment variable name (use letters, digits and "_", not starting with a digit)` });
  });
};

/**
 * `dir` is the runbook's directory: given, each step's `cwd:` must be a directory there (a run
 * would fail the step at its start). Without it (text not from a file) cwds are not checked.
 */
export function checkRules(rb: RawRunbook, dir?: string): RuleError[] {
  const out: RuleError[] = [];
  if (dir !== undefined)
    for (const { path, cwd } of stepsWithCwd(rb)) {
      const problem = cwdProblem(dir, cwd);
      if (problem) out.push({ path, message: problem });
    }
  stageRules(rb, out);
  preflightRules(rb, out);
  triggerRules(rb, out);
  stepKindRules(rb, out);
  out.push(...choiceRules(rb), ...inputRules(rb));
  flagStepRules(rb, out);
  seriesRules(rb, out);
  escalationRules(rb, out);
  rampRules(rb, out);
  experimentAndSecretRules(rb, out);
  teamRules(rb, out);
  return out;
}

/** The lease is renewed every third of it: shorter than 3 s, a slow remote could let it lapse while its holder lives. */
const MIN_LEASE_MS = 3000;

function teamRules(rb: RawRunbook, out: RuleError[]): void {
  const ms = rb.team?.lease !== undefined ? parseDuration(rb.team.lease) : undefined;
  if (ms !== undefined && ms < MIN_LEASE_MS) out.push({ path: ['team', 'lease'], message: `a lease of ${rb.team!.lease} is too short: at least 3s (it is renewed every third of it)` });
}

type RawChoose = Extract<RawRunbook['stages'][number]['steps'][number], { choose: unknown }>;

/** Every choice in the runbook with its path and id (as normalize derives it). */
function choicesOf(rb: RawRunbook): { path: Path; id: string; choose: RawChoose['choose'] }[] {
  const out: { path: Path; id: string; choose: RawChoose['choose'] }[] = [];
  const walk = (list: readonly unknown[] | undefined, where: string, base: Path) => {
    let n = 0;
    (list ?? []).forEach((st, i) => {
      if (st === null || typeof st !== 'object' || Array.isArray(st) || !('choose' in st)) return;
      const c = (st as RawChoose).choose;
      n++;
      out.push({ path: [...base, i, 'choose'], id: c.id ?? `${where}-choice${n > 1 ? `-${n}` : ''}`, choose: c });
    });
  };
  rb.stages.forEach((s, si) => walk(s.steps, s.id, ['stages', si, 'steps']));
  walk(rb.rollback?.steps, 'rollback', ['rollback', 'steps']);
  return out;
}

function choiceRules(rb: RawRunbook): RuleError[] {
  const out: RuleError[] = [];
  const all = choicesOf(rb);
  duplicates(all, (c) => c.id, (i) => [...all[i].path, 'id'], 'choice id', out);
  for (const c of all) duplicates(c.choose.options, (o) => o.id, (i) => [...c.path, 'options', i, 'id'], 'option id', out, ` in choice "${c.id}"`);
  for (const [id, given] of Object.entries(rb.choices ?? {})) {
    const c = all.find((x) => x.id === id);
    if (!c) {
      out.push({ path: ['choices', id], atKey: true, message: `choices names unknown choice "${id}"${hint(id, all.map((x) => x.id))}` });
      continue;
    }
    const text = String(given);
    const ok = /^\d+$/.test(text) ? Number(text) >= 1 && Number(text) <= c.choose.options.length : c.choose.options.some((o, k) => (o.id ?? `option-${k + 1}`) === text || o.title.toLowerCase() === text.toLowerCase());
    if (!ok) out.push({ path: ['choices', id], message: `choice "${id}" has no option ${JSON.stringify(given)}: give 1–${c.choose.options.length} or an option id` });
  }
  for (const key of ['verify'] as const)
    (rb.rollback?.[key] ?? []).forEach((s, i) => {
      if (typeof s === 'object' && !Array.isArray(s) && 'choose' in s) out.push({ path: ['rollback', key, i], message: 'rollback.verify cannot hold a choice: put the alternatives in rollback.steps' });
    });
  return out;
}

/** Every {input.NAME} a command uses is declared under inputs:. */
function inputRules(rb: RawRunbook): RuleError[] {
  const declared = Object.keys(rb.inputs ?? {});
  const out: RuleError[] = [];
  const seen = new Set<string>();
  const text = JSON.stringify(rb);
  for (const m of text.matchAll(/\{input\.([a-z][a-z0-9_]*)\}/g)) {
    if (declared.includes(m[1]) || seen.has(m[1])) continue;
    seen.add(m[1]);
    out.push({ path: declared.length > 0 ? ['inputs'] : [], message: `{input.${m[1]}} is used but not declared: add inputs: {${m[1]}: {prompt: …}}${hint(m[1], declared)}` });
  }
  return out;
}
