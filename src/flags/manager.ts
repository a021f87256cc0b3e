/**
 * Flag ramps: applies percentages through the provider (the shown percentage is always what the
 * provider confirmed; a change users are not served, Unleash's disabled environment, fails with
 * the provider's words), refuses a step up while the guardrails are not green (unless forced),
 * advances `auto` ramps after a green hold, and takes every flag to its rollbackTo in a rollback.
 */
import type { Runbook } from '../runbook/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBody, FlagActor } from '../core/events.js';
import type { ReleaseView } from './fold.js';
import { stepUpRefusal } from './guardrail.js';
import { nextStep, previousStep, rampPlans, type RampPlan } from './plan.js';
import type { FlagProvider, FlagReading } from './providers/provider.js';
import { notServed } from './served.js';
import { errorMessage } from '../core/error-message.js';

/**
 * A change's outcome. `written`: the backend took the change but users are not served it (the
 * reason is the provider's words): not a confirmation.
 */
export type FlagResult =
  | ({ readonly ok: true } & FlagReading)
  | { readonly ok: false; readonly reason: string; readonly refused?: boolean; readonly written?: FlagReading };

export type FlagDeps = {
  readonly runbook: Runbook;
  readonly provider?: FlagProvider;
  readonly record: (e: EventBody) => void;
  readonly state: () => ReleaseView;
  /** A follower's flags: shown, never changed (the reason why). */
  readonly readOnly?: string;
  readonly clock: Clock;
  readonly now: () => number;
};

const AUTO_CHECK_MS = 1000;

export class FlagRamps {
  readonly plans: readonly RampPlan[];
  private readonly applying = new Set<string>();
  /** The change still applying per flag (a rollback waits for it, then takes the flag down). */
  private readonly inflight = new Map<string, Promise<FlagResult>>();
  private autoTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly d: FlagDeps) {
    this.plans = rampPlans(d.runbook);
  }

  plan(flag: string): RampPlan | undefined {
    return this.plans.find((p) => p.flag === flag);
  }

  isApplying(flag: string): boolean {
    return this.applying.has(flag);
  }

  /** Reads every flag's current percentage from the backend (start-up: show the truth). */
  async readAll(): Promise<void> {
    await Promise.all(this.plans.map((p) => this.read(p.flag)));
  }

  /** Reads one flag's percentage from the backend (a flag step deciding before the start-up read landed). */
  async read(flag: string): Promise<void> {
    const provider = this.d.provider;
    if (!provider) return;
    try {
      const v = await provider.read(flag);
      this.d.record({ type: 'flag.read', flag, percent: v?.percent ?? null, ...(v ? { served: v.served, says: v.says } : {}) });
    } catch (e) {
      this.d.record({ type: 'flag.read', flag, percent: null, error: errorMessage(e) });
    }
  }

  /** The percentage a step in a direction would go to, or why there is none. */
  target(flag: string, dir: 'up' | 'down' | 'kill'): number | string {
    const plan = this.plan(flag);
    if (!plan) return `no ramp for flag "${flag}"`;
    const cur = this.d.state().flags[flag]?.percent;
    if (dir === 'kill') return cur === 0 ? `${flag} is already at 0 %` : 0;
    // a rollback took the flags down: nothing steps them up again in this session
    if (dir === 'up' && this.d.state().rollback.status !== 'idle') return `${flag}: no step up after a rollback (- and 0 still go down)`;
    const t = dir === 'up' ? nextStep(plan, cur) : previousStep(plan, cur);
    return t ?? (dir === 'up' ? `${flag} is at the top of its ramp` : `${flag} is at 0 %`);
  }

  /**
   * Applies a percentage. A step up is refused while a trigger is pending/fired or a metric is
   * critical or has no data (unless forced); stepping down and 0 % always go through.
   */
  async apply(flag: string, to: number, o: { forced?: boolean; by: FlagActor; noDataAfter?: number }): Promise<FlagResult> {
    if (this.d.readOnly) return { ok: false, reason: this.d.readOnly };
    const plan = this.plan(flag);
    if (!plan) return { ok: false, reason: `no ramp for flag "${flag}" in the runbook` };
    if (!this.d.provider) return { ok: false, reason: 'the runbook has no flag provider' };
    if (!Number.isFinite(to) || to < 0 || to > 100) return { ok: false, reason: `${to} is not a percentage (0–100)` };
    if (this.applying.has(flag)) return { ok: false, reason: `a change to ${flag} is still applying: this one is ignored` };
    const s = this.d.state();
    const from = s.flags[flag]?.percent;
    const up = to > (from ?? 0);
    if (up && !o.forced) {
      const why = stepUpRefusal(this.d.runbook, s, o.noDataAfter);
      if (why) {
        this.d.record({ type: 'flag.refused', flag, from: from ?? null, to, reason: why });
        return { ok: false, reason: `refused: ${why}`, refused: true };
      }
    }
    this.applying.add(flag);
    this.d.record({ type: 'flag.applying', flag, from: from ?? null, to, forced: o.forced === true && up, by: o.by });
    const provider = this.d.provider;
    const run = (async (): Promise<FlagResult> => {
      try {
        const r = await provider.set(flag, to);
        this.d.record({ type: 'flag.set', flag, percent: r.percent, requested: to, forced: o.forced === true && up, by: o.by, served: r.served, says: r.says });
        return notServed(r) ? { ok: false, reason: r.says, written: r } : { ok: true, ...r };
      } catch (e) {
        const reason = errorMessage(e);
        this.d.record({ type: 'flag.failed', flag, requested: to, error: reason, by: o.by });
        return { ok: false, reason };
      } finally {
        this.applying.delete(flag);
        this.inflight.delete(flag);
      }
    })();
    this.inflight.set(flag, run);
    return run;
  }

  /** Rollback's first action: every ramped flag to its rollbackTo (0 %), through the provider. */
  async rollbackAll(): Promise<void> {
    this.stopAuto();
    await Promise.all(
      this.plans.map(async (p) => {
        // a change still applying would race this one: wait for it to land (the providers time
        // out on their own), then judge by what the backend confirmed — a step up from 0 that was
        // in flight when the rollback started must come down too
        await this.inflight.get(p.flag);
        if (this.d.state().flags[p.flag]?.percent === p.rollbackTo) return;
        await this.apply(p.flag, p.rollbackTo, { forced: true, by: 'rollback' });
      }),
    );
  }

  /** Auto-advance: a flag at > 0 % steps up by itself after `hold` of green; any trouble pauses it. */
  startAuto(): void {
    if (this.stopped || this.autoTimer || !this.plans.some((p) => p.auto && p.holdMs !== undefined)) return;
    const tick = () => {
      this.autoTimer = undefined;
      if (this.stopped) return;
      void this.autoStep().finally(() => {
        if (!this.stopped) this.autoTimer = this.d.clock.after(AUTO_CHECK_MS, tick);
      });
    };
    this.autoTimer = this.d.clock.after(AUTO_CHECK_MS, tick);
  }

  stopAuto(): void {
    this.stopped = true;
    this.autoTimer?.cancel();
    this.autoTimer = undefined;
  }

  private async autoStep(): Promise<void> {
    const s = this.d.state();
    for (const p of this.plans) {
      if (!p.auto || p.holdMs === undefined) continue;
      const f = s.flags[p.flag];
      if (!f || f.status !== 'steady' || f.percent === undefined || f.percent === 0 || this.applying.has(p.flag)) continue;
      const next = nextStep(p, f.percent);
      if (next === undefined) continue;
      // a ramp users are not served is no evidence for the next step
      const why = stepUpRefusal(this.d.runbook, s) ?? (s.guard.holding ? 'a trigger holds for lack of data' : undefined) ?? (notServed(f) ? `users are served ${f.served} %, not ${f.percent} %` : undefined);
      if (why) {
        if (f.auto?.state !== 'paused' || f.auto.reason !== why) this.d.record({ type: 'flag.auto', flag: p.flag, state: 'paused', reason: why });
        continue;
      }
      if (f.auto?.state !== 'counting') {
        this.d.record({ type: 'flag.auto', flag: p.flag, state: 'counting' });
        continue;
      }
      if (this.d.now() - f.auto.since >= p.holdMs) await this.apply(p.flag, next, { by: 'auto' });
    }
  }
}
