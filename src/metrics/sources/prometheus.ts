/**
 * Prometheus HTTP API: one instant query per series (GET /api/v1/query). A vector with one
 * element or a scalar is a value; an empty vector, NaN or ±Inf is no data; HTTP or JSON errors and
 * a vector of several series are errors.
 */
import { deadline, describeFetchError, finite, type FetchResults, type MetricSource, type SeriesQuery, type SeriesResult } from './source.js';

type PromResponse = {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
};

export function interpret(body: PromResponse): SeriesResult {
  if (body.status !== 'success') return { error: `prometheus: ${body.errorType ?? 'error'}: ${body.error ?? 'status not success'}` };
  const data = body.data;
  if (!data || typeof data.resultType !== 'string') return { error: 'prometheus: response has no data.resultType' };
  if (data.resultType === 'scalar') {
    const v = Array.isArray(data.result) ? finite(data.result[1]) : undefined;
    return v === undefined ? { error: 'no data (NaN or Inf)', noData: true } : { value: v };
  }
  if (data.resultType === 'vector') {
    const result = Array.isArray(data.result) ? (data.result as { value?: unknown[] }[]) : [];
    if (result.length === 0) return { error: 'no data (empty result)', noData: true };
    if (result.length > 1) return { error: `query returned ${result.length} series: aggregate it to one (sum, avg, max…)` };
    const v = Array.isArray(result[0]?.value) ? finite(result[0].value[1]) : undefined;
    return v === undefined ? { error: 'no data (NaN or Inf)', noData: true } : { value: v };
  }
  return { error: `prometheus: unsupported result type ${data.resultType} (use an instant vector or scalar)` };
}

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus';
  constructor(private readonly url: string, private readonly headers: Record<string, string> = {}) {}

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const one = async (s: SeriesQuery): Promise<SeriesResult> => {
      const u = new URL('api/v1/query', this.url.endsWith('/') ? this.url : `${this.url}/`);
      u.searchParams.set('query', s.query ?? '');
      const d = deadline(signal, timeoutMs);
      try {
        const res = await fetch(u, { headers: this.headers, signal: d.signal });
        const text = await res.text();
        let body: PromResponse;
        try {
          body = JSON.parse(text) as PromResponse;
        } catch {
          return { error: `prometheus: HTTP ${res.status}, not JSON: ${text.slice(0, 80)}` };
        }
        if (!res.ok && body.status !== 'error') return { error: `prometheus: HTTP ${res.status}` };
        return interpret(body);
      } catch (e) {
        return { error: `prometheus: ${describeFetchError(e, timeoutMs)}` };
      } finally {
        d.done();
      }
    };
    const results = await Promise.all(series.map(async (s) => [s.name, await one(s)] as const));
    return Object.fromEntries(results);
  }
}
