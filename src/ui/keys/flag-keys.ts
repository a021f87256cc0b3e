/** The flags' keys: ramp, kill switch, deploy with the flag off, forced step-up (the keymap table: keys/table.ts). */
import { applyProposal, confirmKill, deploySelectedFlag, flagsOf, guardPassed, propose } from '../key-actions.js';
import { always, type Binding, type KeyContext } from '../key-context.js';
import { topOverlay, type Overlay } from '../ui-state.js';

/** Why + cannot step the selected flag up now: the flags' own rule (flags/manager.ts: applying, top of the ramp, after a rollback). */
export function rampUpRefusal(c: KeyContext): string | undefined {
  const flag = flagsOf(c)[c.ui.flagIndex];
  const ramps = c.controller.flags!;
  if (ramps.isApplying(flag)) return `${flag}: a change is applying, this press is ignored`;
  const t = ramps.target(flag, 'up');
  return typeof t === 'string' ? t : undefined;
}

/** + in the hint bar: once the backend said where the flag is, and not while a change is proposed (a display choice: the key still acts). */
export function rampUpShown(c: KeyContext): boolean {
  const flag = flagsOf(c)[c.ui.flagIndex];
  return flag !== undefined && c.ui.proposal === undefined && c.controller.state.flags[flag]?.percent !== undefined;
}

/** Why 0 cannot kill the selected flag now (flags/manager.ts: already at 0 %). */
export function killRefusal(c: KeyContext): string | undefined {
  const t = c.controller.flags!.target(flagsOf(c)[c.ui.flagIndex], 'kill');
  return typeof t === 'string' ? t : undefined;
}

/** The main screen's flag keys: after everything else in the bar and the help. */
export const MAIN_FLAG_KEYS: readonly Binding[] = [
  {
    scope: 'main',
    keys: ['enter'],
    label: 'apply',
    description: 'Apply the proposed flag change (the percentage shown is what the backend confirms)',
    whenText: 'a flag change is proposed',
    when: (c) => c.ui.proposal !== undefined,
    followerSafe: false,
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
    followerSafe: false,
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
    // the flags' own rule (flags/manager.ts target): a step above it, no rollback, no change applying
    disabledReason: rampUpRefusal,
    // in the bar once the backend said where the flag is, and not while a change is proposed (Enter and Esc matter then)
    bar: rampUpShown,
    followerSafe: false,
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
    followerSafe: false,
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
    disabledReason: killRefusal,
    followerSafe: false,
    showInBar: false,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'flag-kill', flag: flagsOf(c)[c.ui.flagIndex], openedAt: c.now, ignored: c.burst ? 1 : 0 } }),
  },
  {
    scope: 'main',
    keys: ['d'],
    label: 'deploy flag off',
    description: 'Deploy the code of the selected flag with the flag off (the runbook\'s flags.deploy), before its ramp starts',
    whenText: 'the runbook has a flag deploy command',
    when: (c) => flagsOf(c).length > 0 && c.controller.runbook.flags?.deploy !== undefined,
    followerSafe: false,
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
    followerSafe: false,
    showInBar: true,
    run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'flag-force', flag: c.ui.proposal!.flag, to: c.ui.proposal!.to, typed: '', openedAt: c.now } }),
  },
  { scope: 'main', keys: ['up'], label: 'flag', description: 'Select the previous flag', whenText: 'the flags pane has focus', when: (c) => c.ui.focus === 'flags', followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'flag-selected', index: Math.max(0, c.ui.flagIndex - 1) }) },
  { scope: 'main', keys: ['down'], label: 'flag', description: 'Select the next flag', whenText: 'the flags pane has focus', when: (c) => c.ui.focus === 'flags', followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'flag-selected', index: Math.min(flagsOf(c).length - 1, c.ui.flagIndex + 1) }) },
];

/** The kill switch and forced step-up confirmations. */
export const FLAG_DIALOG_KEYS: readonly Binding[] = [
  { scope: 'flag-kill', keys: ['0'], label: 'kill', description: 'Confirm the kill switch (ignored within 300 ms of opening or of the previous key)', whenText: 'kill switch confirmation', when: always, followerSafe: false, showInBar: true, run: (c) => confirmKill(c) },
  { scope: 'flag-kill', keys: ['escape', 'enter'], label: 'cancel', description: 'Cancel (Enter too: the focus is on Cancel)', whenText: 'kill switch confirmation', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  {
    scope: 'flag-force',
    keys: ['enter'],
    label: 'force',
    description: 'Force the step up when the typed name matches the flag',
    whenText: 'forced step-up confirmation',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'flag-force' }>;
      if (o.typed !== o.flag) return c.notice(`type the flag name (${o.flag}) to force it`);
      if (!guardPassed(c, o.openedAt)) return c.notice('Enter came too fast: press it again to force');
      c.dispatch({ type: 'overlay-closed' });
      void applyProposal(c, true);
    },
  },
  { scope: 'flag-force', keys: ['escape'], label: 'cancel', description: 'Cancel the forced step up', whenText: 'forced step-up confirmation', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];
