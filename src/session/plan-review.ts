/**
 * The decisions before a run starts, in one place for the screen, headless and --dry-run: what the
 * operator gave (`--set NAME=VALUE`, `--choose CHOICE=OPTION`) checked against the runbook, what is
 * still needed (a choice not made, an input without a value) in words with the flag that gives it,
 * whether a Markdown runbook's plan must be reviewed (its text changed since it was accepted), and
 * the `plan.accepted` event the journal keeps. No Ink, no file system (plan-record.ts writes).
 */
import type { EventBody } from '../core/events.js';
import { MASK, sanitizeLine as sanitize } from '../exec/log-format.js';
import { missingInputs, optionIndex, unresolvedChoices } from '../runbook/normalize.js';
import { envName } from '../runbook/placeholders.js';
import type { Choice, Input, Runbook } from '../runbook/types.js';

/** What the command line gave beside the runbook: choice id → option id, input name → value. */
export type Given = { readonly choices: Readonly<Record<string, string>>; readonly inputs: Readonly<Record<string, string>> };

/** Where something is written, when known (a line of the runbook): `release.md:42: `, else `release.md: `. */
export type Locate = (kind: 'choice' | 'input', id: string) => number | undefined;

/** A Locate from the lines a Markdown runbook's load found (cache.ts: plan.lines); none known: no line. */
export function locateFrom(lines: { readonly choices: Readonly<Record<string, number>>; readonly inputs: Readonly<Record<string, number>> } | undefined): Locate {
  return (kind, id) => {
    const table = kind === 'choice' ? lines?.choices : lines?.inputs;
    return table && Object.hasOwn(table, id) ? table[id] : undefined;
  };
}

/** Runbook and operator text shown on one line: the project's one sanitiser (whole escape sequences out, not just their ESC). */
export { sanitize };

/** `NAME=VALUE` items of a repeatable flag → a record; a clear message for one without `=`. */
export function parseAssignments(items: readonly string[] | undefined, flag: '--set' | '--choose'): Record<string, string> | string {
  const out: Record<string, string> = {};
  const what = flag === '--set' ? 'NAME=VALUE' : 'CHOICE=OPTION';
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `${flag} expects ${what} (got ${JSON.stringify(sanitize(item))})`;
    const key = item.slice(0, eq).trim();
    if (key in out) return `${flag} ${key} is given twice`;
    out[key] = item.slice(eq + 1);
  }
  return out;
}

/** A choice's options for a message: `1|2|3 (1 helm rollback, 2 kubectl rollout undo, 3 blue-green switch)`. */
export function optionsHint(c: Choice): string {
  return `${c.options.map((_, i) => i + 1).join('|')} (${c.options.map((o, i) => `${i + 1} ${sanitize(o.title)}`).join(', ')})`;
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}

export function choiceNeeded(c: Choice, file: string, line?: number): string {
  return `${where(file, line)}choice "${c.id}" (${sanitize(c.title)}) is not made: --choose ${c.id}=${optionsHint(c)}`;
}

export function inputNeeded(i: Input, why: string, file: string, line?: number): string {
  const what = why === 'no value' ? 'has no value' : why;
  return `${where(file, line)}input ${i.name} (${sanitize(i.prompt)}) ${what}: --set ${i.name}=…`;
}

/** Everything that must be given before anything runs, one message each (empty: the run can start). */
export function neededBeforeRun(rb: Runbook, file: string, locate: Locate = () => undefined): string[] {
  return [
    ...unresolvedChoices(rb).map((c) => choiceNeeded(c, file, locate('choice', c.id))),
    ...missingInputs(rb).map(({ input, why }) => inputNeeded(input, why, file, locate('input', input.name))),
  ];
}

/** Why a value typed for an input is refused (empty, or not matching its pattern); undefined when fine. */
export function inputRefusal(input: Input, value: string): string | undefined {
  const miss = missingInputs({ inputs: [input], inputValues: { [input.name]: value } })[0];
  if (!miss) return undefined;
  return miss.why === 'no value' ? 'a value is needed (empty is not a value)' : `the value ${miss.why}`;
}

/**
 * `--set` and `--choose` checked against the runbook: unknown names and options are errors that
 * list what exists; a choice's option is given back as its id (whatever way it was named).
 */
export function checkGiven(rb: Runbook, set: Readonly<Record<string, string>>, choose: Readonly<Record<string, string>>): Given | string[] {
  const errors: string[] = [];
  const inputNames = rb.inputs.map((i) => i.name);
  for (const name of Object.keys(set)) {
    if (!inputNames.includes(name))
      errors.push(`--set: no input "${sanitize(name)}" (${inputNames.length ? `inputs: ${inputNames.join(', ')}` : 'the runbook declares no inputs'})`);
  }
  const choices: Record<string, string> = {};
  for (const [id, given] of Object.entries(choose)) {
    const c = rb.choices.find((x) => x.id === id);
    if (!c) {
      errors.push(`--choose: no choice "${sanitize(id)}" (${rb.choices.length ? `choices: ${rb.choices.map((x) => x.id).join(', ')}` : 'the runbook offers no choices'})`);
      continue;
    }
    const at = optionIndex(c.options, given);
    if (at === undefined) errors.push(`--choose ${id}: no option ${JSON.stringify(sanitize(given))}: ${optionsHint(c)}`);
    else choices[id] = c.options[at].id;
  }
  return errors.length ? errors : { choices, inputs: { ...set } };
}

/** The choices made, as choice id → option id. */
export function choicesMade(rb: Pick<Runbook, 'choices'>): Record<string, string> {
  return Object.fromEntries(rb.choices.filter((c) => c.chosen !== undefined).map((c) => [c.id, c.chosen as string]));
}

/** An input's value as the journal keeps it: masked when `secrets:` names it (NAME or COCKPIT_INPUT_NAME). */
export function journalledValue(rb: Pick<Runbook, 'secrets'>, name: string, value: string): string {
  return rb.secrets.includes(name) || rb.secrets.includes(envName(`input.${name}`)) ? MASK : value;
}

export type PlanHow = 'reviewed' | 'recorded' | 'given';

/** What the journal records at session start: the plan that runs (its hash for a Markdown runbook), the choices and the input values. */
export function planAcceptedEvent(rb: Runbook, hash: string | undefined, how: PlanHow): Extract<EventBody, { type: 'plan.accepted' }> {
  const inputs = Object.fromEntries(Object.entries(rb.inputValues).map(([k, v]) => [k, journalledValue(rb, k, v)]));
  return { type: 'plan.accepted', ...(hash !== undefined ? { hash } : {}), how, choices: choicesMade(rb), inputs };
}

/** Whether a session records a plan: a Markdown runbook (its hash) or one with choices or inputs. */
export function recordsPlan(rb: Runbook, hash: string | undefined): boolean {
  return hash !== undefined || rb.choices.length > 0 || rb.inputs.length > 0;
}

/** The recorded choices for this run: the plan's, with what `--choose` gave over them. */
export function mergeChoices(recorded: Readonly<Record<string, string>> | undefined, given: Readonly<Record<string, string>>): Record<string, string> {
  return { ...(recorded ?? {}), ...given };
}

/** The plan.accepted event in one line (headless output, the follower's feed). */
export function planText(e: Pick<Extract<EventBody, { type: 'plan.accepted' }>, 'hash' | 'how' | 'choices' | 'inputs'>): string {
  const pairs = (r: Readonly<Record<string, string>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k}=${sanitize(v)}`)
      .join(', ');
  const parts = [Object.keys(e.choices).length ? `choices ${pairs(e.choices)}` : '', Object.keys(e.inputs).length ? `inputs ${pairs(e.inputs)}` : ''].filter(Boolean);
  const how = { reviewed: 'reviewed and accepted', recorded: 'accepted before', given: 'as given' }[e.how];
  return `▸ plan ${how}${e.hash ? ` (sha256 ${e.hash.slice(0, 12)})` : ''}${parts.length ? `: ${parts.join('; ')}` : ''}`;
}

/** The dry run's tail: the choices (the chosen option marked), the inputs, and what a run still needs. */
export function choicesAndInputs(rb: Runbook, file: string, locate?: Locate): string[] {
  const out: string[] = [];
  if (rb.choices.length) out.push('choices');
  for (const c of rb.choices) {
    const opts = c.options.map((o, i) => `${o.id === c.chosen ? '●' : '○'} ${i + 1} ${sanitize(o.title)}`).join('  ');
    out.push(`  ${c.id} (${sanitize(c.title)}, in ${c.where}): ${opts}${c.chosen === undefined ? '  (not made)' : ''}`);
  }
  if (rb.inputs.length) out.push('inputs');
  for (const i of rb.inputs) {
    const v = rb.inputValues[i.name];
    out.push(`  ${i.name} (${sanitize(i.prompt)}): ${v === undefined ? '(no value)' : JSON.stringify(journalledValue(rb, i.name, sanitize(v)))}`);
  }
  const needed = neededBeforeRun(rb, file, locate);
  if (needed.length) out.push('needed before a run', ...needed.map((n) => `  ${n}`));
  return out;
}

/**
 * Which screens come before the session: the plan review (a Markdown runbook whose text has no
 * accepted plan), else the choice picker (choices still unmade), then the input form (every run,
 * for the inputs still without a value).
 */
export function screensNeeded(rb: Runbook, o: { readonly hash?: string; readonly recorded: boolean }): { review: boolean; pick: boolean; inputs: boolean } {
  const review = o.hash !== undefined && !o.recorded;
  return { review, pick: !review && unresolvedChoices(rb).length > 0, inputs: missingInputs(rb).length > 0 };
}

/** The inputs the form asks for: those without a valid value. */
export function inputsToAsk(rb: Runbook): Input[] {
  return missingInputs(rb).map((m) => m.input);
}
