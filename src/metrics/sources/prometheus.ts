/**
 * Prometheus HTTP API: one instant query per series (GET /api/v1/query), each answer classified
 * once (source.ts): one element of a vector or a scalar is a value; an empty vector, NaN or ±Inf
 * is no data, and so is a source that does not answer, times out or fails (5xx, timeout,
 * unavailable); the query's fault is a configuration error carrying Prometheus's own message:
 * bad_data (a syntax error), execution (a query it cannot evaluate), several series, a range
 * vector or string.
 * History (the baseline's window before the release): one GET /api/v1/query_range per series,
 * its matrix of one series averaged.
 */
import { readBodyText } from '../../core/http-body.js';
import { configError, deadline, describeFetchError, finite, isConfigStatus, type FetchResults, type MetricSource, type Range, type RangeResult, type SeriesQuery, type SeriesResult } from './source.js';

type PromResponse = {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
};

/** Prometheus's error types that are the query's fault (its API docs: 400 bad_data, 422 execution). */
const QUERY_FAULTS: ReadonlySet<string> = new Set(['bad_data', 'execution']);

/** A Prometheus API answer (its HTTP status, when known) as a value, no data or a configuration error. */
export function interpret(body: PromResponse, status = 200): SeriesResult {
  if (body.status !== 'success') {
    const error = `${body.errorType ?? 'error'}: ${body.error ?? 'status not success'}`;
    return QUERY_FAULTS.has(body.errorType ?? '') || isConfigStatus(status) ? configError(error) : { error: `prometheus: ${error}` };
  }
  const data = body.data;
  if (!data || typeof data.resultType !== 'string') return configError('prometheus: response has no data.resultType (is the url a Prometheus API?)');
  if (data.resultType === 'scalar') {
    const v = Array.isArray(data.result) ? finite(data.result[1]) : undefined;
    return v === undefined ? { error: 'no data (NaN or Inf)', noData: true } : { value: v };
  }
  if (data.resultType === 'vector') {
    const result = Array.isArray(data.result) ? (data.result as { value?: unknown[] }[]) : [];
    if (result.length === 0) return { error: 'no data (empty result)', noData: true };
    if (result.length > 1) return configError(`query returned ${result.length} series: aggregate it to one (sum, avg, max…)`);
    const v = Array.isArray(result[0]?.value) ? finite(result[0].value[1]) : undefined;
    return v === undefined ? { error: 'no data (NaN or Inf)', noData: true } : { value: v };
  }
  const what = data.resultType === 'matrix' ? 'a range vector (matrix)' : data.resultType;
  return configError(`query returned ${what}: use an instant vector or scalar`);
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

  /** One GET of the API; its JSON body and HTTP status, or why there is none (a configuration error when it is the url's fault). */
  private async get(path: string, params: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<{ readonly body: PromResponse; readonly status: number } | { readonly failed: Extract<SeriesResult, { readonly error: string }> }> {
    const u = new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const d = deadline(signal, timeoutMs);
    try {
      const res = await fetch(u, { headers: this.headers, signal: d.signal });
      const text = await readBodyText(res);
      let body: PromResponse;
      try {
        body = JSON.parse(text) as PromResponse;
      } catch {
        // an HTML page at 200 (a dashboard, a login page) or 404: the url is not a Prometheus API
        const error = `prometheus: HTTP ${res.status}, not JSON: ${text.slice(0, 80)}`;
        return { failed: res.ok || isConfigStatus(res.status) ? configError(error) : { error } };
      }
      if (!res.ok && body.status !== 'error') return { failed: isConfigStatus(res.status) ? configError(`prometheus: HTTP ${res.status}`) : { error: `prometheus: HTTP ${res.status}` } };
      return { body, status: res.status };
    } catch (e) {
      return { failed: { error: `prometheus: ${describeFetchError(e, timeoutMs)}` } };
    } finally {
      d.done();
    }
  }

  async fetch(series: readonly SeriesQuery[], timeoutMs: number, signal: AbortSignal): Promise<FetchResults> {
    const one = async (s: SeriesQuery): Promise<SeriesResult> => {
      const r = await this.get('api/v1/query', { query: s.query ?? '' }, timeoutMs, signal);
      return 'failed' in r ? r.failed : interpret(r.body, r.status);
    };
    const results = await Promise.all(series.map(async (s) => [s.name, await one(s)] as const));
    return Object.fromEntries(results);
  }

  async fetchRange(series: readonly SeriesQuery[], range: Range, timeoutMs: number, signal: AbortSignal): Promise<Readonly<Record<string, RangeResult>>> {
    const params = { start: String(range.from / 1000), end: String(range.to / 1000), step: String(range.stepMs / 1000) };
    const one = async (s: SeriesQuery): Promise<RangeResult> => {
      const r = await this.get('api/v1/query_range', { query: s.query ?? '', ...params }, timeoutMs, signal);
      return 'failed' in r ? { error: r.failed.error } : interpretRange(r.body);
    };
    const results = await Promise.all(series.map(async (s) => [s.name, await one(s)] as const));
    return Object.fromEntries(results);
  }
}
