/** The session state, re-rendered at most every `ms` (events can come in bursts). */
import { useEffect, useState } from 'react';
import type { Session } from '../../session/session.js';
import type { SessionState } from '../../session/reduce.js';
import type { FrameHold } from '../frame-hold.js';

export function useSession(controller: Session, hold?: FrameHold, ms = 50): SessionState {
  const [state, setState] = useState(controller.state);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const off = controller.subscribe((_s, e) => {
      // an output batch changes only a line count nothing shows: the output store re-renders
      // the screen for new lines on its own (use-output.ts)
      if (e.type === 'step.output') return;
      timer ??= setTimeout(() => {
        timer = undefined;
        const apply = () => setState(controller.state);
        if (hold) hold.latestOf('session', apply);
        else apply();
      }, ms);
    });
    setState(controller.state);
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [controller, hold, ms]);
  return state;
}
