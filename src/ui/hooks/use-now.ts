/** Session time for elapsed clocks: ticks once a second while something is counting, else sleeps. */
import { useEffect, useState } from 'react';
import type { Controller } from '../../session/controller.js';

export function useNow(controller: Controller, ticking: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => controller.elapsed());
  useEffect(() => {
    setNow(controller.elapsed());
    if (!ticking) return;
    const t = setInterval(() => setNow(controller.elapsed()), ms);
    return () => clearInterval(t);
  }, [controller, ticking, ms]);
  return now;
}
