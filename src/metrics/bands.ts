/** Warn/critical bands of a series: above (default) or below, and drop/rise against a baseline. */

export type Band = 'ok' | 'warn' | 'critical';
export type BandDef = {
  readonly warn?: number;
  readonly critical?: number;
  readonly direction?: 'above' | 'below';
  readonly dropWarnPct?: number;
  readonly riseWarnPct?: number;
};

/** The band a value is in. A value exactly at a threshold is not past it. */
export function bandOf(def: BandDef, value: number, baseline?: number): Band {
  const below = def.direction === 'below';
  const past = (th: number | undefined) => th !== undefined && (below ? value < th : value > th);
  if (past(def.critical)) return 'critical';
  if (past(def.warn)) return 'warn';
  if (baseline !== undefined && baseline > 0) {
    if (def.dropWarnPct !== undefined && value < baseline * (1 - def.dropWarnPct / 100)) return 'warn';
    if (def.riseWarnPct !== undefined && value > baseline * (1 + def.riseWarnPct / 100)) return 'warn';
  }
  return 'ok';
}
