/**
 * Before a session on the screen: the plan review (a Markdown runbook not accepted in this version),
 * or the choice picker (a YAML runbook with choices unmade), then the input form; the runbook is
 * normalised again with what was chosen and given, and the acceptance recorded. Loaded only when one
 * of them is needed (run-tui.tsx): the normal start-up does not evaluate it.
 */
import { render } from 'ink';
import type { ReactElement } from 'react';
import type { RawRunbook } from '../../runbook/schema.js';
import { normalize } from '../../runbook/normalize.js';
import type { Runbook } from '../../runbook/types.js';
import { stateDir } from '../../session/state-dir.js';
import { newPlanRecord, readPlanRecord, writePlanRecord } from '../../session/plan-record.js';
import { choicesMade, inputsToAsk, mergeChoices, planAcceptedEvent, recordsPlan, screensNeeded, type Given, type PlanHow } from '../../session/plan-review.js';
import type { Theme } from '../theme.js';
import { ThemeContext } from '../theme-context.js';
import { InputForm } from './InputForm.js';
import { PlanReview } from './PlanReview.js';

export type RunPlan = {
  readonly raw?: RawRunbook;
  readonly display: string;
  readonly given: Given;
  /** A Markdown runbook's content hash and uncertain mappings. */
  readonly review?: { readonly hash: string; readonly uncertain: readonly { readonly line: number; readonly text: string }[] };
};

export type Prepared = { readonly runbook: Runbook; readonly event?: ReturnType<typeof planAcceptedEvent> };

const ALT_ON = '\x1b[?1049h';
const ALT_OFF = '\x1b[?1049l';

/** Shows one screen until it calls back, and resolves with its result. */
export type ShowScreen = <T>(theme: Theme, make: (done: (v: T) => void) => ReactElement) => Promise<T>;

/** One screen on the terminal's alternate buffer until it calls back: its result. */
async function screen<T>(theme: Theme, make: (done: (v: T) => void) => ReactElement): Promise<T> {
  let result!: T;
  process.stdout.write(ALT_ON);
  const ink = render(<ThemeContext.Provider value={theme}>{make((v) => ((result = v), ink.unmount()))}</ThemeContext.Provider>, { exitOnCtrlC: true, patchConsole: false });
  try {
    await ink.waitUntilExit();
  } finally {
    ink.cleanup();
    process.stdout.write(ALT_OFF);
  }
  return result;
}

/** What the operator decided, or undefined when they left (nothing runs, nothing is journalled). `show`: where the screens are drawn (tests: their renderer). */
export async function preparePlan(rb0: Runbook, plan: RunPlan, theme: Theme, show: ShowScreen = screen): Promise<Prepared | undefined> {
  const { raw } = plan;
  if (!raw) throw new Error('the runbook as written is not available: run with COCKPIT_NO_CACHE=1');
  const hash = plan.review?.hash;
  const state = stateDir(rb0);
  const record = hash !== undefined ? readPlanRecord(state, hash) : undefined;
  let choices = mergeChoices(record?.choices, plan.given.choices);
  let rb = normalize(raw, rb0.file, { dir: rb0.dir, choices, inputs: plan.given.inputs });
  let how: PlanHow = record ? 'recorded' : 'given';
  const need = screensNeeded(rb, { hash, recorded: record !== undefined });
  if (need.review || need.pick) {
    const picks = await show<Readonly<Record<string, string>> | undefined>(theme, (done) => (
      <PlanReview runbook={rb} display={plan.display} hash={hash} uncertain={plan.review?.uncertain ?? []} whole={need.review} onDone={done} />
    ));
    if (!picks) return undefined;
    choices = { ...choices, ...picks };
    rb = normalize(raw, rb0.file, { dir: rb0.dir, choices, inputs: plan.given.inputs });
    if (need.review && hash !== undefined) {
      writePlanRecord(state, newPlanRecord(hash, choicesMade(rb)));
      how = 'reviewed';
    }
  }
  if (need.inputs) {
    const values = await show<Readonly<Record<string, string>> | undefined>(theme, (done) => <InputForm title={`Inputs · ${rb.name} · ${plan.display}`} inputs={inputsToAsk(rb)} onDone={done} />);
    if (!values) return undefined;
    rb = normalize(raw, rb0.file, { dir: rb0.dir, choices, inputs: { ...plan.given.inputs, ...values } });
  }
  return { runbook: rb, ...(recordsPlan(rb, hash) ? { event: planAcceptedEvent(rb, hash, how) } : {})};
}
