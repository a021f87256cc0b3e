/** The window `cockpit history --since` looks at: 30d, 12w, 48h, a date (UTC), or all. */

/** The window's start (wall ms) and how to say it; undefined when the text is not a window. */
export function sinceOf(text: string, now: number): { at: number; label: string } | undefined {
  const t = text.trim();
  if (t === 'all') return { at: -Infinity, label: 'the first session' };
  const rel = /^(\d+)([hdw])$/.exec(t);
  if (rel) {
    const ms = Number(rel[1]) * { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[rel[2] as 'h' | 'd' | 'w'];
    return { at: now - ms, label: `${new Date(now - ms).toISOString().slice(0, 10)} (${t})` };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const at = Date.parse(`${t}T00:00:00Z`);
    return Number.isFinite(at) && new Date(at).toISOString().startsWith(t) ? { at, label: t } : undefined;
  }
  return undefined;
}
