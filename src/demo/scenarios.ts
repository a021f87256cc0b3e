/**
 * The demo scenarios: a one-line story each (told at the top of the screen) and the behaviour
 * profile of a slot that carries the live traffic, by scenario × version. Every time constant is in
 * demo-seconds (real seconds × speed). Pure: no clock, no randomness (jitter is added by the
 * simulation).
 */

export type ScenarioName = 'good' | 'bad-release' | 'slow-leak' | 'flag-regression' | 'flaky-tests' | 'blind';

export const SCENARIOS: Record<ScenarioName, { story: string }> = {
  good: { story: 'A clean release: the new version goes live on the idle slot and every metric stays healthy.' },
  'bad-release': { story: 'The new version ships a bug: after the switch its error rate climbs to ~4 %, and the guardrail rolls it back.' },
  'slow-leak': { story: 'The new version leaks memory: after the switch it creeps from 70 % past 85 % during the monitor window.' },
  'flag-regression': { story: 'The new version is fine until the new-checkout flag passes 25 %: then p95 latency jumps above 2 s.' },
  'flaky-tests': { story: 'The test suite is flaky: a step fails, a retry passes, and the release itself is clean.' },
  blind: { story: 'The metrics source is down: the guardrail self-test fails the pre-flight, so nothing is deployed blind.' },
};

export function isScenario(s: unknown): s is ScenarioName {
  return typeof s === 'string' && Object.hasOwn(SCENARIOS, s);
}

/** Time constants and levels, in demo-seconds and percent. */
export const DEMO = {
  /** A deploy to the idle slot takes this long before the slot is ready. */
  deploySeconds: 10,
  /** bad-release: the error rate climbs linearly from `badErrorFrom` to `badErrorTo` over this many demo-seconds after the switch. */
  badRampSeconds: 10,
  badErrorFrom: 0.1,
  badErrorTo: 4,
  badLatencyExtra: 90,
  /**
   * slow-leak: memory starts at `leakFrom` at the switch and grows `leakPerSecond` %/demo-second,
   * capped at `leakMax`: in the warning band at once, 85 % after 30 demo-seconds, so that the
   * runbook's `memory > 85 % for 5m` fires about 330 demo-seconds after the switch, inside the
   * 6-minute monitor (at ×20: 85 % after 1.5 s, fired after about 16.5 s of an 18 s watch).
   */
  leakFrom: 70,
  leakPerSecond: 0.5,
  leakMax: 97,
  /** flag-regression: above this `new-checkout` percentage p95 latency jumps to `regressionLatency` + `regressionPerPercent` per point above it. */
  flagThreshold: 25,
  regressionLatency: 2200,
  regressionPerPercent: 20,
  /** Requests per demo-second on the live slot. */
  baseRps: 120,
  /** A/B exposures per demo-second, both variants together: 1000 per variant within ~16 real s at ×20 even at a 10/90 split. */
  exposuresPerSecond: 32,
  conversionControl: 0.1,
  conversionTreatment: 0.115,
  /** Memory of a slot that holds a version but takes no traffic. */
  idleMemory: 35,
} as const;

export type ProfileInput = {
  /** The slot serves a version deployed after start (other than the initial one). */
  readonly isNew: boolean;
  /** Demo-seconds since this slot took the live traffic. */
  readonly sinceLive: number;
  /** The `new-checkout` flag percentage. */
  readonly flagPercent: number;
};

export type Profile = {
  /** Percent of requests failing. */
  readonly errorRate: number;
  readonly latencyP95: number;
  readonly memory: number;
  /** Multiplies the base request rate (users abandon a slow checkout). */
  readonly trafficFactor: number;
};

const OLD: Profile = { errorRate: 0.05, latencyP95: 300, memory: 55, trafficFactor: 1 };
const NEW_HEALTHY: Profile = { errorRate: 0.05, latencyP95: 310, memory: 58, trafficFactor: 1 };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The profile of the live slot, before jitter. The old version is always healthy. */
export function profile(scenario: ScenarioName, p: ProfileInput): Profile {
  if (!p.isNew) return OLD;
  switch (scenario) {
    case 'bad-release': {
      const k = clamp01(p.sinceLive / DEMO.badRampSeconds);
      return { ...NEW_HEALTHY, errorRate: DEMO.badErrorFrom + (DEMO.badErrorTo - DEMO.badErrorFrom) * k, latencyP95: NEW_HEALTHY.latencyP95 + DEMO.badLatencyExtra * k };
    }
    case 'slow-leak':
      return { ...NEW_HEALTHY, memory: Math.min(DEMO.leakMax, DEMO.leakFrom + DEMO.leakPerSecond * Math.max(0, p.sinceLive)) };
    case 'flag-regression':
      if (p.flagPercent > DEMO.flagThreshold) {
        return { errorRate: 0.15, latencyP95: DEMO.regressionLatency + DEMO.regressionPerPercent * (p.flagPercent - DEMO.flagThreshold), memory: 60, trafficFactor: 0.8 };
      }
      return NEW_HEALTHY;
    case 'good':
    case 'flaky-tests':
    case 'blind':
      return NEW_HEALTHY;
  }
}
