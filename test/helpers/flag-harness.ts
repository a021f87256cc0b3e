/**
 * Flag ramp test harness: an in-memory FlagProvider that records every call (and how many rollback
 * steps had started when it was called), can fail, confirm another percentage than asked, be slow
 * on the FakeClock or hang until released; and a runbook builder for ramp scenarios.
 */
import type { FlagProvider, FlagReading } from '../../src/flags/providers/provider.js';
import { FakeClock } from '../../src/core/clock.js';
import type { ControllerOptions } from '../../src/session/controller.js';
import { guardSetup, ScriptedSource, type GuardSetup, type Scripted } from './guard-harness.js';

export type ProviderCall = {
  readonly op: 'read' | 'set';
  readonly flag: string;
  readonly percent?: number;
  /** FakeClock time of the call. */
  readonly at: number;
  /** Rollback steps the runner had started when the call was made. */
  readonly rollbackStepsStarted: number;
};

export class FakeFlagProvider implements FlagProvider {
  readonly kind = 'fake';
  readonly values = new Map<string, number>();
  readonly calls: ProviderCall[] = [];
  /** The next set of a flag fails with this message (once). */
  readonly failNext = new Map<string, string>();
  /** Reads of these flags fail with this message. */
  readonly failRead = new Map<string, string>();
  /** What the backend confirms when asked for a percentage (default: what was asked). */
  confirm: (flag: string, asked: number) => number = (_flag, asked) => asked;
  /** What users are served of a held percentage (default: the backend cannot tell, like flagd). */
  serves: (flag: string, held: number) => number | undefined = () => undefined;
  /** When true, every set waits until release(). */
  gate = false;
  /** Milliseconds (on the FakeClock) a set takes; 0: at once. */
  slowMs = 0;
  /** Counts rollback steps started so far (wired by flagSetup). */
  observe: () => number = () => 0;
  private waiting: (() => void)[] = [];

  constructor(initial: Readonly<Record<string, number>> = {}, private readonly clock?: FakeClock) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }

  private reading(flag: string, held: number, verb: string): FlagReading {
    const served = this.serves(flag, held);
    return { percent: held, ...(served !== undefined ? { served } : {}), says: served !== undefined && served !== held ? `${held} % ${verb}; users are served ${served} %` : `${verb} by the fake backend` };
  }

  async read(flag: string): Promise<FlagReading | undefined> {
    this.calls.push({ op: 'read', flag, at: this.clock?.now() ?? 0, rollbackStepsStarted: this.observe() });
    const err = this.failRead.get(flag);
    if (err) throw new Error(err);
    const v = this.values.get(flag);
    return v === undefined ? undefined : this.reading(flag, v, 'read');
  }

  async set(flag: string, percent: number): Promise<FlagReading> {
    this.calls.push({ op: 'set', flag, percent, at: this.clock?.now() ?? 0, rollbackStepsStarted: this.observe() });
    if (this.gate) await new Promise<void>((r) => this.waiting.push(r));
    if (this.slowMs > 0 && this.clock) await new Promise<void>((r) => this.clock!.after(this.slowMs, r));
    const err = this.failNext.get(flag);
    if (err !== undefined) {
      this.failNext.delete(flag);
      throw new Error(err);
    }
    const confirmed = this.confirm(flag, percent);
    this.values.set(flag, confirmed);
    return this.reading(flag, confirmed, 'written');
  }

  /** Lets every set waiting at the gate go on. */
  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  get waitingSets(): number {
    return this.waiting.length;
  }

  sets(flag?: string): number[] {
    return this.calls.filter((c) => c.op === 'set' && (flag === undefined || c.flag === flag)).map((c) => c.percent!);
  }
}

export type FlagYaml = {
  /** YAML under flags.ramps (each line indented by 4). */
  readonly ramps: string;
  /** rollback.triggers items (none: no triggers). */
  readonly triggers?: readonly string[];
  /** YAML under metrics.series. */
  readonly series?: string;
  readonly stages?: string;
  readonly maxErrors?: number;
};

export const ARMED_MONITOR = `
  - id: production
    armed: true
    steps:
      - monitor: 10m`;

export const UNARMED_MONITOR = `
  - id: canary
    armed: false
    steps:
      - monitor: 10m`;

/** error_rate with a critical band at 5 %. */
export const ERROR_RATE = `
    error_rate: { query: 'sum(rate(errors[1m]))', unit: '%', warn: 2, critical: 5 }`;

export function flagRunbook(y: FlagYaml): string {
  return `
name: web-app
version: "2.4.0"
stages:${y.stages ?? ARMED_MONITOR}
metrics:
  interval: 1s${y.maxErrors ? `\n  maxErrors: ${y.maxErrors}` : ''}
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:${y.series ?? ERROR_RATE}
rollback:
  steps: [./scripts/rollback.sh]
  verify: [./scripts/verify.sh]
  incident: [./scripts/incident.sh, "{reason}"]
${y.triggers?.length ? `  triggers:\n${y.triggers.map((t) => `    - ${t}`).join('\n')}\n` : ''}flags:
  provider: { type: command, run: [./scripts/set-flag.sh, "{flag}", "{percent}"] }
  ramps:
${y.ramps}
`;
}

export type FlagSetup = GuardSetup & { readonly provider: FakeFlagProvider; readonly source: ScriptedSource };

/**
 * A Controller on a FakeClock with the fake provider and a metric source scripted per 1 s tick
 * (error_rate by default; a script shorter than the test turns into misses).
 */
export function flagSetup(
  y: FlagYaml,
  o: { readonly initial?: Readonly<Record<string, number>>; readonly script?: Readonly<Record<string, readonly Scripted[]>>; readonly opts?: Partial<ControllerOptions> } = {},
): FlagSetup {
  const clock = new FakeClock();
  const provider = new FakeFlagProvider(o.initial ?? {}, clock);
  const source = new ScriptedSource(clock, 1000, o.script ?? { error_rate: Array<number>(600).fill(0.2) });
  const t = guardSetup(flagRunbook(y), { flagProvider: provider, guard: { source }, ...o.opts }, clock);
  provider.observe = () => t.runner.started.filter((r) => r.key.startsWith('rollback.')).length;
  return { ...t, provider, source };
}

/** A script of `n` samples of one value. */
export function constant(v: Scripted, n = 600): Scripted[] {
  return Array<Scripted>(n).fill(v);
}
