/**
 * Longer spans for targets (`leadTime: 1d`, `timeToRestore: 1h`): weeks and days besides the
 * duration grammar's hours, minutes and seconds. Kept apart from duration.ts: a step timeout in
 * days is a mistake the step grammar should go on catching.
 */

const SPAN = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** The same grammar for the schema (and so for the JSON Schema). */
export const SPAN_PATTERN = /^(?=\d)(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

const MS = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** `1d` → 86 400 000; `2h30m` → 9 000 000; undefined when it is not a span. */
export function parseSpan(text: string): number | undefined {
  const t = text.trim();
  const m = SPAN.exec(t);
  if (!m || t === '') return undefined;
  const [, w, d, h, min, s] = m;
  return Number(w ?? 0) * MS.w + Number(d ?? 0) * MS.d + Number(h ?? 0) * MS.h + Number(min ?? 0) * MS.m + Number(s ?? 0) * MS.s;
}

/** A rate as written: `15%`, `15 %` or 15 (percent) → 0.15; undefined when it is not one. */
export function parseRate(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value)?.[1];
  const pct = n === undefined ? NaN : Number(n);
  return Number.isFinite(pct) && pct >= 0 && pct <= 100 ? pct / 100 : undefined;
}

/** Milliseconds as a person reads a span: `45s`, `12m`, `3h05m`, `1h`, `2d 4h`, `2d` (seconds dropped past an hour, minutes past a day). */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000);
    const s = Math.floor((ms % 60_000) / 1000);
    return s ? `${m}m${String(s).padStart(2, '0')}s` : `${m}m`;
  }
  if (ms < 86_400_000) {
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    return m ? `${h}h${String(m).padStart(2, '0')}m` : `${h}h`;
  }
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  return h ? `${d}d ${h}h` : `${d}d`;
}
