/**
 * The plan review's text, line by line (pure: the component scrolls it, the tests read it): what
 * cockpit guessed (⚠ with its line), the choices with their options, the stages with each step's
 * command, what an automatic rollback runs and whether its triggers are armed, and the inputs.
 */
import { describeTrigger, unitsOf } from '../../guard/describe.js';
import { formatCompact } from '../../runbook/duration.js';
import type { Choice, CommandStep, Runbook, Step } from '../../runbook/types.js';
import { sanitize } from '../../session/plan-review.js';
import type { Slot } from '../theme.js';

export type ReviewLine = { readonly text: string; readonly slot: Slot; /** The choice this line heads (Tab moves to it). */ readonly choice?: string };

export type ReviewInput = {
  readonly picks: Readonly<Record<string, string>>;
  readonly uncertain: readonly { readonly line: number; readonly text: string }[];
  readonly focus?: string;
  /** The whole plan (a Markdown runbook's review), or only its choices (a YAML runbook's picker). */
  readonly whole: boolean;
};

/** A command as one line: its first line, `…` when it has more. */
export function firstLine(text: string): string {
  const lines = text.split('\n');
  return sanitize(lines[0]) + (lines.length > 1 ? ' …' : '');
}

function commandLine(s: CommandStep): string {
  const cmd = firstLine(s.display);
  return s.title === s.display || cmd.startsWith(s.title) ? cmd : `${sanitize(s.title)}: ${cmd}`;
}

function stepLine(s: Step): string {
  if (s.kind === 'monitor') return `monitor ${formatCompact(s.durationMs)} (triggers armed)`;
  if (s.kind === 'flag') return `flag ${s.flag} → ${s.to === 'next' ? 'next step' : `${s.to} %`}`;
  if (s.kind === 'manual') return `☐ by hand: ${sanitize(firstLine(s.title))}`;
  return commandLine(s);
}

function pickedTitle(c: Choice, picks: ReviewInput['picks']): string {
  const o = c.options.find((x) => x.id === picks[c.id]);
  return o ? `→ ${sanitize(o.title)}` : 'NOT MADE';
}

function choiceLines(c: Choice, o: ReviewInput): ReviewLine[] {
  const focused = o.focus === c.id;
  const head: ReviewLine = { text: `${focused ? '▶' : ' '} ◇ ${sanitize(c.title)} (${c.id}, ${c.where === 'rollback' ? 'the rollback' : `stage ${c.where}`}) ${pickedTitle(c, o.picks)}`, slot: focused ? 'selected' : o.picks[c.id] ? 'text' : 'metric.warn', choice: c.id };
  const opts = c.options.map((opt, i): ReviewLine => {
    const steps = opt.steps.map((s) => commandLine(s));
    return { text: `     ${opt.id === o.picks[c.id] ? '●' : '○'} ${i + 1} ${sanitize(opt.title)}: ${steps[0]}${steps.length > 1 ? ` (+${steps.length - 1} more)` : ''}`, slot: opt.id === o.picks[c.id] ? 'stage.passed' : 'dim' };
  });
  return [head, ...opts];
}

function choiceLine(c: Choice, o: ReviewInput, indent: string): ReviewLine {
  return { text: `${indent}◇ choice: ${sanitize(c.title)} ${pickedTitle(c, o.picks)}`, slot: o.picks[c.id] ? 'text' : 'metric.warn' };
}

/**
 * A list's steps with its choices where they sit (a choice's option runs there, not after the
 * list); the steps of an option already chosen (--choose, a recorded plan) are the choice's line.
 */
function stepsWithChoices<T>(steps: readonly T[], rb: Runbook, where: string, o: ReviewInput, indent: string, line: (s: T) => ReviewLine): ReviewLine[] {
  const here = rb.choices.filter((c) => c.where === where);
  const at = (c: Choice) => Math.min(c.at ?? steps.length, steps.length);
  const span = (c: Choice) => c.options.find((x) => x.id === c.chosen)?.steps.length ?? 0;
  const out: ReviewLine[] = [];
  for (let i = 0; i <= steps.length; i++) {
    out.push(...here.filter((c) => at(c) === i).map((c) => choiceLine(c, o, indent)));
    if (i < steps.length && !here.some((c) => i >= at(c) && i < at(c) + span(c))) out.push(line(steps[i]));
  }
  return out;
}

function rollbackLines(rb: Runbook, o: ReviewInput): ReviewLine[] {
  const out: ReviewLine[] = [{ text: 'On an automatic rollback', slot: 'title' }];
  const r = rb.rollback;
  if (!r) return [...out, { text: '  no rollback section: nothing runs on a rollback and no trigger is armed', slot: 'metric.warn' }];
  const units = unitsOf(rb);
  if (r.triggers.length) out.push({ text: `  triggers ARMED: ${r.triggers.map((t) => describeTrigger(t, units)).join('; ')}`, slot: 'stage.passed' });
  if (rb.unarmed?.length) out.push({ text: `  ⚠ not armed: ${rb.unarmed.map(sanitize).join('; ')}`, slot: 'metric.warn' });
  if (!r.triggers.length && !rb.unarmed?.length) out.push({ text: '  no triggers: a rollback starts only with R', slot: 'dim' });
  out.push(...stepsWithChoices(r.steps, rb, 'rollback', o, '  ', (s): ReviewLine => ({ text: `  runs: ${commandLine(s)}`, slot: 'text' })));
  for (const s of r.verify) out.push({ text: `  verify: ${commandLine(s)}`, slot: 'text' });
  if (r.incident) out.push({ text: `  incident: ${commandLine(r.incident)}`, slot: 'text' });
  return out;
}

function inputLines(rb: Runbook): ReviewLine[] {
  if (!rb.inputs.length) return [];
  return [
    { text: 'Inputs (asked before every run)', slot: 'title' },
    ...rb.inputs.map((i): ReviewLine => {
      const extra = [i.description ? sanitize(i.description) : '', i.pattern ? `pattern ${sanitize(i.pattern)}` : ''].filter(Boolean).join(', ');
      const v = rb.inputValues[i.name];
      return { text: `  ${i.name} ${sanitize(i.prompt)}${extra ? ` (${extra})` : ''}${v !== undefined ? ` = ${sanitize(v)}` : ''}`, slot: 'text' };
    }),
  ];
}

export function reviewLines(rb: Runbook, o: ReviewInput): ReviewLine[] {
  const out: ReviewLine[] = [];
  if (o.whole && o.uncertain.length) {
    out.push({ text: `⚠ Look at these: cockpit is not sure of ${o.uncertain.length} mapping${o.uncertain.length === 1 ? '' : 's'}`, slot: 'metric.warn' });
    for (const u of o.uncertain) out.push({ text: `  ⚠ line ${u.line}: ${sanitize(u.text)}`, slot: 'metric.warn' });
  }
  if (rb.choices.length) out.push({ text: 'Choices (Tab to one, then its number)', slot: 'title' }, ...rb.choices.flatMap((c) => choiceLines(c, o)));
  if (!o.whole) return out;
  // the pre-flight runs its automated checks too: what they run is part of the plan
  if (rb.preflight.length) {
    out.push({ text: 'Pre-flight', slot: 'title' });
    for (const p of rb.preflight) out.push({ text: p.kind === 'auto' ? `    check: ${commandLine({ ...p, kind: 'command' })}` : `    ☐ ${sanitize(firstLine(p.title))}`, slot: 'text' });
  }
  out.push({ text: 'Stages', slot: 'title' });
  for (const st of rb.stages) {
    out.push({ text: `  ▸ ${sanitize(st.title)} (${st.id})${st.budgetMs !== undefined ? ` budget ${formatCompact(st.budgetMs)}` : ''}`, slot: 'text' });
    out.push(...stepsWithChoices(st.steps, rb, st.id, o, '    ', (s): ReviewLine => ({ text: `    ${stepLine(s)}`, slot: 'text' })));
  }
  return [...out, ...rollbackLines(rb, o), ...inputLines(rb)];
}
