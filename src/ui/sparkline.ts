/** ▁▂▃▅▆ from a series of numbers; gaps (no data) as a space. */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly (number | undefined)[], width: number): string {
  const shown = values.slice(-width);
  const nums = shown.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (nums.length === 0) return ' '.repeat(Math.max(0, width));
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  const span = max - min;
  const out = shown.map((v) => (v === undefined || !Number.isFinite(v) ? ' ' : BARS[span === 0 ? 3 : Math.min(7, Math.floor(((v - min) / span) * 8))]));
  return out.join('').padStart(width, ' ');
}
