/**
 * What a journal says about an incident's escalation and its time to restore, and the one
 * escalation rule (test/fixtures/safety/escalation.yml) the screen and headless must both keep:
 * shared by the e2e and the integration safety tests.
 */
import { expect } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { ofType } from './guard-harness.js';

/** When each level started, the rollback, whether and where verify resolved the incident. */
export function escalationFacts(es: readonly SessionEvent[]) {
  const rb = ofType(es, 'rollback.started')[0];
  const levels = new Map(ofType(es, 'escalation.started').map((e) => [e.level, e.t]));
  const verified = es.findIndex((e) => e.type === 'rollback.verified');
  return { rb, levels, verified, resolvedAt: es.findIndex((e) => e.type === 'incident.resolved') };
}

/** The rule, whichever mode: level 1 at the rollback's start, level 2 1.5 s after it (not at once though 1.5 s after the first breaching sample had passed), verify resolves, level 3 never runs. */
export function expectOneRule(es: readonly SessionEvent[]): void {
  const f = escalationFacts(es);
  expect(f.rb.incidentAt).toBeLessThanOrEqual(f.rb.t - 2000); // the window began 2 s before it fired: level 2's "1.5 s" had passed
  expect(f.levels.get(1)! - f.rb.t).toBeGreaterThanOrEqual(0);
  expect(f.levels.get(1)! - f.rb.t).toBeLessThan(200); // with the rollback, not 1.5 s after it
  expect(f.levels.get(2)! - f.rb.t).toBeGreaterThanOrEqual(1499); // 1.5 s after the rollback's start (session ms, rounded)
  expect(f.levels.has(3)).toBe(false);
  expect(f.verified).toBeGreaterThan(0);
  expect(f.resolvedAt).toBe(f.verified + 1);
  expect(ofType(es, 'escalation.dropped')).toEqual([]);
}

/** The journal's time to restore and the rollback's own duration. */
export function restoreFacts(es: readonly SessionEvent[]): { restoreMs: number; durationMs: number; reason: string } {
  const verified = ofType(es, 'rollback.verified');
  const finished = ofType(es, 'rollback.finished');
  expect(verified).toHaveLength(1);
  expect(finished).toHaveLength(1);
  // the incident began at the first breaching sample, 2 s (the window) before the rollback started: restore > rollback
  expect(verified[0].restoreMs).toBeGreaterThan(finished[0].durationMs + 1500);
  return { restoreMs: verified[0].restoreMs, durationMs: finished[0].durationMs, reason: ofType(es, 'rollback.started')[0].reason };
}
