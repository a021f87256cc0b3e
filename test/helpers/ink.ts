/** Waiting for Ink frames: content, not fixed sleeps (after cli-kit's waitForContent). */
import { stripVTControlCharacters } from 'node:util';
import { stillSpinner } from './spinner.js';

/** A frame without colours, the running step's spinner read as the static running icon (helpers/spinner.ts). */
export function plain(frame: string | undefined): string {
  return stillSpinner(stripVTControlCharacters(frame ?? ''));
}

export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the frame contains `text`; returns the frame (colours stripped). */
export async function waitForText(lastFrame: () => string | undefined, text: string, timeoutMs = 3000): Promise<string> {
  try {
    return await waitFor(() => {
      const f = plain(lastFrame());
      return f.includes(text) ? f : false;
    }, `"${text}"`, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- last frame ---\n${plain(lastFrame())}`, { cause: e });
  }
}

export async function waitForGone(lastFrame: () => string | undefined, text: string, timeoutMs = 3000): Promise<string> {
  return waitFor(() => {
    const f = plain(lastFrame());
    return f.includes(text) ? false : f;
  }, `"${text}" to disappear`, timeoutMs);
}
