/**
 * Prometheus HTTP API: one instant query per series (GET /api/v1/query). A vector with one
 * element or a scalar is a value; an empty vector, NaN or ±Inf is no data; HTTP or JSON errors and
 * a vector of several series are errors. History (the baseline's window before the release): one
 * GET /api/v1/query_range per series, its matrix of one series averaged.
 */
import { deadline, describeFetchError, finite, type FetchResults, type MetricSource, type Range, type RangeResult, type SeriesQuery, type SeriesResult } from './source.js';

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

/** A query_range answer: the mean of the one series' finite points over the window. */
export function interpretRange(body: PromResponse): RangeResult {
  if (body.status !== 'success') return { error: `prometheus: ${body.errorType ?? 'error'}: ${body.error ?? 'status not success'}` };
  const data = body.data;
  if (!data || typeof data.resultType !== 'string') return { error: 'prometheus: response has no data.resultType' };
  if (data.resultType !== 'matrix') return { error: `prometheus: unexpected result type ${data.resultType} from query_range (expected matrix)` };
  const result = Array.isArray(data.result) ? (data.result as { values?: unknown[] }[]) : [];
  if (result.length === 0) return { error: 'no data in the window (empty result)', noData: true };
  if (result.length > 1) return { error: `query returned ${result.length} series: aggregate it to one (sum, avg, max…)` };
  const values = (Array.isArray(result[0]?.values) ? result[0].values : []).map((p) => (Array.isArray(p) ? finite(p[1]) : undefined)).filter((v): v is number => v !== undefined);
  if (values.length === 0) return { error: 'no data in the window (NaN or Inf)', noData: true };
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, points: values.length };
}

export class PrometheusSource implements MetricSource {
  readonly kind = 'prometheus';
  constructor(private readonly url: string, private readonly headers: Record<string, string> = {}) {}

  /** One GET of the API; its JSON body, or why there is none. */
  private async get(path: string, params: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<PromResponse | { readonly failed: string }> {
    const u = new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const d = deadline(signal, timeoutMs);
    try {
      const res = await fetch(u, { headers: this.headers, signal: d.signal });
      const text = await res.text();
      let body: PromResponse;
      try {
        body = JSON.parse(text) as PromResponse;
      } catch {
        return { failed: `prometheus: HTTP ${res.status}, not JSON: ${text.slice(0, 80)}` };
      }
      if (!res.ok && body.status !== 'error') return { failed: `prometheus: HTTP ${res.status}` };
      return body;
    } catch (e) {
      return { failed: `prometheus: ${describeFetchError(e, timeoutMs)}` };
    } finally {
      d.done();
    }
  }

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const one = async (s: SeriesQuery): Promise<SeriesResult> => {
      const body = await this.get('api/v1/query', { query: s.query ?? '' }, timeoutMs, signal);
      return 'failed' in body ? { error: body.failed } : interpret(body);
    };
    const results = await Promise.all(series.map(async (s) => [s.name, await one(s)] as const));
    return Object.fromEntries(results);
  }

  async fetchRange(series: readonly SeriesQuery[], range: Range, timeoutMs: number, signal: AbortSignal): Promise<Readonly<Record<string, RangeResult>>> {
    const params = { start: String(range.from / 1000), end: String(range.to / 1000), step: String(range.stepMs / 1000) };
    const one = async (s: SeriesQuery): Promise<RangeResult> => {
      const body = await this.get('api/v1/query_range', { query: s.query ?? '', ...params }, timeoutMs, signal);
      return 'failed' in body ? { error: body.failed } : interpretRange(body);
    };
    const results = await Promise.all(series.map(async (s) => [s.name, await one(s)] as const));
    return Object.fromEntries(results);
  }
}
