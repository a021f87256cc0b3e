/** `x`: an A/B experiment's figures, its traffic split, deploy, and the conclusion. */
import type { Session } from '../../session/session.js';
import type { SessionState } from '../../session/reduce.js';
import { detailLines } from '../../flags/experiment.js';
import { leader } from '../keymap.js';
import type { Overlay } from '../ui-state.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = {
  readonly overlay: Extract<Overlay, { kind: 'experiment' }>;
  readonly controller: Session;
  readonly session: SessionState;
  readonly screenWidth: number;
  readonly screenHeight: number;
};

export function experimentLines({ overlay: o, controller, session }: Pick<Props, 'overlay' | 'controller' | 'session'>): DialogLine[] {
  const id = controller.experiments?.ids[o.index] ?? '';
  const ex = controller.runbook.experiments[id];
  const st = session.experiments[id];
  const lines: DialogLine[] = st?.figures ? detailLines(st.figures) : [`experiment ${id}: waiting for the first figures…`];
  if (ex?.flag) {
    const p = session.flags[ex.flag]?.percent;
    const splits = (ex.splits ?? [10, 50, 90]).map((s, i) => `${i + 1}: ${100 - s}/${s}`).join('   ');
    lines.push('', `traffic split through flag ${ex.flag}: now ${p === undefined ? '?' : `${100 - p}/${p}`}   ·   ${splits}`);
  }
  if (st?.concluded) lines.push('', [{ text: `concluded: ${st.concluded.decision.toUpperCase()}, winner ${st.concluded.winner}`, slot: 'stage.passed' }]);
  if (o.decision) {
    const winner = o.decision === 'kill' || o.decision === 'iterate' ? 'none' : leader({ controller }, id);
    lines.push('', [{ text: `Conclude ${o.decision.toUpperCase()}${winner !== 'none' ? ` (winner ${winner})` : ''}? Enter confirms · Esc drops`, slot: 'dialog.danger' }]);
  } else lines.push('', 'd deploy variants · 1–9 split · k keep · s scale · i iterate · x kill · Esc close');
  return lines;
}

export function ExperimentOverlay(p: Props) {
  const id = p.controller.experiments?.ids[p.overlay.index] ?? '';
  return <Dialog title={`EXPERIMENT ${id}`} lines={experimentLines(p)} width={Math.min(110, p.screenWidth - 4)} screenWidth={p.screenWidth} screenHeight={p.screenHeight} />;
}
