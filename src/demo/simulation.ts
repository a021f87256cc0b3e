/**
 * The demo web app, simulated: two slots (blue/green) behind a router, the traffic it serves, the
 * A/B experiment checkout-flow-v2 and the flags it reads. No I/O and no timers: the owner advances
 * it to a time (ms) and feeds it the flag percentages; all jitter comes from a seeded PRNG, so a
 * seed and a sequence of times give the same figures every run.
 */
import { DEMO, SCENARIOS, profile, type ScenarioName } from './scenarios.js';

export type SlotName = 'blue' | 'green';
export type SlotStatus = 'idle' | 'deploying' | 'ready' | 'live' | 'down';

export type Metrics = {
  /** Requests per second (demo time). */
  request_rate: number;
  latency_p95: number;
  /** Percent of requests failing. */
  error_rate: number;
  /** Percent of the slot's memory limit. */
  memory: number;
  /** Successful requests per second. */
  throughput: number;
};

export type SlotView = Metrics & { version: string | null; status: SlotStatus; progress?: number };
export type VariantView = { exposures: number; conversions: number; weight: number };
export type Variant = 'control' | 'treatment';
export const EXPERIMENT = 'checkout-flow-v2';
export const FLAG = 'new-checkout';
export const SPLIT_FLAG = 'checkout-v2-split';

export type DemoState = {
  scenario: ScenarioName;
  story: string;
  speed: number;
  /** Demo-seconds since the service started. */
  demo_seconds: number;
  live: SlotName;
  version: string | null;
  /** The slot a rollback returns to, or null. */
  previous: SlotName | null;
  /** Demo-seconds at which the live slot took the traffic. */
  live_since: number;
  overall: Metrics;
  slots: Record<SlotName, SlotView>;
  deploy: { slot: SlotName; version: string; progress: number; ready_in_seconds: number } | null;
  experiments: { 'checkout-flow-v2': Record<Variant, VariantView> };
  /** Bumped (and the experiment counters restarted) whenever the split changes. */
  experiment_phase: number;
  flags: { 'new-checkout': number; 'checkout-v2-split'?: number };
  log: { at: number; message: string }[];
  /** Set when the flag file could not be read (the last values read are kept). */
  flag_error?: string;
};

export type ActionResult = { ok: true; status: number; body: Record<string, unknown> } | { ok: false; status: number; error: string };

/** mulberry32: a small, fast, seedable PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binomial(n, p) draw: exact below 100 trials, normal approximation above. */
export function binomial(n: number, p: number, rnd: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 100) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rnd() < p) k++;
    return k;
  }
  const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(n * p * (1 - p)))));
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const ZERO: Metrics = { request_rate: 0, latency_p95: 0, error_rate: 0, memory: 0, throughput: 0 };

type Slot = {
  version: string | null;
  /** Deployed after start (and not the initial version): subject to the scenario. */
  isNew: boolean;
  /** Demo-seconds when its deploy finishes (undefined: not deploying). */
  readyAt?: number;
  deployStartedAt?: number;
  down: boolean;
  metrics: Metrics;
};

export type SimulationOptions = { scenario: ScenarioName; speed: number; seed: number; startMs: number; initialVersion?: string };

export class Simulation {
  readonly scenario: ScenarioName;
  readonly speed: number;
  readonly initialVersion: string;
  private readonly rnd: () => number;
  private readonly startMs: number;
  private lastMs: number;
  private readonly slots: Record<SlotName, Slot>;
  private live: SlotName = 'blue';
  private previous: SlotName | null = null;
  private rolledBack = false;
  private liveSince = 0;
  private flagPercent = 0;
  private splitFlag: number | undefined;
  private phase = 1;
  private exposureCarry = 0;
  private readonly exp: Record<Variant, { exposures: number; conversions: number }> = { control: { exposures: 0, conversions: 0 }, treatment: { exposures: 0, conversions: 0 } };
  private readonly log: { at: number; message: string }[] = [];

  constructor(o: SimulationOptions) {
    if (!(Number.isFinite(o.speed) && o.speed > 0)) throw new Error(`demo speed must be a positive number, got ${o.speed}`);
    this.scenario = o.scenario;
    this.speed = o.speed;
    this.rnd = prng(o.seed);
    this.startMs = o.startMs;
    this.lastMs = o.startMs;
    this.initialVersion = o.initialVersion ?? '2.3.9';
    this.slots = {
      blue: { version: this.initialVersion, isNew: false, down: false, metrics: ZERO },
      green: { version: null, isNew: false, down: false, metrics: ZERO },
    };
    this.note(0, `blue serves ${this.initialVersion}; green is idle (scenario ${o.scenario}, speed ×${o.speed})`);
    this.refresh(0);
  }

  /** Demo-seconds at a wall time. */
  demoAt(ms: number): number {
    return ((Math.max(ms, this.startMs) - this.startMs) / 1000) * this.speed;
  }

  /** The percentage the A/B split sends to the treatment: the split flag, 50 when it is not defined. */
  get treatmentShare(): number {
    return this.splitFlag ?? 50;
  }

  /** Feeds the flags read from the flag file (undefined split: flag not defined). */
  setFlags(newCheckout: number, split: number | undefined, nowMs: number): void {
    this.advance(nowMs);
    const before = this.treatmentShare;
    const flagBefore = this.flagPercent;
    const changed = newCheckout !== flagBefore || split !== this.splitFlag;
    this.flagPercent = newCheckout;
    this.splitFlag = split;
    const at = this.demoAt(this.lastMs);
    if (this.treatmentShare !== before) {
      // a new allocation is a new experiment phase: mixing phases would be a sample ratio mismatch
      this.phase++;
      for (const v of Object.values(this.exp)) v.exposures = v.conversions = 0;
      this.exposureCarry = 0;
      this.note(at, `${SPLIT_FLAG}: treatment ${before} % → ${this.treatmentShare} %; ${EXPERIMENT} restarts (phase ${this.phase})`);
    }
    if (newCheckout !== flagBefore) this.note(at, `${FLAG}: ${flagBefore} % → ${newCheckout} %`);
    if (changed) this.refresh(at);
  }

  /** Moves the simulation to `nowMs` (earlier or equal times change nothing). */
  advance(nowMs: number): void {
    if (nowMs <= this.lastMs) return;
    const from = this.demoAt(this.lastMs);
    const to = this.demoAt(nowMs);
    this.lastMs = nowMs;
    this.finishDeploys(to);
    this.accumulateExperiment(to - from);
    this.refresh(to);
  }

  private finishDeploys(at: number): void {
    for (const [name, s] of Object.entries(this.slots) as [SlotName, Slot][]) {
      if (s.readyAt !== undefined && at >= s.readyAt) {
        this.note(s.readyAt, `${name} is ready with ${s.version}`);
        s.readyAt = s.deployStartedAt = undefined;
      }
    }
  }

  private accumulateExperiment(dt: number): void {
    const expected = DEMO.exposuresPerSecond * dt + this.exposureCarry;
    const n = Math.floor(expected);
    this.exposureCarry = expected - n;
    const treated = binomial(n, this.treatmentShare / 100, this.rnd);
    const add = (v: Variant, k: number, p: number) => {
      this.exp[v].exposures += k;
      this.exp[v].conversions += binomial(k, p, this.rnd);
    };
    add('control', n - treated, DEMO.conversionControl);
    add('treatment', treated, DEMO.conversionTreatment);
  }

  /** New figures for every slot at demo time `at` (fresh jitter). */
  private refresh(at: number): void {
    const j = () => this.rnd() * 2 - 1;
    for (const [name, s] of Object.entries(this.slots) as [SlotName, Slot][]) {
      if (name === this.live && s.version !== null) {
        const p = profile(this.scenario, { isNew: s.isNew, sinceLive: at - this.liveSince, flagPercent: this.flagPercent });
        const rps = DEMO.baseRps * p.trafficFactor * (1 + 0.03 * j());
        const error = s.down ? 100 : Math.max(0, p.errorRate * (1 + 0.2 * j()));
        s.metrics = {
          request_rate: round(rps, 1),
          latency_p95: Math.round(Math.max(1, p.latencyP95 * (1 + 0.04 * j()))),
          error_rate: round(error, 3),
          memory: round(Math.min(100, Math.max(0, p.memory + 0.4 * j())), 1),
          throughput: round(rps * (1 - error / 100), 1),
        };
      } else if (s.version !== null) {
        const progress = this.progress(s, at);
        s.metrics = { ...ZERO, memory: round(Math.max(0, DEMO.idleMemory * progress + 0.4 * j() * progress), 1) };
      } else {
        s.metrics = ZERO;
      }
    }
  }

  private progress(s: Slot, at: number): number {
    if (s.readyAt === undefined || s.deployStartedAt === undefined) return 1;
    return Math.min(1, Math.max(0, (at - s.deployStartedAt) / (s.readyAt - s.deployStartedAt)));
  }

  private status(name: SlotName): SlotStatus {
    const s = this.slots[name];
    if (name === this.live) return s.down ? 'down' : 'live';
    if (s.version === null) return 'idle';
    return s.readyAt !== undefined ? 'deploying' : 'ready';
  }

  private other(name: SlotName): SlotName {
    return name === 'blue' ? 'green' : 'blue';
  }

  private note(at: number, message: string): void {
    this.log.push({ at: round(at, 1), message });
    if (this.log.length > 50) this.log.shift();
  }

  get liveSlot(): { name: SlotName; version: string | null; down: boolean } {
    const s = this.slots[this.live];
    return { name: this.live, version: s.version, down: s.down };
  }

  /** Deploys `version` to the slot not serving traffic; it is ready after DEMO.deploySeconds. */
  deploy(version: string, nowMs: number): ActionResult {
    this.advance(nowMs);
    const at = this.demoAt(this.lastMs);
    const slot = this.other(this.live);
    const s = this.slots[slot];
    if (s.readyAt !== undefined) return { ok: false, status: 409, error: `${slot} is still deploying ${s.version} (${Math.round(this.progress(s, at) * 100)} %)` };
    if (this.previous === slot) this.previous = null; // its old version, the rollback target, is replaced
    this.rolledBack = false;
    Object.assign(s, { version, isNew: version !== this.initialVersion, down: false, deployStartedAt: at, readyAt: at + DEMO.deploySeconds });
    this.note(at, `deploying ${version} to ${slot}`);
    this.refresh(at);
    return { ok: true, status: 202, body: { ok: true, slot, version, status: 'deploying', ready_in_seconds: round(DEMO.deploySeconds / this.speed, 3) } };
  }

  /** Sends the live traffic to the other slot, if it is ready. */
  switchLive(nowMs: number): ActionResult {
    this.advance(nowMs);
    const at = this.demoAt(this.lastMs);
    const to = this.other(this.live);
    const st = this.status(to);
    if (st !== 'ready') {
      const why = st === 'idle' ? `${to} is idle: deploy a version first (POST /admin/deploy?version=…)` : `${to} is still deploying ${this.slots[to].version} (${Math.round(this.progress(this.slots[to], at) * 100)} %)`;
      return { ok: false, status: 409, error: why };
    }
    const from = this.live;
    this.previous = from;
    this.rolledBack = false;
    this.setLive(to, at);
    this.note(at, `switched live traffic ${from} → ${to} (${this.slots[to].version})`);
    return { ok: true, status: 200, body: { ok: true, live: to, version: this.slots[to].version, previous: from } };
  }

  /** Sends the live traffic back to the previous slot; a second call is a no-op. */
  rollback(nowMs: number): ActionResult {
    this.advance(nowMs);
    const at = this.demoAt(this.lastMs);
    const live = this.slots[this.live];
    if (this.previous === null) {
      if (this.rolledBack) return { ok: true, status: 200, body: { ok: true, already: true, live: this.live, version: live.version, message: `already rolled back: ${this.live} serves ${live.version}` } };
      return { ok: false, status: 409, error: `nothing to roll back to: ${this.live} serves ${live.version} and no switch has happened since the last deploy` };
    }
    const from = this.live;
    const fromVersion = live.version;
    this.setLive(this.previous, at);
    this.previous = null;
    this.rolledBack = true;
    this.note(at, `rolled back ${from} (${fromVersion}) → ${this.live} (${this.slots[this.live].version})`);
    return { ok: true, status: 200, body: { ok: true, live: this.live, version: this.slots[this.live].version, rolled_back_from: { slot: from, version: fromVersion } } };
  }

  /** Test toggle: the live slot goes down (every request, /health and /checkout fail) or comes back. */
  setDown(down: boolean, nowMs: number): ActionResult {
    this.advance(nowMs);
    const at = this.demoAt(this.lastMs);
    this.slots[this.live].down = down;
    this.note(at, `${this.live} ${down ? 'is down (break-checkout)' : 'is back up'}`);
    this.refresh(at);
    return { ok: true, status: 200, body: { ok: true, live: this.live, status: this.status(this.live) } };
  }

  private setLive(slot: SlotName, at: number): void {
    this.live = slot;
    this.liveSince = at;
    this.refresh(at);
  }

  state(nowMs: number): DemoState {
    this.advance(nowMs);
    const at = this.demoAt(this.lastMs);
    const slots = {} as Record<SlotName, SlotView>;
    let deploy: DemoState['deploy'] = null;
    for (const name of ['blue', 'green'] as const) {
      const s = this.slots[name];
      const status = this.status(name);
      slots[name] = { ...s.metrics, version: s.version, status };
      if (status === 'deploying' && s.version !== null && s.readyAt !== undefined) {
        const progress = round(this.progress(s, at), 2);
        slots[name].progress = progress;
        deploy = { slot: name, version: s.version, progress, ready_in_seconds: round(Math.max(0, s.readyAt - at) / this.speed, 3) };
      }
    }
    const share = this.treatmentShare;
    const flags: DemoState['flags'] = { [FLAG]: this.flagPercent };
    if (this.splitFlag !== undefined) flags[SPLIT_FLAG] = this.splitFlag;
    return {
      scenario: this.scenario,
      story: SCENARIOS[this.scenario].story,
      speed: this.speed,
      demo_seconds: round(at, 1),
      live: this.live,
      version: this.slots[this.live].version,
      previous: this.previous,
      live_since: round(this.liveSince, 1),
      overall: { ...this.slots[this.live].metrics },
      slots,
      deploy,
      experiments: {
        [EXPERIMENT]: {
          control: { ...this.exp.control, weight: 100 - share },
          treatment: { ...this.exp.treatment, weight: share },
        },
      },
      experiment_phase: this.phase,
      flags,
      log: [...this.log],
    };
  }
}
