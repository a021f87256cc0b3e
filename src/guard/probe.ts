/** One HTTP probe: status, latency, or the error (timeout, connection refused). */

import { discardBody } from '../core/http-body.js';
import { MAX_TIMER_MS } from '../core/clock.js';
import { describeFetchError } from '../core/fetch-error.js';

export type ProbeResult = { readonly status?: number; readonly latencyMs?: number; readonly error?: string };

export async function probeOnce(url: string, timeoutMs: number, method: 'GET' | 'HEAD' = 'GET'): Promise<ProbeResult> {
  const start = performance.now();
  try {
    const res = await fetch(url, { method, signal: AbortSignal.timeout(Math.min(timeoutMs, MAX_TIMER_MS)), redirect: 'manual' });
    await discardBody(res);
    return { status: res.status, latencyMs: Math.round(performance.now() - start) };
  } catch (e) {
    return { error: describeFetchError(e, timeoutMs), latencyMs: Math.round(performance.now() - start) };
  }
}
