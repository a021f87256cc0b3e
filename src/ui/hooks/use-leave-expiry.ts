/**
 * The leave dialog offers what the guardrails are doing now; once they stop watching (a trigger
 * fired and the rollback started, the session ended) its choices (keep guarding, leave unguarded)
 * mean nothing, so it closes and the notice line says why. The rule is the leave policy's.
 */
import { useEffect } from 'react';
import { guardWatching } from '../../session/leave-policy.js';
import type { SessionState } from '../../session/reduce.js';
import type { Runbook } from '../../runbook/types.js';
import type { UiAction, UiState } from '../ui-state.js';

export function useLeaveExpiry(session: SessionState, rb: Runbook, ui: UiState, dispatch: (a: UiAction) => void, notice: (text: string) => void): void {
  const top = ui.overlays[ui.overlays.length - 1];
  const stale = top?.kind === 'leave' && guardWatching(session, rb) === undefined;
  useEffect(() => {
    if (!stale) return;
    dispatch({ type: 'overlay-closed' });
    notice(session.rollback.status !== 'idle' ? 'the guardrails stopped watching: the rollback runs (q to leave once it is done)' : 'the guardrails no longer watch: q quits');
  }, [stale]);
}
