/** A metric source: fetches one value per series, or says per series why it has none. */

import { MAX_TIMER_MS } from '../../core/clock.js';

export type SeriesQuery = { readonly name: string; readonly query?: string; readonly pointer?: string };

/**
 * A value, or why there is none, classified once by the source that read it:
 * - no data: the source is unreachable, timed out, failed (HTTP 5xx), or answered without a value
 *   (empty, NaN). `noData` marks an answer without a value; a failure has neither flag. Both are
 *   missing samples: the triggers' onNoData policy applies after `maxErrors` of them.
 * - `config`: the query's or the runbook's fault (a PromQL syntax error, several series, a range
 *   vector, not a number where the pointer points): no retry can fix it, so a trigger watching it
 *   fails the running step at once (guard/trigger.ts), never holds.
 */
export type SeriesResult = { readonly value: number } | { readonly error: string; readonly noData?: boolean; readonly config?: true };

/** A configuration error: the query or the runbook is wrong, not the source. */
export function configError(error: string): Extract<SeriesResult, { readonly error: string }> {
  return { error, config: true };
}

/** Whether a result is a configuration error (the one test every consumer asks). */
export function isConfigError(r: SeriesResult | undefined): boolean {
  return r !== undefined && 'error' in r && r.config === true;
}

/**
 * An HTTP status that says the request itself is wrong (400 bad request, 404 no such path, 405,
 * 422 the API could not run the query): the runbook's URL or query, not a source that is down.
 * 401/403 (credentials, rotated any time), 408/429 and every 5xx are the source's: no data.
 */
export function isConfigStatus(status: number): boolean {
  return status === 400 || status === 404 || status === 405 || status === 422;
}

export type FetchResults = Readonly<Record<string, SeriesResult>>;

/** A window of history: from, to (wall ms) and the step between its points (ms). */
export type Range = { readonly from: number; readonly to: number; readonly stepMs: number };

/** The mean of a series over a window of history and how many points it had, or why there is none. */
export type RangeResult = { readonly mean: number; readonly points: number } | { readonly error: string; readonly noData?: boolean };

export interface MetricSource {
  readonly kind: string;
  /** Fetches every series once; must settle within `timeoutMs` (aborted through `signal`). */
  fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults>;
  /** A source with history (prometheus: query_range): each series' mean over a window before now. */
  fetchRange?(series: readonly SeriesQuery[], range: Range, timeoutMs: number, signal: AbortSignal): Promise<Readonly<Record<string, RangeResult>>>;
}

/** Every series failed the same way (a source-wide error). */
export function allFailed(series: readonly SeriesQuery[], error: string, config = false): FetchResults {
  return Object.fromEntries(series.map((s) => [s.name, config ? configError(error) : { error }]));
}

/** Why a fetch failed (core/fetch-error.ts: the same words for every fetch in the project). */
export { describeFetchError } from '../../core/fetch-error.js';

/** Parses a number the way metric APIs write them ("1.5", 1.5, "NaN", "+Inf"); undefined when it is not finite. */
export function finite(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A signal that aborts when `parent` does or after `ms` (as a TimeoutError). Built by hand: on
 * Node 20 a signal from AbortSignal.any() can be garbage-collected with its timeout before it
 * fires, and a fetch to a black hole then never ends. Call `done()` when the work is over.
 */
export function deadline(parent: AbortSignal, ms: number): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const onAbort = () => ac.abort(parent.reason);
  if (parent.aborted) ac.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), Math.min(ms, MAX_TIMER_MS));
  return {
    signal: ac.signal,
    done: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
