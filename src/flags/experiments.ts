/**
 * Follows the runbook's experiments: fetches their per-variant figures every interval (recorded as
 * events), and concludes one: the conclude command with {winner} and {decision}, the decision with
 * its figures in the journal, and a line in the brief's "Experiment Log".
 */
import { sourceFor } from '../metrics/sources/index.js';
import type { MetricSource } from '../metrics/sources/source.js';
import type { Runbook } from '../runbook/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBody } from '../core/events.js';
import type { ReleaseView } from './fold.js';
import { shownPercent } from './served.js';
import { appendToBrief, fetchFigures, pText, type Decision, type ExperimentFigures } from './experiment.js';
import { errorMessage } from '../core/error-message.js';

export type ExperimentDeps = {
  readonly runbook: Runbook;
  readonly clock: Clock;
  readonly record: (e: EventBody) => void;
  readonly state: () => ReleaseView;
  readonly intervalMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** Replace the source (tests). */
  readonly source?: MetricSource;
};

export class Experiments {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private inFlight = false;
  private readonly sources = new Map<string, MetricSource | undefined>();

  constructor(private readonly d: ExperimentDeps) {
    for (const [id, ex] of Object.entries(d.runbook.experiments)) {
      const src = d.source ?? (ex.source ? sourceFor({ ...d.runbook, metrics: { source: ex.source, series: {} } }, d.env) : sourceFor(d.runbook, d.env));
      this.sources.set(id, src);
    }
  }

  get ids(): string[] {
    return Object.keys(this.d.runbook.experiments);
  }

  start(): void {
    if (this.ids.length === 0 || this.timer || this.stopped) return;
    const tick = () => {
      this.timer = undefined;
      if (this.stopped) return;
      void this.sampleAll().finally(() => {
        if (!this.stopped) this.timer = this.d.clock.after(this.d.intervalMs, tick);
      });
    };
    this.timer = this.d.clock.after(0, tick);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Fetches every experiment's figures once and records them. */
  async sampleAll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      for (const id of this.ids) {
        const f = await this.figures(id);
        // a fetch still in flight when the session closed must not write after the journal closed
        if (f && !this.stopped) this.d.record({ type: 'experiment.sampled', id, figures: f });
      }
    } finally {
      this.inFlight = false;
    }
  }

  async figures(id: string): Promise<ExperimentFigures | undefined> {
    const ex = this.d.runbook.experiments[id];
    const src = this.sources.get(id);
    if (!ex || !src) return undefined;
    // the split users get: a flag written but not served (Unleash environment disabled) splits nothing
    const flagPercent = ex.flag ? shownPercent(this.d.state().flags[ex.flag] ?? {}) : undefined;
    return fetchFigures(id, ex, src, flagPercent, Math.max(1000, Math.floor(this.d.intervalMs / 2)));
  }

  /** Records the decision and appends it to the brief; the conclude command is run by the controller. */
  record(id: string, winner: string, decision: Decision, figures: ExperimentFigures | undefined, note?: string): string | undefined {
    const ex = this.d.runbook.experiments[id];
    const c = figures?.comparisons[0]?.result;
    const summary = c ? `lift ${(c.lift * 100).toFixed(1)} % (95 % CI ${(c.ci95[0] * 100).toFixed(1)} … ${(c.ci95[1] * 100).toFixed(1)} %), ${pText(c.p)}` : 'no comparison';
    const srm = figures?.srm ? `SRM ${pText(figures.srm.p)}` : 'SRM n/a';
    const exposures = figures?.variants.map((v) => `${v.variant} ${v.conversions ?? '?'}/${v.exposures ?? '?'}`).join(', ') ?? '';
    this.d.record({ type: 'experiment.concluded', id, winner, decision, summary: `${summary}; ${srm}; ${exposures}`, note });
    if (!ex?.brief) return undefined;
    const date = new Date(this.d.clock.wall()).toISOString().slice(0, 10);
    const entry = `- ${date}: **${decision.toUpperCase()}**, winner ${winner}: ${summary}; ${srm}; ${exposures}${note ? ` (${note})` : ''}`;
    try {
      return appendToBrief(ex.brief, this.d.runbook.dir, entry);
    } catch (e) {
      return `could not append to ${ex.brief}: ${errorMessage(e)}`;
    }
  }
}
