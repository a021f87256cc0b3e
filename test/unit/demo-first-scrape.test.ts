/**
 * `cockpit demo --prometheus`: before the release the demo waits for Prometheus's first scrape of
 * the service it has just started (else the guardrail self-test reads empty vectors and fails the
 * pre-flight). It waits only on no data or a slow answer, ends at once on a source that is down or
 * a query Prometheus rejects, and gives up at the deadline. A scripted source and a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { waitForFirstScrape } from '../../src/demo/first-scrape.js';
import type { MetricSource, SeriesResult } from '../../src/metrics/sources/source.js';
import { guardRunbook, runbookOf } from '../helpers/guard-harness.js';

const RB = runbookOf(guardRunbook({ triggers: ['{ metric: error_rate, above: 1, for: 3s }'] }));

/** A source that answers `answers[i]` on its i-th fetch (the last one from then on), and a clock that sleeps instantly. */
function scripted(answers: readonly SeriesResult[]) {
  let calls = 0;
  let t = 0;
  const asked: string[][] = [];
  const source: MetricSource = {
    kind: 'scripted',
    fetch: async (series) => {
      asked.push(series.map((s) => s.name));
      const a = answers[Math.min(calls++, answers.length - 1)];
      return Object.fromEntries(series.map((s) => [s.name, a]));
    },
  };
  let told = 0;
  const deps = { source, now: () => t, sleep: async (ms: number) => void (t += ms), waiting: () => void told++ };
  return { deps, calls: () => calls, told: () => told, asked };
}

const EMPTY: SeriesResult = { error: 'no data (empty result)', noData: true };

describe('the demo waits for Prometheus to scrape its service', () => {
  it('returns at once when every series already has a number, without saying it waits', async () => {
    const s = scripted([{ value: 0.1 }]);
    expect(await waitForFirstScrape(RB, s.deps)).toEqual({ ok: true, waitedMs: 0 });
    expect(s.calls()).toBe(1);
    expect(s.told()).toBe(0);
    // it reads what the self-test reads: the armed trigger's series
    expect(s.asked[0]).toEqual(['error_rate']);
  });

  it('waits through empty vectors and a slow answer until the first scrape, saying once that it waits', async () => {
    const s = scripted([EMPTY, { error: 'timed out after 2000 ms' }, EMPTY, { value: 0.1 }]);
    expect(await waitForFirstScrape(RB, s.deps)).toEqual({ ok: true, waitedMs: 750 });
    expect(s.calls()).toBe(4);
    expect(s.told()).toBe(1);
  });

  it('ends at once on a source that is down or a query Prometheus rejects: the self-test says why', async () => {
    const down = scripted([{ error: 'prometheus: fetch failed' }]);
    expect(await waitForFirstScrape(RB, down.deps)).toEqual({ ok: false, waitedMs: 0, why: 'prometheus: fetch failed' });
    const bad = scripted([{ error: 'bad_data: parse error', config: true }]);
    expect(await waitForFirstScrape(RB, bad.deps)).toEqual({ ok: false, waitedMs: 0, why: 'bad_data: parse error' });
    expect(down.told() + bad.told()).toBe(0);
  });

  it('gives up at the deadline with the last answer', async () => {
    const s = scripted([EMPTY]);
    expect(await waitForFirstScrape(RB, { ...s.deps, deadlineMs: 1000 })).toEqual({ ok: false, waitedMs: 1000, why: 'no data (empty result)' });
    expect(s.calls()).toBe(5);
  });
});
