/** Pane sizes for a terminal size; the live area is never taller than the terminal. */

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export type Layout = {
  readonly width: number;
  /** Rows drawn: one less than the terminal, so Ink never falls back to clearing the screen. */
  readonly height: number;
  readonly mainHeight: number;
  readonly checklistWidth: number;
  readonly outputWidth: number;
  readonly guardHeight: number;
  readonly metricsWidth: number;
  readonly flagsWidth: number;
  readonly showTriggers: boolean;
};

export function tooSmall(columns: number, rows: number): string | undefined {
  return columns < MIN_COLUMNS || rows < MIN_ROWS ? `terminal too small (needs ${MIN_COLUMNS}×${MIN_ROWS}, have ${columns}×${rows})` : undefined;
}

/**
 * `metricsColumns`: what the metrics pane's lines need (MetricsPane.metricsColumns); on a wide
 * terminal the flags pane gets the columns the metrics would leave empty.
 */
export function layout(columns: number, rows: number, o: { series: number; flags: number; triggers: number; metricsColumns?: number }): Layout {
  const width = columns;
  const height = rows - 1;
  const showTriggers = o.triggers > 0;
  const showGuard = o.series > 0 || o.flags > 0;
  const fixed = 4 + (showTriggers ? 1 : 0);
  const guardHeight = showGuard ? Math.min(Math.max(o.series, o.flags > 0 ? o.flags + 1 : 0, 2) + 2, Math.floor((height - fixed) / 3)) : 0;
  const mainHeight = height - fixed - guardHeight;
  const checklistWidth = Math.min(44, Math.max(28, Math.floor(width * 0.36)));
  const flagsWidth = o.flags > 0 ? Math.max(Math.min(44, Math.max(30, Math.floor(width * 0.4))), o.metricsColumns !== undefined ? width - o.metricsColumns : 0) : 0;
  return {
    width,
    height,
    mainHeight,
    checklistWidth,
    outputWidth: width - checklistWidth,
    guardHeight,
    metricsWidth: width - flagsWidth,
    flagsWidth,
    showTriggers,
  };
}
