/** The small dialogs: skip with a reason, quit while running, interrupt the running step, leave while guarded. */
import { formatClock } from '../../runbook/duration.js';
import { sanitizeLine } from '../../exec/log-format.js';
import { UNGUARDED_WORD } from '../../session/leave-policy.js';
import type { Overlay } from '../ui-state.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Size = { readonly screenWidth: number; readonly screenHeight: number };

export function SkipDialog({ overlay, step, ...size }: Size & { overlay: Extract<Overlay, { kind: 'skip' }>; step: string }) {
  return (
    <Dialog
      title="Skip step"
      {...size}
      width={72}
      lines={[`Skip "${step}"? The reason is recorded in the journal.`, '', [{ text: `Reason: ${overlay.text}`, slot: 'title' }, { text: '▏' }], '', 'Enter skips · Esc cancels']}
    />
  );
}

/** Quit while a step runs (it is interrupted) or while an escalation level is still due (it will not run). */
export function QuitDialog({ running, escalation, ...size }: Size & { running?: string; escalation?: { level: number; dueInMs: number } }) {
  const lines: DialogLine[] = [];
  if (running) lines.push(`${running} is running.`, 'Quitting interrupts it (SIGTERM to its process group).');
  if (escalation) lines.push([{ text: `escalation level ${escalation.level} is due in ${formatClock(Math.max(0, escalation.dueInMs))}: quit anyway? the levels will not run`, slot: 'dialog.danger' }]);
  return <Dialog title="Quit?" danger {...size} width={84} lines={[...lines, '', 'y quit · n / Esc stay']} />;
}

/** `guarded`: the guardrails watch production, so a second Ctrl+C asks how to leave instead of leaving. */
export function InterruptDialog({ running, guarded, ...size }: Size & { running: string; guarded?: boolean }) {
  return (
    <Dialog
      title="Interrupt?"
      danger
      {...size}
      width={72}
      lines={[`Interrupt ${running}?`, 'Its process group gets SIGTERM, then SIGKILL after the grace period.', 'The stage stops; then retry (r), skip (s) or roll back (R).', '', guarded ? 'y / Enter interrupt · n / Esc keep running · Ctrl+C: how to leave' : 'y / Enter interrupt · n / Esc keep running · Ctrl+C again leaves at once']}
    />
  );
}

export function FlagKillDialog({ overlay, percent, ...size }: Size & { overlay: Extract<Overlay, { kind: 'flag-kill' }>; percent?: number }) {
  const lines: DialogLine[] = [
    [{ text: `Kill switch: ${overlay.flag} ${percent === undefined ? '?' : percent} % → 0 %`, slot: 'dialog.danger' as const }],
    'Every user gets the flag off, through the flag provider.',
    '',
    [{ text: '[ Cancel ]', slot: 'dialog.buttonFocus' as const }, { text: '   ' }, { text: '  Kill  ', slot: 'dialog.danger' as const }],
    'Press 0 again to confirm · Esc or Enter cancels',
  ];
  if (overlay.ignored > 0) lines.push([{ text: `Ignored ${overlay.ignored} key${overlay.ignored > 1 ? 's' : ''} that came within 300 ms: press 0 again to confirm`, slot: 'notice' as const }]);
  return <Dialog title="KILL SWITCH" danger {...size} width={72} lines={lines} />;
}

export function UnguardedDialog({ overlay, reason, ...size }: Size & { overlay: Extract<Overlay, { kind: 'unguarded' }>; reason?: string }) {
  return (
    <Dialog
      title="PROCEED WITHOUT GUARDRAILS"
      danger
      {...size}
      width={80}
      lines={[
        [{ text: 'The guardrail self-test failed:', slot: 'dialog.danger' }],
        sanitizeLine(reason ?? 'failed'),
        'Triggers may watch nothing: a bad release would not roll back by itself.',
        'Journalled; the header shows UNGUARDED for the rest of the session.',
        '',
        `Type ${UNGUARDED_WORD} and press Enter:`,
        [{ text: `> ${sanitizeLine(overlay.typed)}`, slot: 'title' }, { text: '▏' }],
        'Esc cancels',
      ]}
    />
  );
}

export function FlagForceDialog({ overlay, reason, ...size }: Size & { overlay: Extract<Overlay, { kind: 'flag-force' }>; reason?: string }) {
  return (
    <Dialog
      title="FORCE A REFUSED STEP UP"
      danger
      {...size}
      width={80}
      lines={[
        [{ text: `${overlay.flag} → ${overlay.to} %, against the guardrails`, slot: 'dialog.danger' }],
        `Refused because: ${reason ?? 'a guardrail is not green'}`,
        'It is recorded in the journal as forced.',
        '',
        `Type the flag name (${overlay.flag}) and press Enter:`,
        [{ text: `> ${overlay.typed}`, slot: 'title' }, { text: '▏' }],
        'Esc cancels',
      ]}
    />
  );
}

/**
 * Leaving while the guardrails watch production (session/leave-policy.ts): it says in words that
 * they stop watching, and offers roll back / keep guarding in the background / leave unguarded.
 */
export function LeaveDialog({ overlay, environment, ...size }: Size & { overlay: Extract<Overlay, { kind: 'leave' }>; environment: string }) {
  const lines: DialogLine[] = [
    [{ text: `The guardrails are watching ${sanitizeLine(environment)}:`, slot: 'dialog.danger' }],
    [{ text: `  ${sanitizeLine(overlay.watching)}.`, slot: 'dialog.danger' }],
    'If you leave, they stop watching: nothing rolls back on its own.',
    '',
  ];
  if (overlay.typing) {
    lines.push(`Type ${UNGUARDED_WORD} and Enter to leave with nothing watching (journalled):`, [{ text: `> ${overlay.typed}`, slot: 'title' }, { text: '▏' }]);
    if (overlay.error) lines.push([{ text: overlay.error, slot: 'notice' }]);
    lines.push('', 'Esc stays');
    return <Dialog title="LEAVE UNGUARDED?" danger {...size} width={84} lines={lines} />;
  }
  lines.push(
    'R  roll back now (the rollback dialog)',
    ...(overlay.noHandOver === undefined
      ? ['b  keep guarding in the background: a background cockpit takes the', '   session over, samples and rolls back on its own; cockpit watch shows it']
      : ['b  keep guarding in the background: not possible here', `   (${overlay.noHandOver})`]),
    `u  leave unguarded (type ${UNGUARDED_WORD} to confirm; journalled)`,
  );
  if (overlay.error) lines.push([{ text: overlay.error, slot: 'notice' }]);
  lines.push('', 'n / Esc stay');
  return <Dialog title="Leave while guarded?" danger {...size} width={84} lines={lines} />;
}
