/** `e`: the emergency quick reference: roll back, then the runbook's emergency actions, runnable. */
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';
import { ICON } from '../status.js';
import type { Overlay } from '../ui-state.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = {
  readonly overlay: Extract<Overlay, { kind: 'emergency' }>;
  readonly runbook: Runbook;
  readonly session: SessionState;
  readonly screenWidth: number;
  readonly screenHeight: number;
};

export function emergencyLines({ overlay, runbook, session }: Pick<Props, 'overlay' | 'runbook' | 'session'>): DialogLine[] {
  const items = [
    {
      // the runbook's own "stop the bleeding" item is this one: it opens the R dialog, never runs a script
      title: `${runbook.emergencyRollback?.title ?? 'Stop the bleeding: roll back'} (R)`,
      detail: runbook.rollback ? `opens the rollback dialog: ${session.rollback.steps.map((s) => s.title).join(', ')}` : 'no rollback in this runbook',
      status: '',
    },
    ...runbook.emergency.map((e) => {
      const st = session.emergency.find((x) => x.id === e.id);
      return { title: e.title, detail: e.display, status: st && st.status !== 'pending' ? ` ${ICON[st.status]} ${st.status}` : '' };
    }),
  ];
  const lines: DialogLine[] = [[{ text: 'Something broke? Start here.', slot: 'dialog.danger' }], ''];
  items.forEach((it, i) => {
    const sel = i === overlay.selected;
    lines.push([{ text: `${sel ? '›' : ' '} ${i + 1}. ${it.title}${it.status}`, slot: sel ? 'selected' : 'title' }]);
    lines.push(`     ${it.detail}`);
  });
  if (runbook.emergency.length === 0) lines.push('', 'Add an `emergency:` list to the runbook for health checks and alerts.');
  lines.push('', '↑↓ select · Enter run · Esc close');
  return lines;
}

export function EmergencyOverlay(p: Props) {
  return <Dialog title="EMERGENCY" danger lines={emergencyLines(p)} width={Math.min(90, p.screenWidth - 4)} screenWidth={p.screenWidth} screenHeight={p.screenHeight} />;
}
