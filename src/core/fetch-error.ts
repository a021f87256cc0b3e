/**
 * Why a fetch failed, in the same words wherever one is made (metrics sources, the sampler, probes,
 * notifications, the flag providers): "timed out after 300 ms" for a deadline (or an abort), the
 * system error's code and where it was going for a connection ("ECONNREFUSED 127.0.0.1:9",
 * "ENOTFOUND metrics.internal"), else the error's message.
 */
import { errorMessage } from './error-message.js';

type Cause = { readonly code?: unknown; readonly address?: unknown; readonly port?: unknown; readonly hostname?: unknown };

export function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: unknown; cause?: Cause } | null | undefined;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = err?.cause;
  if (typeof cause?.code === 'string') return `${cause.code}${whereTo(cause)}`;
  return errorMessage(e);
}

/** " 127.0.0.1:9", " metrics.internal", or nothing: where the connection was going. */
function whereTo(c: Cause): string {
  if (typeof c.address === 'string') return ` ${c.address}${typeof c.port === 'number' ? `:${c.port}` : ''}`;
  return typeof c.hostname === 'string' ? ` ${c.hostname}` : '';
}
