/** The screen's frame hold (frame-hold.ts), released when the rollback it was held for has its first step running. */
import { useEffect, useState } from 'react';
import type { Session } from '../../session/session.js';
import { ROLLBACK } from '../../core/events.js';
import { FrameHold } from '../frame-hold.js';

/** The longest the screen stays still after a rollback's R. */
export const ROLLBACK_HOLD_MS = 150;
/** A spare supervisor hands a step its process in ~5-15 ms: the screen draws again after this. */
const ROLLBACK_SPAWN_MS = 40;

export function useFrameHold(controller: Session): FrameHold {
  const [hold] = useState(() => new FrameHold());
  useEffect(() => {
    const off = controller.subscribe((_s, e) => {
      // the rollback's first step is with its supervisor: draw again once it had a moment to
      // start its process; at once if the rollback is over
      if (e.type === 'step.started' && e.stage === ROLLBACK) hold.releaseIn(ROLLBACK_SPAWN_MS);
      else if (e.type === 'rollback.finished' || e.type === 'session.ended') hold.release();
    });
    return () => {
      off();
      hold.release();
    };
  }, [controller, hold]);
  return hold;
}
