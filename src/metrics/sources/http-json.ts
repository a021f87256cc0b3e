/** GET a URL returning JSON; each series is taken by JSON pointer (RFC 6901). */
import { readBodyText } from '../../core/http-body.js';
import { allFailed, configError, deadline, describeFetchError, finite, isConfigStatus, type FetchResults, type MetricSource, type SeriesQuery, type SeriesResult } from './source.js';

export function pointer(doc: unknown, ptr: string): unknown {
  if (ptr === '') return doc;
  let cur: unknown = doc;
  for (const raw of ptr.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Words a metrics API writes for a number it does not have: no data, not a broken pointer. */
const NOT_A_VALUE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * One value at a JSON pointer, classified: a number is a value; nothing there (absent, null), NaN
 * or ±Inf is no data; anything else (an object, a list, a word) is a configuration error: the
 * pointer points at the wrong place, and no later answer will make it a number.
 */
export function pickOne(doc: unknown, ptr: string, what: string): SeriesResult {
  const raw = pointer(doc, ptr);
  if (raw === undefined || raw === null) return { error: `no ${ptr} in the ${what}`, noData: true };
  const v = finite(raw);
  if (v !== undefined) return { value: v };
  if (typeof raw === 'number' || (typeof raw === 'string' && NOT_A_VALUE.test(raw.trim()))) return { error: `no data at ${ptr} (${String(raw)})`, noData: true };
  return configError(`not a number at ${ptr}: ${JSON.stringify(raw).slice(0, 40)}`);
}

export function pick(doc: unknown, series: readonly SeriesQuery[], what: string): FetchResults {
  return Object.fromEntries(series.map((s) => [s.name, pickOne(doc, s.pointer ?? `/${s.name}`, what)]));
}

export class HttpJsonSource implements MetricSource {
  readonly kind = 'http-json';
  constructor(private readonly url: string, private readonly headers: Record<string, string> = {}) {}

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const d = deadline(signal, timeoutMs);
    try {
      const res = await fetch(this.url, { headers: { accept: 'application/json', ...this.headers }, signal: d.signal });
      const text = await readBodyText(res);
      if (!res.ok) return allFailed(series, `HTTP ${res.status}`, isConfigStatus(res.status));
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        // an answer at 200 that is not JSON (an HTML page): the url is not the metrics API
        return allFailed(series, `not JSON: ${text.slice(0, 60)}`, true);
      }
      return pick(doc, series, 'response');
    } catch (e) {
      return allFailed(series, describeFetchError(e, timeoutMs));
    } finally {
      d.done();
    }
  }
}
