/** Names exactly what a rollback will run; focused on Cancel; a second R (or the typed name) confirms. */
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';
import { CONFIRM_GUARD_MS } from '../keymap.js';
import type { Overlay } from '../ui-state.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = {
  readonly overlay: Extract<Overlay, { kind: 'rollback' }>;
  readonly runbook: Runbook;
  readonly session: SessionState;
  readonly style: 'press-r' | 'type-name';
  readonly screenWidth: number;
  readonly screenHeight: number;
};

export function rollbackLines({ overlay: o, runbook, session: s, style }: Omit<Props, 'screenWidth' | 'screenHeight'>): DialogLine[] {
  const steps = s.rollback.steps;
  const running = s.stages.flatMap((st) => st.steps.filter((x) => x.status === 'running').map((x) => `${st.title}: ${x.title}`));
  const lines: DialogLine[] = [
    [{ text: `Roll back ${runbook.name} ${s.version} in ${s.environment}`, slot: 'dialog.danger' }],
    '',
    ...(running.length ? [`First interrupts: ${running.join(', ')}`] : []),
    'Runs, in order:',
    ...steps.map((st, i) => `  ${i + 1}. ${st.title}  (${st.command})`),
    '',
  ];
  if (style === 'type-name') {
    lines.push(`Type the environment name (${s.environment}) and press Enter to confirm:`);
    lines.push([{ text: `> ${o.typed}`, slot: 'title' }, { text: '▏' }]);
  } else {
    lines.push([
      { text: o.focus === 'cancel' ? '[ Cancel ]' : '  Cancel  ', slot: o.focus === 'cancel' ? 'dialog.buttonFocus' : 'dialog.button' },
      { text: '   ' },
      { text: o.focus === 'confirm' ? '[ Roll back ]' : '  Roll back  ', slot: o.focus === 'confirm' ? 'dialog.buttonFocus' : 'dialog.danger' },
    ]);
    lines.push('Press R again to roll back · Esc cancels');
  }
  if (o.ignored > 0) lines.push([{ text: `Ignored ${o.ignored} key${o.ignored > 1 ? 's' : ''} that came within ${CONFIRM_GUARD_MS} ms (held key or paste?): press again to confirm`, slot: 'notice' }]);
  return lines;
}

export function RollbackDialog(p: Props) {
  return <Dialog title="ROLLBACK" danger lines={rollbackLines(p)} screenWidth={p.screenWidth} screenHeight={p.screenHeight} width={Math.min(96, p.screenWidth - 4)} />;
}
