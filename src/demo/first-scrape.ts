/**
 * `cockpit demo --prometheus URL`: the demo service starts with the demo, so the Prometheus that
 * scrapes it has none of its series until its first scrape after that (its scrape interval: 1m by
 * default). The guardrail self-test reads every watched series once, a few seconds into the
 * pre-flight, and an empty vector fails it. So the demo waits, before the release, until Prometheus
 * answers each series the self-test reads with a number: the first scrape. It waits only while
 * Prometheus answers without data (or slowly); a source that is down or a query Prometheus rejects
 * ends the wait at once, and so does the deadline: the self-test then says what is wrong.
 */
import { selfTestTargets } from '../guard/self-test.js';
import type { MetricSource, SeriesResult } from '../metrics/sources/source.js';
import type { Runbook } from '../runbook/types.js';
import { errorMessage } from '../core/error-message.js';

/** A Prometheus scrape interval of 1m (its default) and a late first scrape fit in this. */
export const FIRST_SCRAPE_DEADLINE_MS = 75_000;
const POLL_MS = 250;
const READ_TIMEOUT_MS = 2000;

export type FirstScrape =
  /** every series had a number after `waitedMs` (0: at the first look) */
  | { readonly ok: true; readonly waitedMs: number }
  /** why the wait ended without: the source, a query, or the deadline (the last answer) */
  | { readonly ok: false; readonly waitedMs: number; readonly why: string };

export type FirstScrapeDeps = {
  readonly source: MetricSource;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly deadlineMs?: number;
  /** Called once, when the first look finds no data yet (to say that the demo waits). */
  readonly waiting?: () => void;
};

/** An answer worth waiting on: Prometheus has no sample yet (empty vector, NaN) or answered slowly. */
function notYet(r: SeriesResult): boolean {
  return 'error' in r && r.config !== true && (r.noData === true || /timed out/.test(r.error));
}

/** Waits until every series the self-test reads answers with a number (see the module's comment). */
export async function waitForFirstScrape(rb: Runbook, d: FirstScrapeDeps): Promise<FirstScrape> {
  const series = selfTestTargets(rb).series;
  const start = d.now();
  const deadline = start + (d.deadlineMs ?? FIRST_SCRAPE_DEADLINE_MS);
  let told = false;
  for (;;) {
    let results: Readonly<Record<string, SeriesResult>>;
    try {
      results = await d.source.fetch(series, READ_TIMEOUT_MS, new AbortController().signal);
    } catch (e) {
      return { ok: false, waitedMs: d.now() - start, why: errorMessage(e) };
    }
    const missing = series.map((s) => [s.name, results[s.name] ?? { error: 'no result' }] as const).filter(([, r]) => 'error' in r);
    if (missing.length === 0) return { ok: true, waitedMs: d.now() - start };
    const why = [...new Set(missing.map(([, r]) => ('error' in r ? r.error : '')))].join('; ');
    if (!missing.every(([, r]) => notYet(r))) return { ok: false, waitedMs: d.now() - start, why };
    if (d.now() + POLL_MS > deadline) return { ok: false, waitedMs: d.now() - start, why };
    if (!told) {
      told = true;
      d.waiting?.();
    }
    await d.sleep(POLL_MS);
  }
}
