/** A metric source: fetches one value per series, or says per series why it has none. */

import { MAX_TIMER_MS } from '../../core/clock.js';

export type SeriesQuery = { readonly name: string; readonly query?: string; readonly pointer?: string };

/** A value, or why there is none. `noData` is an answer without a value (empty, NaN); `error` is a failure. */
export type SeriesResult = { readonly value: number } | { readonly error: string; readonly noData?: boolean };

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
export function allFailed(series: readonly SeriesQuery[], error: string): FetchResults {
  return Object.fromEntries(series.map((s) => [s.name, { error }]));
}

export function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (err?.cause?.code) return `${err.cause.code}${err.cause.message ? `: ${err.cause.message}` : ''}`;
  return err?.message ?? String(e);
}

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
