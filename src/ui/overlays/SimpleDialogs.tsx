/** The small dialogs: skip with a reason, quit while running, interrupt the running step. */
import type { Overlay } from '../ui-state.js';
import { Dialog } from './Dialog.js';

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

export function QuitDialog({ running, ...size }: Size & { running: string }) {
  return <Dialog title="Quit?" danger {...size} width={72} lines={[`${running} is running.`, 'Quitting interrupts it (SIGTERM to its process group).', '', 'y quit · n / Esc stay']} />;
}

export function InterruptDialog({ running, ...size }: Size & { running: string }) {
  return (
    <Dialog
      title="Interrupt?"
      danger
      {...size}
      width={72}
      lines={[`Interrupt ${running}?`, 'Its process group gets SIGTERM, then SIGKILL after the grace period.', 'The stage stops; then retry (r), skip (s) or roll back (R).', '', 'y / Enter interrupt · n / Esc keep running · Ctrl+C again leaves at once']}
    />
  );
}
