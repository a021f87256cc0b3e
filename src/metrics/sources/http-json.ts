/** GET a URL returning JSON; each series is taken by JSON pointer (RFC 6901). */
import { allFailed, deadline, describeFetchError, finite, type FetchResults, type MetricSource, type SeriesQuery } from './source.js';

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

export function pick(doc: unknown, series: readonly SeriesQuery[], what: string): FetchResults {
  return Object.fromEntries(
    series.map((s) => {
      const raw = pointer(doc, s.pointer ?? `/${s.name}`);
      if (raw === undefined || raw === null) return [s.name, { error: `no ${s.pointer ?? s.name} in the ${what}`, noData: true }];
      const v = finite(raw);
      return [s.name, v === undefined ? { error: `not a number at ${s.pointer ?? s.name}: ${JSON.stringify(raw).slice(0, 40)}` } : { value: v }];
    }),
  );
}

export class HttpJsonSource implements MetricSource {
  readonly kind = 'http-json';
  constructor(private readonly url: string, private readonly headers: Record<string, string> = {}) {}

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const d = deadline(signal, timeoutMs);
    try {
      const res = await fetch(this.url, { headers: { accept: 'application/json', ...this.headers }, signal: d.signal });
      const text = await res.text();
      if (!res.ok) return allFailed(series, `HTTP ${res.status}`);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        return allFailed(series, `not JSON: ${text.slice(0, 60)}`);
      }
      return pick(doc, series, 'response');
    } catch (e) {
      return allFailed(series, describeFetchError(e, timeoutMs));
    } finally {
      d.done();
    }
  }
}
