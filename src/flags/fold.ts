/** The flags part of the session state: the percentage each backend confirmed, and what is going on. */
import type { Runbook } from '../runbook/types.js';
import type { ExperimentFigures } from '../core/figures.js';
import type { GuardState } from '../guard/fold.js';
import type { FlagActor, SessionEvent } from '../core/events.js';

export type FlagState = {
  /** The percentage the backend holds (what the ramp steps from); undefined until it has said. */
  readonly percent?: number;
  /** What users are served, where the backend can tell (Unleash: 0 % while the environment is disabled). */
  readonly served?: number;
  /** The provider's words for the last read or change. */
  readonly says?: string;
  readonly status: 'unknown' | 'steady' | 'applying' | 'failed';
  /** The change being applied, or the one that failed. */
  readonly requested?: number;
  readonly error?: string;
  readonly by?: FlagActor;
  readonly forced?: boolean;
  /** Session time of the last confirmed change. */
  readonly changedAt?: number;
  /** Auto-advance: counting down since this session time, or paused (and why). */
  readonly auto?: { readonly state: 'counting' | 'paused'; readonly since: number; readonly reason?: string };
  readonly refused?: string;
};

/** What the flags layer reads of the session state (the session's state is one of these). */
export type ReleaseView = {
  readonly guard: GuardState;
  readonly flags: Readonly<Record<string, FlagState>>;
  readonly rollback: { readonly status: 'idle' | 'running' | 'passed' | 'failed' };
};

export function initialFlags(rb: Runbook): Readonly<Record<string, FlagState>> {
  return Object.fromEntries(Object.keys(rb.flags?.ramps ?? {}).map((f) => [f, { status: 'unknown' }]));
}

export function reduceFlags(flags: Readonly<Record<string, FlagState>>, e: SessionEvent): Readonly<Record<string, FlagState>> | undefined {
  const set = (flag: string, f: (s: FlagState) => FlagState) => ({ ...flags, [flag]: f(flags[flag] ?? { status: 'unknown' }) });
  switch (e.type) {
    case 'flag.read':
      return set(e.flag, (s) =>
        e.percent === null
          ? { ...s, status: e.error ? 'failed' : 'unknown', error: e.error }
          : { ...s, percent: e.percent, served: e.served, says: e.says, status: 'steady', error: undefined },
      );
    case 'flag.applying':
      return set(e.flag, (s) => ({ ...s, status: 'applying', requested: e.to, by: e.by, forced: e.forced, error: undefined, refused: undefined }));
    case 'flag.set':
      return set(e.flag, (s) => ({ ...s, percent: e.percent, served: e.served, says: e.says, status: 'steady', requested: undefined, by: e.by, forced: e.forced, changedAt: e.t, error: undefined, auto: undefined }));
    case 'flag.failed':
      return set(e.flag, (s) => ({ ...s, status: 'failed', requested: e.requested, error: e.error, by: e.by }));
    case 'flag.refused':
      return set(e.flag, (s) => ({ ...s, refused: e.reason }));
    case 'flag.auto':
      return set(e.flag, (s) => ({ ...s, auto: { state: e.state, since: e.t, reason: e.reason } }));
    default:
      return undefined;
  }
}

export type ExperimentState = { readonly figures?: ExperimentFigures; readonly concluded?: { readonly winner: string; readonly decision: string; readonly summary: string } };

export function reduceExperiments(ex: Readonly<Record<string, ExperimentState>>, e: SessionEvent): Readonly<Record<string, ExperimentState>> | undefined {
  switch (e.type) {
    case 'experiment.sampled':
      return { ...ex, [e.id]: { ...ex[e.id], figures: e.figures } };
    case 'experiment.concluded':
      return { ...ex, [e.id]: { ...ex[e.id], concluded: { winner: e.winner, decision: e.decision, summary: e.summary } } };
    default:
      return undefined;
  }
}
