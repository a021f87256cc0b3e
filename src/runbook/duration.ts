/** Durations as written in runbooks: `90s`, `2m`, `1h30m`, `500ms`, `0`. */

const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** The same grammar as one regular expression, for the schema (and so for the JSON Schema). */
export const DURATION_PATTERN = /^(?:0|(?=\d)(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?(?:\d+ms)?)$/;

/** The longest duration a runbook may write: 720h (30 days). Longer is a typo, not a release. */
export const MAX_DURATION_MS = 720 * 3_600_000;
export const MAX_DURATION_TEXT = '720h (30 days)';

/** Parses a duration to milliseconds, or returns undefined when it is not one. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text === 0 ? 0 : undefined;
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const m = DURATION.exec(trimmed);
  if (!m || trimmed === '') return undefined;
  const [, h, min, s, ms] = m;
  if (h === undefined && min === undefined && s === undefined && ms === undefined) return undefined;
  return ((Number(h ?? 0) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000 + Number(ms ?? 0);
}

/** Formats milliseconds as m:ss (or h:mm:ss), the way the cockpit shows elapsed time. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Formats milliseconds compactly for logs: `850ms`, `4.2s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** Formats milliseconds the way runbooks write durations: `500ms`, `2s`, `1m30s`, `2m`, `1h30m`. */
export function formatCompact(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
