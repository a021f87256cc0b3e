/**
 * The keys that run the release: Enter, space, retry, skip, acknowledge, go on unguarded, and the
 * views (emergency, why, experiment). Each asks the engine's refusal function (session/intents.ts)
 * for its disabledReason: the bar shows it only when the engine would act, a press says why not.
 */
import { guardPassed, moveToNextUnticked, spaceOnCheck, tickableStep, tickWaitingStep } from '../key-actions.js';
import { always, CONFIRM_GUARD_MS, type Binding } from '../key-context.js';
import { topOverlay, type Overlay } from '../ui-state.js';
import { BLOCK_RETRY, isTrackedBlock } from '../../session/block.js';
import { acknowledgeRefusal, failedTarget, nextStageRefusal, retryRefusal, skipTargetRefusal, tickRefusal, unguardedProceedRefusal } from '../../session/intents.js';
import { UNGUARDED_WORD } from '../../session/leave-policy.js';

/** The main screen's keys that run the release, in order of importance. */
export const MAIN_RELEASE_KEYS: readonly Binding[] = [
  {
    scope: 'main',
    keys: ['enter'],
    label: 'run/continue',
    description: 'Run the next stage (or continue after a retry or skip)',
    whenText: 'pre-flight passed and nothing running (otherwise it says why not)',
    // no flag change proposed (Enter applies it then); the engine says whether the next stage may run
    when: (c) => c.ui.proposal === undefined,
    disabledReason: (c) => nextStageRefusal(c.session, c.controller.busy),
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const r = c.controller.runNextStage();
      if (!r.ok) c.notice(r.reason);
      else c.dispatch({ type: 'selected', id: undefined }); // follow the release again
    },
  },
  {
    scope: 'main',
    keys: ['space'],
    label: 'tick',
    description: 'Tick (or untick) the selected manual pre-flight item',
    whenText: 'a manual pre-flight item is selected',
    when: (c) => c.selectedRow?.kind === 'manual' && c.selectedRow.stageId === 'preflight' && tickRefusal(c.session, c.selectedRow.stepId!) === undefined,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const r = c.controller.tick(c.selectedRow!.stepId!);
      if (!r.ok) c.notice(r.reason);
      else if (c.controller.state.preflight.status === 'passed') c.dispatch({ type: 'selected', id: undefined });
      else moveToNextUnticked(c);
    },
  },
  {
    scope: 'main',
    keys: ['space'],
    label: 'tick',
    description: 'Tick the manual step the stage waits at (journalled); the stage goes on',
    whenText: 'a stage waits at a manual step (another row selected: the first space selects it)',
    when: (c) => tickableStep(c) !== undefined,
    followerSafe: false,
    showInBar: true,
    run: tickWaitingStep,
  },
  {
    scope: 'main',
    keys: ['space'],
    label: 'tick',
    description: 'On an automated pre-flight check: selects the next manual item to tick (space again ticks it), or says why nothing is ticked',
    whenText: 'an automated pre-flight check is selected',
    when: (c) => c.selectedRow?.kind === 'check' && c.selectedRow.stageId === 'preflight' && c.session.preflight.status !== 'passed',
    followerSafe: false,
    showInBar: false,
    run: spaceOnCheck,
  },
  {
    scope: 'main',
    keys: ['r'],
    label: 'retry',
    description: `Retry the failed step; a shell block re-runs from its first command`,
    whenText: 'a step has failed and nothing runs',
    when: always,
    disabledReason: (c) => retryRefusal(c.session, c.controller.busy),
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const failed = failedTarget(c.session)?.step;
      const r = c.controller.retry();
      if (!r.ok) c.notice(r.reason);
      else {
        c.dispatch({ type: 'selected', id: undefined });
        if (failed && isTrackedBlock(failed)) c.notice(BLOCK_RETRY.replace(/^retry /, ''));
      }
    },
  },
  {
    scope: 'main',
    keys: ['s'],
    label: 'skip',
    description: 'Skip the failed step (or a waiting manual step): asks for a reason, which is recorded',
    whenText: 'a stage step or pre-flight check has failed, or a stage waits at a manual step',
    when: always,
    // the engine's rule without the reason: the dialog then asks for the reason
    disabledReason: (c) => skipTargetRefusal(c.session, c.controller.busy),
    followerSafe: false,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'skip', text: '' } }),
  },
  { scope: 'main', keys: ['e'], label: 'emergency', description: 'Emergency quick reference: roll back, health check, incident alert, runnable from there', whenText: 'always', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'emergency', selected: 0 } }) },
  {
    scope: 'main',
    keys: ['w'],
    label: 'why',
    description: 'Why: each trigger\'s condition, current value and the samples of its window',
    whenText: 'the runbook has rollback triggers',
    when: (c) => (c.controller.runbook.rollback?.triggers.length ?? 0) > 0,
    followerSafe: true,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'why' } }),
  },
  {
    scope: 'main',
    keys: ['a'],
    label: 'acknowledge',
    description: 'Acknowledge the incident (journalled: someone is on it); escalation runs until verify passes',
    whenText: 'an incident is open, not resolved and not yet acknowledged',
    when: always,
    disabledReason: (c) => acknowledgeRefusal(c.session),
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const r = c.controller.acknowledge();
      c.notice(r.ok ? 'acknowledged: escalation runs until verify passes' : r.reason);
    },
  },
  {
    scope: 'main',
    keys: ['x'],
    label: 'experiment',
    description: 'A/B experiment: per-variant rates, lift with 95 % CI, p-value, sample ratio check; split, deploy, conclude',
    whenText: 'the runbook has experiments',
    when: (c) => (c.controller.experiments?.ids.length ?? 0) > 0,
    followerSafe: true,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'experiment', index: 0, openedAt: c.now } }),
  },
  {
    scope: 'main',
    keys: ['U'],
    label: 'unguarded',
    description: 'Go on past the failed guardrail self-test without guardrails: type "unguarded" to confirm; journalled, shown as UNGUARDED',
    whenText: 'the guardrail self-test failed and nothing runs',
    when: always,
    disabledReason: (c) => unguardedProceedRefusal(c.session, c.controller.busy),
    followerSafe: false,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'unguarded', typed: '', openedAt: c.now } }),
  },
];

/** The skip dialog. */
export const SKIP_KEYS: readonly Binding[] = [
  {
    scope: 'skip',
    keys: ['enter'],
    label: 'skip',
    description: 'Skip the failed step with the typed reason',
    whenText: 'skip dialog, a reason typed',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'skip' }>;
      if (!o.text.trim()) return c.notice('a skip needs a reason');
      if (c.burst || c.now - c.prevKeyAt < CONFIRM_GUARD_MS) return c.notice('Enter came too fast after typing: press Enter again to skip');
      c.dispatch({ type: 'overlay-closed' });
      const r = c.controller.skip(o.text);
      if (!r.ok) c.notice(r.reason);
    },
  },
  { scope: 'skip', keys: ['escape'], label: 'cancel', description: 'Cancel the skip', whenText: 'skip dialog', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

/** Going on past a failed guardrail self-test: the typed confirmation. */
export const UNGUARDED_KEYS: readonly Binding[] = [
  {
    scope: 'unguarded',
    keys: ['enter'],
    label: 'proceed unguarded',
    description: 'Go on without guardrails when "unguarded" is typed (Enter within 300 ms of the last key is ignored)',
    whenText: 'unguarded confirmation',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'unguarded' }>;
      if (o.typed !== UNGUARDED_WORD) return c.notice(`type "${UNGUARDED_WORD}" to go on without guardrails (Esc cancels)`);
      if (!guardPassed(c, o.openedAt)) return c.notice('Enter came too fast: press it again to go on unguarded');
      c.dispatch({ type: 'overlay-closed' });
      const r = c.controller.proceedUnguarded();
      c.notice(r.ok ? 'UNGUARDED: the release goes on without its guardrails (journalled)' : r.reason);
    },
  },
  { scope: 'unguarded', keys: ['escape'], label: 'cancel', description: 'Cancel: stay at the pre-flight', whenText: 'unguarded confirmation', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];
