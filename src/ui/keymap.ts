/**
 * The one keymap table. It drives key dispatch, the hint bar, the `?` overlay and docs/keys.md.
 * Uppercase R is rollback everywhere; lowercase r is retry and never rollback.
 */
import {
  applyProposal,
  applySplit,
  conclude,
  confirmKill,
  confirmRollback,
  confirmStyle,
  deploySelectedFlag,
  expOverlay,
  flagsOf,
  guardPassed,
  moveEmergency,
  moveSelection,
  moveToNextUnticked,
  openRollback,
  propose,
  rampUpReady,
  spaceOnCheck,
  rollbackOverlay,
  scrollHelp,
  tickableStep,
  tickWaitingStep,
} from './key-actions.js';
import { CONFIRM_GUARD_MS, type Binding, type KeyContext, type Scope } from './key-context.js';
import { topOverlay, type Overlay } from './ui-state.js';
import { BLOCK_RETRY, isTrackedBlock } from '../session/block.js';
import { acknowledgeRefusal, failedTarget, retryRefusal, skipRefusal } from '../session/intents.js';
import { unguardedRefusal } from '../session/self-test.js';
import { confirmQuit, confirmUnguarded, leaveByRollback, leaveToBackground, requestLeave, startUnguarded } from './leave-actions.js';
import { UNGUARDED_WORD } from '../session/leave-policy.js';
import { importance, keyRows, scopeRank } from './key-order.js';

export { CONFIRM_GUARD_MS, DOUBLE_CTRL_C_MS, type Binding, type KeyContext, type Scope } from './key-context.js';
export { confirmStyle, failedStep, guardPassed, leader } from './key-actions.js';

const always = () => true;

const mainIdle = (c: KeyContext) => topOverlay(c.ui) === undefined;

export const KEYMAP: readonly Binding[] = [
  // ── everywhere ──
  {
    scope: 'global',
    keys: ['R'],
    label: 'rollback',
    description: 'Roll back: opens a dialog naming what will run, focused on Cancel; a second R confirms',
    whenText: 'always, on top of every overlay',
    when: always,
    showInBar: true,
    run: openRollback,
  },
  {
    scope: 'global',
    keys: ['ctrl+c'],
    label: 'interrupt',
    description: 'Interrupt the running step (asks first); again within 2 s leaves (guarded: asks how; rollback: abandons it)',
    whenText: 'always',
    when: always,
    showInBar: false,
    run: (c) => requestLeave(c, 'ctrl-c'),
  },
  // ── the main screen ──
  {
    scope: 'main',
    keys: ['enter'],
    label: 'apply',
    description: 'Apply the proposed flag change (the percentage shown is what the backend confirms)',
    whenText: 'a flag change is proposed',
    when: (c) => c.ui.proposal !== undefined,
    showInBar: true,
    run: (c) => void applyProposal(c, false),
  },
  {
    scope: 'main',
    keys: ['escape'],
    label: 'cancel',
    description: 'Drop the proposed flag change',
    whenText: 'a flag change is proposed',
    when: (c) => c.ui.proposal !== undefined,
    showInBar: false,
    run: (c) => c.dispatch({ type: 'flag-proposed', proposal: undefined }),
  },
  {
    scope: 'main',
    keys: ['+', ']'],
    label: 'ramp up',
    description: 'Propose the next step of the selected flag\'s ramp (Enter applies; refused while a trigger is pending)',
    whenText: 'the runbook ramps flags',
    when: (c) => flagsOf(c).length > 0,
    // in the bar only where it can act: the flag read, a step above it, no rollback (flags/manager.ts target)
    bar: rampUpReady,
    showInBar: true,
    run: (c) => propose(c, 'up'),
  },
  {
    scope: 'main',
    keys: ['-', '['],
    label: 'down',
    description: 'Propose the previous step of the selected flag\'s ramp (always allowed)',
    whenText: 'the runbook ramps flags',
    when: (c) => flagsOf(c).length > 0,
    showInBar: false,
    run: (c) => propose(c, 'down'),
  },
  {
    scope: 'main',
    keys: ['0'],
    label: 'kill',
    description: 'Kill switch: the selected flag to 0 %, confirmed like a rollback (always allowed)',
    whenText: 'the runbook ramps flags',
    when: (c) => flagsOf(c).length > 0,
    showInBar: false,
    run: (c) => {
      const flag = flagsOf(c)[c.ui.flagIndex];
      const t = c.controller.flags!.target(flag, 'kill');
      if (typeof t === 'string') return c.notice(t);
      c.dispatch({ type: 'overlay-opened', overlay: { kind: 'flag-kill', flag, openedAt: c.now, ignored: c.burst ? 1 : 0 } });
    },
  },
  {
    scope: 'main',
    keys: ['d'],
    label: 'deploy flag off',
    description: 'Deploy the code of the selected flag with the flag off (the runbook\'s flags.deploy), before its ramp starts',
    whenText: 'the runbook has a flag deploy command',
    when: (c) => flagsOf(c).length > 0 && c.controller.runbook.flags?.deploy !== undefined,
    showInBar: false,
    run: (c) => void deploySelectedFlag(c),
  },
  {
    scope: 'main',
    keys: ['F'],
    label: 'force',
    description: 'Force the refused step up: type the flag name to confirm; recorded as forced',
    whenText: 'a step up was refused by a guardrail',
    when: (c) => c.ui.proposal !== undefined && c.controller.state.flags[c.ui.proposal.flag]?.refused !== undefined,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'flag-force', flag: c.ui.proposal!.flag, to: c.ui.proposal!.to, typed: '', openedAt: c.now } }),
  },
  { scope: 'main', keys: ['up'], label: 'flag', description: 'Select the previous flag', whenText: 'the flags pane has focus', when: (c) => c.ui.focus === 'flags', showInBar: false, run: (c) => c.dispatch({ type: 'flag-selected', index: Math.max(0, c.ui.flagIndex - 1) }) },
  { scope: 'main', keys: ['down'], label: 'flag', description: 'Select the next flag', whenText: 'the flags pane has focus', when: (c) => c.ui.focus === 'flags', showInBar: false, run: (c) => c.dispatch({ type: 'flag-selected', index: Math.min(flagsOf(c).length - 1, c.ui.flagIndex + 1) }) },
  // kill switch and forced step-up confirmations
  { scope: 'flag-kill', keys: ['0'], label: 'kill', description: 'Confirm the kill switch (ignored within 300 ms of opening or of the previous key)', whenText: 'kill switch confirmation', when: always, showInBar: true, run: (c) => confirmKill(c) },
  { scope: 'flag-kill', keys: ['escape', 'enter'], label: 'cancel', description: 'Cancel (Enter too: the focus is on Cancel)', whenText: 'kill switch confirmation', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  {
    scope: 'flag-force',
    keys: ['enter'],
    label: 'force',
    description: 'Force the step up when the typed name matches the flag',
    whenText: 'forced step-up confirmation',
    when: always,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'flag-force' }>;
      if (o.typed !== o.flag) return c.notice(`type the flag name (${o.flag}) to force it`);
      if (!guardPassed(c, o.openedAt)) return c.notice('Enter came too fast: press it again to force');
      c.dispatch({ type: 'overlay-closed' });
      void applyProposal(c, true);
    },
  },
  { scope: 'flag-force', keys: ['escape'], label: 'cancel', description: 'Cancel the forced step up', whenText: 'forced step-up confirmation', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  {
    scope: 'main',
    keys: ['enter'],
    label: 'run/continue',
    description: 'Run the next stage (or continue after a retry or skip)',
    whenText: 'pre-flight passed and nothing running (otherwise it says why not)',
    when: always,
    bar: (c) => c.ui.proposal === undefined && !c.controller.busy && c.session.preflight.status === 'passed' && c.session.rollback.status === 'idle' && c.session.stages.some((s) => s.status === 'pending') && !c.session.stages.some((s) => s.status === 'failed'),
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
    when: (c) => c.selectedRow?.kind === 'manual' && c.selectedRow.stageId === 'preflight' && c.session.preflight.status !== 'passed',
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
    showInBar: false,
    run: spaceOnCheck,
  },
  { scope: 'main', keys: ['up'], label: 'select', description: 'Select the previous item', whenText: 'the checklist has focus', when: (c) => c.ui.focus === 'checklist', showInBar: false, run: (c) => moveSelection(c, -1) },
  { scope: 'main', keys: ['down'], label: 'select', description: 'Select the next item', whenText: 'the checklist has focus', when: (c) => c.ui.focus === 'checklist', showInBar: false, run: (c) => moveSelection(c, 1) },
  { scope: 'main', keys: ['tab'], label: 'focus', description: 'Move focus: checklist → output (arrows scroll it) → flags (arrows select a flag)', whenText: 'no overlay', when: mainIdle, showInBar: false, run: (c) => c.dispatch({ type: 'focus-toggled', withFlags: flagsOf(c).length > 0 }) },
  { scope: 'main', keys: ['k', 'up'], label: 'scroll', description: 'Scroll the output up a line', whenText: 'always (arrows when the output has focus)', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: -1, max: c.outputMax }) },
  { scope: 'main', keys: ['j', 'down'], label: 'scroll', description: 'Scroll the output down a line', whenText: 'always (arrows when the output has focus)', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: 1, max: c.outputMax }) },
  { scope: 'main', keys: ['pageup'], label: 'page', description: 'Scroll the output up a page', whenText: 'always', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: -c.page, max: c.outputMax }) },
  { scope: 'main', keys: ['pagedown'], label: 'page', description: 'Scroll the output down a page', whenText: 'always', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: c.page, max: c.outputMax }) },
  { scope: 'main', keys: ['g'], label: 'top', description: 'Output: go to the first line', whenText: 'always', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled-to', where: 'top', max: c.outputMax }) },
  { scope: 'main', keys: ['G'], label: 'end', description: 'Output: go to the last line and follow', whenText: 'always', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled-to', where: 'bottom', max: c.outputMax }) },
  { scope: 'main', keys: ['f'], label: 'follow', description: 'Output: toggle follow mode (stay at the end as lines arrive)', whenText: 'always', when: always, showInBar: false, run: (c) => c.dispatch({ type: 'follow-toggled' }) },
  {
    scope: 'main',
    keys: ['r'],
    label: 'retry',
    description: `Retry the failed step; a shell block re-runs from its first command`,
    whenText: 'a step has failed and nothing runs',
    when: (c) => retryRefusal(c.session, c.controller.busy) === undefined,
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
    // asks the engine's own rule with a placeholder reason: the dialog then asks for the real one
    when: (c) => skipRefusal(c.session, c.controller.busy, 'reason') === undefined,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'skip', text: '' } }),
  },
  { scope: 'main', keys: ['e'], label: 'emergency', description: 'Emergency quick reference: roll back, health check, incident alert, runnable from there', whenText: 'always', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'emergency', selected: 0 } }) },
  {
    scope: 'main',
    keys: ['w'],
    label: 'why',
    description: 'Why: each trigger\'s condition, current value and the samples of its window',
    whenText: 'the runbook has rollback triggers',
    when: (c) => (c.controller.runbook.rollback?.triggers.length ?? 0) > 0,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'why' } }),
  },
  {
    scope: 'main',
    keys: ['a'],
    label: 'acknowledge',
    description: 'Acknowledge the incident (journalled: someone is on it); escalation runs until verify passes',
    whenText: 'an incident is open, not resolved and not yet acknowledged',
    when: (c) => acknowledgeRefusal(c.session) === undefined,
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
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'experiment', index: 0, openedAt: c.now } }),
  },
  { scope: 'experiment', keys: ['escape'], label: 'close', description: 'Close the experiment view (drops a pending decision)', whenText: 'experiment view', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  { scope: 'experiment', keys: ['tab'], label: 'next', description: 'The next experiment', whenText: 'experiment view, several experiments', when: (c) => (c.controller.experiments?.ids.length ?? 0) > 1, showInBar: false, run: (c) => { const o = expOverlay(c); c.dispatch({ type: 'overlay-replaced', overlay: { ...o, index: (o.index + 1) % c.controller.experiments!.ids.length, decision: undefined } }); } },
  {
    scope: 'experiment',
    keys: ['d'],
    label: 'deploy variants',
    description: 'Run the experiment\'s deploy command (both variants)',
    whenText: 'experiment view',
    when: always,
    showInBar: true,
    run: (c) => {
      const id = c.controller.experiments!.ids[expOverlay(c).index];
      const r = c.controller.deployExperiment(id);
      c.notice(r.ok ? `deploying ${id} variants` : r.reason);
    },
  },
  {
    scope: 'experiment',
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    label: 'split',
    description: 'Apply traffic split N of the experiment (through its flag; a bigger share is guarded like a ramp)',
    whenText: 'experiment view, the experiment has a flag',
    when: (c) => c.controller.runbook.experiments[c.controller.experiments!.ids[expOverlay(c).index]]?.flag !== undefined,
    showInBar: true,
    run: (c) => void applySplit(c),
  },
  ...(['keep', 'kill', 'iterate', 'scale'] as const).map(
    (decision): Binding => ({
      scope: 'experiment',
      keys: [decision === 'kill' ? 'x' : decision[0]],
      label: decision,
      description: `Conclude: ${decision.toUpperCase()}${decision === 'keep' || decision === 'scale' ? ' the leading variant' : ''} (Enter confirms; recorded with the figures)`,
      whenText: 'experiment view',
      when: always,
      showInBar: true,
      run: (c) => c.dispatch({ type: 'overlay-replaced', overlay: { ...expOverlay(c), decision, openedAt: c.now } }),
    }),
  ),
  {
    scope: 'experiment',
    keys: ['enter'],
    label: 'confirm',
    description: 'Confirm the chosen decision: the conclude command runs with {winner} and {decision}',
    whenText: 'experiment view, a decision chosen',
    when: (c) => expOverlay(c).decision !== undefined,
    showInBar: true,
    run: (c) => void conclude(c),
  },
  { scope: 'why', keys: ['escape', 'w', 'q'], label: 'close', description: 'Close the why view', whenText: 'why overlay', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  { scope: 'main', keys: ['?'], label: 'help', description: 'Help: every key', whenText: 'always', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'help', offset: 0 } }) },
  {
    scope: 'main',
    keys: ['q'],
    label: 'quit',
    description: 'Quit; asks first while anything runs, an escalation level is due, or the guardrails watch',
    whenText: 'always',
    when: always,
    showInBar: true,
    run: (c) => requestLeave(c, 'q'),
  },
  // ── rollback dialog ──
  { scope: 'rollback', keys: ['R'], label: 'confirm', description: 'Confirm the rollback (press-R style; ignored within 300 ms of opening or of the previous key)', whenText: 'rollback dialog, press-R style', when: (c) => confirmStyle(c) === 'press-r', showInBar: true, run: confirmRollback },
  {
    scope: 'rollback',
    keys: ['tab', 'left', 'right'],
    label: 'focus',
    description: 'Move between Cancel and Roll back',
    whenText: 'rollback dialog',
    when: always,
    showInBar: false,
    run: (c) => {
      const o = rollbackOverlay(c)!;
      c.dispatch({ type: 'overlay-replaced', overlay: { ...o, focus: o.focus === 'cancel' ? 'confirm' : 'cancel' } });
    },
  },
  {
    scope: 'rollback',
    keys: ['enter'],
    label: 'choose',
    description: 'Activate the focused button (Cancel by default); type-name style: confirm when the typed name matches',
    whenText: 'rollback dialog',
    when: always,
    showInBar: true,
    run: (c) => {
      const o = rollbackOverlay(c)!;
      if (confirmStyle(c) === 'type-name') {
        if (o.typed === c.session.environment) confirmRollback(c);
        else c.dispatch({ type: 'overlay-replaced', overlay: { ...o, ignored: o.ignored } });
        return;
      }
      if (o.focus === 'cancel') c.dispatch({ type: 'overlay-closed' });
      else confirmRollback(c);
    },
  },
  { scope: 'rollback', keys: ['escape'], label: 'cancel', description: 'Cancel: close the dialog (Esc never confirms anything)', whenText: 'rollback dialog', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── skip dialog ──
  {
    scope: 'skip',
    keys: ['enter'],
    label: 'skip',
    description: 'Skip the failed step with the typed reason',
    whenText: 'skip dialog, a reason typed',
    when: always,
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
  { scope: 'skip', keys: ['escape'], label: 'cancel', description: 'Cancel the skip', whenText: 'skip dialog', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── going on without guardrails ──
  {
    scope: 'main',
    keys: ['U'],
    label: 'unguarded',
    description: 'Go on past the failed guardrail self-test without guardrails: type "unguarded" to confirm; journalled, shown as UNGUARDED',
    whenText: 'the guardrail self-test failed and nothing runs',
    when: (c) => unguardedRefusal(c.session) === undefined && !c.controller.busy,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'unguarded', typed: '', openedAt: c.now } }),
  },
  {
    scope: 'unguarded',
    keys: ['enter'],
    label: 'proceed unguarded',
    description: 'Go on without guardrails when "unguarded" is typed (Enter within 300 ms of the last key is ignored)',
    whenText: 'unguarded confirmation',
    when: always,
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
  { scope: 'unguarded', keys: ['escape'], label: 'cancel', description: 'Cancel: stay at the pre-flight', whenText: 'unguarded confirmation', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── help, emergency ──
  { scope: 'help', keys: ['escape', '?', 'q'], label: 'close', description: 'Close the help', whenText: 'help overlay', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  { scope: 'help', keys: ['down', 'j'], label: 'scroll', description: 'Scroll the help down', whenText: 'help overlay', when: always, showInBar: true, run: (c) => scrollHelp(c, 1) },
  { scope: 'help', keys: ['up', 'k'], label: 'scroll', description: 'Scroll the help up', whenText: 'help overlay', when: always, showInBar: false, run: (c) => scrollHelp(c, -1) },
  { scope: 'help', keys: ['pagedown', 'space'], label: 'page', description: 'Page the help down', whenText: 'help overlay', when: always, showInBar: false, run: (c) => scrollHelp(c, c.page) },
  { scope: 'help', keys: ['pageup'], label: 'page', description: 'Page the help up', whenText: 'help overlay', when: always, showInBar: false, run: (c) => scrollHelp(c, -c.page) },
  { scope: 'emergency', keys: ['up'], label: 'select', description: 'Select the previous action', whenText: 'emergency overlay', when: always, showInBar: false, run: (c) => moveEmergency(c, -1) },
  { scope: 'emergency', keys: ['down'], label: 'select', description: 'Select the next action', whenText: 'emergency overlay', when: always, showInBar: false, run: (c) => moveEmergency(c, 1) },
  {
    scope: 'emergency',
    keys: ['enter'],
    label: 'run',
    description: 'Run the selected action (a rollback opens the rollback dialog)',
    whenText: 'emergency overlay',
    when: always,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'emergency' }>;
      if (o.selected === 0) {
        c.dispatch({ type: 'overlay-closed' });
        openRollback(c);
        return;
      }
      const action = c.controller.runbook.emergency[o.selected - 1];
      if (!action) return;
      const r = c.controller.runEmergency(action.id);
      c.notice(r.ok ? `running ${action.title}` : r.reason);
      if (r.ok) {
        c.dispatch({ type: 'overlay-closed' });
        c.dispatch({ type: 'selected', id: `emergency/${action.id}` });
      }
    },
  },
  { scope: 'emergency', keys: ['escape', 'e'], label: 'close', description: 'Close the emergency reference', whenText: 'emergency overlay', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── quit and interrupt confirmations ──
  {
    scope: 'quit',
    keys: ['y'],
    label: 'quit',
    description: 'Quit: interrupts what runs (its process group) and leaves; escalation levels still due do not run',
    whenText: 'quit confirmation',
    when: always,
    showInBar: true,
    run: confirmQuit,
  },
  { scope: 'quit', keys: ['n', 'escape'], label: 'stay', description: 'Stay', whenText: 'quit confirmation', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  {
    scope: 'interrupt',
    keys: ['y', 'enter'],
    label: 'interrupt',
    description: 'Interrupt the running step: SIGTERM to its process group, SIGKILL after the grace period',
    whenText: 'interrupt confirmation',
    when: always,
    showInBar: true,
    run: (c) => {
      c.dispatch({ type: 'overlay-closed' });
      void c.controller.interruptStep();
    },
  },
  { scope: 'interrupt', keys: ['n', 'escape'], label: 'keep running', description: 'Keep the step running', whenText: 'interrupt confirmation', when: always, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── leaving while the guardrails watch production (session/leave-policy.ts) ──
  { scope: 'leave', keys: ['R'], label: 'roll back', description: 'Roll back: the rollback dialog, confirmed as everywhere', whenText: 'leave dialog', when: always, showInBar: true, run: leaveByRollback },
  { scope: 'leave', keys: ['b'], label: 'keep guarding', description: 'Keep guarding: a background cockpit takes over and rolls back on its own; this screen leaves', whenText: 'leave dialog', when: (c) => !leaving(c).typing, showInBar: true, run: leaveToBackground },
  { scope: 'leave', keys: ['u'], label: 'leave unguarded', description: `Leave unguarded: type ${UNGUARDED_WORD} and Enter (journalled); nothing rolls back on its own`, whenText: 'leave dialog', when: (c) => !leaving(c).typing, showInBar: true, run: startUnguarded },
  { scope: 'leave', keys: ['enter'], label: 'leave unguarded', description: `Leave unguarded once ${UNGUARDED_WORD} is typed (ignored within 300 ms of the previous key)`, whenText: 'leave dialog, typing', when: (c) => leaving(c).typing, showInBar: true, run: confirmUnguarded },
  { scope: 'leave', keys: ['escape', 'n'], label: 'stay', description: 'Stay: the guardrails keep watching', whenText: 'leave dialog', when: (c) => !leaving(c).typing || c.key === 'escape', showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

const leaving = (c: KeyContext) => topOverlay(c.ui) as Extract<Overlay, { kind: 'leave' }>;

/** What a follower (`cockpit watch`) may do: look, scroll, open the views, leave. R says how to roll back. */
const VIEW_LABELS: ReadonlySet<string> = new Set(['rollback', 'interrupt', 'flag', 'select', 'focus', 'scroll', 'page', 'top', 'end', 'follow', 'emergency', 'why', 'experiment', 'next', 'close', 'help', 'quit', 'stay']);

const viewable = (b: Binding, c: KeyContext): boolean => !c.controller.readOnly || VIEW_LABELS.has(b.label);

export function bindingsFor(scope: Scope, key: string, c: KeyContext): Binding | undefined {
  const found = KEYMAP.find((b) => b.scope === scope && b.keys.includes(key) && b.when(c)) ?? KEYMAP.find((b) => b.scope === 'global' && b.keys.includes(key) && b.when(c));
  if (!found || viewable(found, c)) return found;
  // an action on a follower: refused, saying why and what to do instead
  return { ...found, run: (k) => k.notice(k.controller.readOnly!) };
}

/** Keys that move, confirm or cancel: pressing one where it does nothing says nothing. */
const QUIET_KEYS: ReadonlySet<string> = new Set(['up', 'down', 'left', 'right', 'tab', 'enter', 'escape', 'pageup', 'pagedown', 'space', 'backspace', 'j', 'k', 'h', 'l', 'g', 'G']);

/**
 * The notice for a key that does nothing here: when it does something (and when), the key it was
 * probably meant to be (Q → q quits), or where every key is listed. Nothing for navigation keys.
 */
export function unknownKeyNotice(scope: Scope, key: string, c: KeyContext): string | undefined {
  if (QUIET_KEYS.has(key)) return undefined;
  const inScope = (b: Binding) => (b.scope === scope || b.scope === 'global') && viewable(b, c);
  const later = KEYMAP.find((b) => inScope(b) && b.keys.includes(key));
  if (later) return `no key "${key}" here: ${later.label} works only when ${later.whenText}`;
  const other = key === key.toLowerCase() ? key.toUpperCase() : key.toLowerCase();
  const near = other !== key ? KEYMAP.find((b) => inScope(b) && b.keys.includes(other) && b.when(c)) : undefined;
  if (near) return `no key "${key}" here: ${displayKey(other)} ${near.label === 'quit' ? 'quits' : near.label}`;
  return `no key "${key}" here: ? lists every key`;
}

/** The hint bar: the keys that apply now. R rollback always comes first. */
export function hints(c: KeyContext): { key: string; label: string }[] {
  const scope: Scope = topOverlay(c.ui)?.kind ?? 'main';
  const confirming = scope === 'rollback' && confirmStyle(c) === 'press-r';
  const out: { key: string; label: string }[] = confirming ? [] : [{ key: 'R', label: 'rollback' }];
  const shown = KEYMAP.filter((b) => b.scope === scope && b.showInBar && (b.bar ?? b.when)(c) && (b.scope === 'rollback' || b.keys[0] !== 'R') && viewable(b, c));
  // in order of importance; help and quit last, where the bar always keeps them (fitHints)
  const rank = (b: Binding) => (b.scope === 'main' && (b.label === 'help' || b.label === 'quit') ? 9 : importance(b));
  const ordered = shown.map((b, i) => ({ b, i })).sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i);
  for (const { b } of ordered) out.push({ key: displayKey(b.keys[0]), label: b.label });
  return out;
}

export function displayKey(k: string): string {
  return ({ enter: '⏎', space: 'space', escape: 'Esc', up: '↑', down: '↓', left: '←', right: '→', tab: 'Tab', pageup: 'PgUp', pagedown: 'PgDn', 'ctrl+c': 'Ctrl+C' } as Record<string, string>)[k] ?? k;
}

const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  main: 'Main screen',
  rollback: 'Rollback dialog',
  skip: 'Skip dialog',
  help: 'Help',
  why: 'Why (w)',
  experiment: 'Experiment (x)',
  'flag-kill': 'Kill switch confirmation',
  'flag-force': 'Forced step-up confirmation',
  emergency: 'Emergency reference (e)',
  quit: 'Quit confirmation',
  interrupt: 'Interrupt confirmation',
  unguarded: 'Unguarded confirmation',
  leave: 'Leaving while the guardrails watch',
};

/** The keymap grouped by scope, for the help overlay and docs/keys.md. */
export function keyGroups(): { title: string; rows: { keys: string; parts: { description: string; when: string }[]; description: string; when: string }[] }[] {
  const scopes = [...new Set(KEYMAP.map((b) => b.scope))].sort((a, b) => scopeRank(a) - scopeRank(b));
  return scopes.map((scope) => ({
    title: SCOPE_TITLES[scope],
    // a key bound twice in a scope (Enter: apply a flag change, or run the next stage) is one row
    rows: keyRows(KEYMAP.filter((b) => b.scope === scope)).map((r) => ({
      keys: r.keys.map(displayKey).join(' / '),
      parts: [...r.parts],
      description: r.parts.length === 1 ? r.parts[0].description : r.parts.map((p) => `${p.description} — ${p.when}`).join('; '),
      when: r.parts.length === 1 ? r.parts[0].when : 'as said for each',
    })),
  }));
}

export function keysMarkdown(): string {
  const lines = ['# cockpit keys', '', '<!-- generated from src/ui/keymap.ts by `cockpit keys --markdown`; a test fails when this file is stale -->', ''];
  lines.push('Uppercase **R** is rollback everywhere, on top of every overlay. Lowercase **r** is retry and never rollback.', '');
  lines.push(`Destructive confirmations (rollback, skip) count only when the confirming key comes at least ${CONFIRM_GUARD_MS} ms after the dialog opened and after the previous key: a held key, a paste or a burst of keys opens a dialog at most.`, '');
  for (const g of keyGroups()) {
    lines.push(`## ${g.title}`, '', '| key | what it does | when |', '|---|---|---|');
    for (const r of g.rows) lines.push(`| ${r.keys.replace(/\|/g, '\\|')} | ${r.description} | ${r.when} |`);
    lines.push('');
  }
  return lines.join('\n');
}

