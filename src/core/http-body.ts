/**
 * Reading an HTTP response body with a size cap: every body the cockpit reads (metric sources,
 * flag providers, notifications, probes) goes through here, so no answer, however large, is held
 * in memory whole. Past the cap the body is cancelled (the connection dropped, the rest never
 * read) and the read fails with a clear error.
 */

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response larger than ${bodyLimitText(limit)}`);
    this.name = 'BodyTooLargeError';
  }
}

function bodyLimitText(limit: number): string {
  return limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
}

/**
 * The body as text (UTF-8), at most `limit` bytes of it; a bigger one (by its Content-Length, or
 * as it streams) throws BodyTooLargeError without reading the rest.
 */
export async function readBodyText(res: Response, limit = MAX_BODY_BYTES): Promise<string> {
  const length = Number(res.headers.get('content-length'));
  if (Number.isFinite(length) && length > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(limit);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Reads and forgets a body nobody needs (a notification's answer, a probe's page), up to the cap: the rest is cancelled. */
export async function discardBody(res: Response, limit = MAX_BODY_BYTES): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > limit) return void (await reader.cancel().catch(() => undefined));
    }
  } catch {
    /* what the caller wanted (the status) is known already */
  }
}
