/** Sparkline bars ▁▂▃▄▅▆▇█: the scale of a series and the bar of one value (MetricsPane draws them, gaps as spaces). */
const BARS = '▁▂▃▄▅▆▇█';

/** The values at the bottom and the top of the bars. */
export type SparkScale = { readonly lo: number; readonly hi: number };

export type SparkLevels = { readonly warn?: number; readonly critical?: number; readonly direction?: 'above' | 'below' };

/**
 * A series' scale: from 0 (or, when lower is worse, from its critical or warn level) to its
 * critical or warn level, or higher when the values are: a flat series stays flat where its
 * value is against its levels, never stretched to full height by its own min … max.
 */
export function sparkScale(values: readonly (number | undefined)[], levels: SparkLevels = {}): SparkScale {
  const nums = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const min = nums.length ? Math.min(...nums) : 0;
  const max = nums.length ? Math.max(...nums) : 0;
  const level = levels.critical ?? levels.warn;
  if (levels.direction === 'below') return { lo: Math.min(min, level ?? Math.min(0, min)), hi: max };
  return { lo: Math.min(0, min), hi: Math.max(max, level ?? max) };
}

/** The bar for one value on a scale (the lowest when the scale is a point). */
export function bar(v: number, scale: SparkScale): string {
  const span = scale.hi - scale.lo;
  if (span <= 0) return BARS[0];
  return BARS[Math.max(0, Math.min(7, Math.floor(((v - scale.lo) / span) * 8)))];
}
