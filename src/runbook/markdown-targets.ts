/**
 * A Markdown runbook's success metrics → `targets:` (cockpit history compares the DORA keys with
 * them). Only a target written as a value maps: "**Lead Time:** < 4 hours" does, the seed's own
 * "[Target: < X hours …]" and "[Target: daily/weekly]" are a template's blanks and choices, not
 * targets, and stay for people to fill in.
 */

export type TargetKey = 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore' | 'rollbackRate';

const KEYS: [TargetKey, RegExp][] = [
  ['deploymentFrequency', /deploy(ment)? frequency|release frequency/i],
  ['leadTime', /lead time/i],
  ['changeFailureRate', /change fail(ure)? rate/i],
  ['timeToRestore', /recovery time|time to (restore|recover)|\bmttr\b/i],
  ['rollbackRate', /roll ?back rate/i],
];

const UNITS: [RegExp, number][] = [
  [/^(w|wks?|weeks?)$/i, 7 * 86_400_000],
  [/^(d|days?)$/i, 86_400_000],
  [/^(h|hrs?|hours?)$/i, 3_600_000],
  [/^(m|mins?|minutes?)$/i, 60_000],
  [/^(s|secs?|seconds?)$/i, 1000],
];

/** Milliseconds as the span grammar writes them (span.ts): 1d, 4h, 90m, 45s. */
function spanText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

/** What a "Target: …" says, without the template's brackets. */
function targetText(text: string): string {
  const inner = /\[\s*target\s*:\s*([^\]]*)\]/i.exec(text)?.[1] ?? /target\s*:\s*(.*)$/i.exec(text)?.[1] ?? text;
  return inner.trim();
}

/**
 * One success-metric line → a target: `{key, value}` when it states one, `{key, blank}` when it is
 * a template's blank (an X, a choice like daily/weekly), undefined when it is not a DORA key.
 */
export function targetOf(label: string, text: string): { key: TargetKey; value?: string; blank?: string } | undefined {
  const key = KEYS.find(([, re]) => re.test(label))?.[0];
  if (!key) return undefined;
  const said = targetText(text);
  if (key === 'deploymentFrequency') {
    const words = [...new Set(said.toLowerCase().match(/\b(daily|weekly|monthly|yearly)\b/g) ?? [])];
    return words.length === 1 && !/\bX\b/.test(said) ? { key, value: words[0] } : { key, blank: said };
  }
  if (/\bX\b/.test(said)) return { key, blank: said };
  if (key === 'changeFailureRate' || key === 'rollbackRate') {
    const m = /(\d+(?:\.\d+)?)\s*%/.exec(said);
    return m && Number(m[1]) <= 100 ? { key, value: `${m[1]}%` } : { key, blank: said };
  }
  const m = /(\d+(?:\.\d+)?)\s*([a-z]+)\b/i.exec(said);
  const size = m ? UNITS.find(([re]) => re.test(m[2]))?.[1] : undefined;
  if (!m || size === undefined) return { key, blank: said };
  const ms = Math.round(Number(m[1]) * size);
  return ms > 0 ? { key, value: spanText(ms) } : { key, blank: said };
}
