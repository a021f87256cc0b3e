/** The notice line: a text shown for 5 s; escalation levels and the risk-register entry announce themselves there. */
import { useEffect, useRef } from 'react';
import type { Session } from '../../session/session.js';
import type { UiAction } from '../ui-state.js';
import { escalationNotice, riskNotice } from '../view-model.js';
import { journalText, leftText, pausedText, resumedText } from '../../session/notices.js';

const NOTICE_MS = 5000;

export function useNotice(controller: Session, dispatch: (a: UiAction) => void, clock: () => number): (text: string) => void {
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  const show = (text: string): void => {
    dispatch({ type: 'notice-shown', text, at: clock() });
    if (timer.current) clearTimeout(timer.current);
    // a notice never keeps the process alive: q leaves at once, not when the notice would have gone
    timer.current = setTimeout(() => dispatch({ type: 'notice-cleared' }), NOTICE_MS).unref();
  };
  const latest = useRef(show);
  latest.current = show;
  // the screen gone (q, a closed terminal): its notice's timer goes with it
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(
    () =>
      controller.subscribe((_s, e) => {
        // an escalation level is reached: say so where the eye goes (a reminder is for people to act on)
        if (e.type === 'escalation.started') latest.current(escalationNotice(e.level, e.title, e.action));
        if (e.type === 'session.resumed') latest.current(resumedText(e));
        if (e.type === 'guard.handed-over' || e.type === 'guard.left-unguarded') latest.current(leftText(e));
        if (e.type === 'journal.unwritable') latest.current(journalText(e));
        if (e.type === 'session.paused') latest.current(pausedText(e));
        // a step that passed with something to say (a flag step that left a higher flag as it is)
        if (e.type === 'step.finished' && e.ok && e.note) latest.current(e.note);
        // a risk register that could not be written: loud, and the rollback carries on regardless
        if (e.type === 'risk.registered') latest.current(riskNotice(e.ok, e.target, e.error));
      }),
    [controller],
  );
  return show;
}
