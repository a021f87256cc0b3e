/** Session time for elapsed clocks: ticks once a second while something is counting, else sleeps. */
import { useEffect, useState } from 'react';
import type { Session } from '../../session/session.js';
import type { FrameHold } from '../frame-hold.js';

export function useNow(controller: Session, ticking: boolean, hold?: FrameHold, ms = 1000): number {
  const [now, setNow] = useState(() => controller.elapsed());
  useEffect(() => {
    setNow(controller.elapsed());
    if (!ticking) return;
    const tick = () => setNow(controller.elapsed());
    const t = setInterval(() => (hold ? hold.latestOf('now', tick) : tick()), ms);
    return () => clearInterval(t);
  }, [controller, ticking, hold, ms]);
  return now;
}
