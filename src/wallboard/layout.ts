/**
 * Where each panel goes for a terminal size: the status header on top (in big letters when there
 * is room), the metric charts under it, then stages, triggers, incident + flags and the output
 * tail. Pure, so the sizes are tested without a terminal; under 80×24 there is no layout, only a
 * message.
 */

export const MIN_COLS = 80;
export const MIN_ROWS = 24;
/** A line chart needs this much to draw a readable plot (its axis labels take ~3 rows and ~5 columns). */
export const MIN_CHART_ROWS = 9;
export const MIN_CHART_COLS = 20;

export type Rect = { readonly top: number; readonly left: number; readonly width: number; readonly height: number };

export type Layout = {
  /** The status word in big letters (header rows = big rows + 2 text lines). */
  readonly big: boolean;
  readonly header: Rect;
  readonly charts: readonly Rect[];
  /** Series that did not fit (the charts row says so). */
  readonly hiddenCharts: number;
  readonly stages: Rect;
  readonly triggers: Rect;
  readonly incident: Rect;
  readonly output: Rect;
  /** All on one row (wide) or stages+triggers over incident+output (narrow). */
  readonly wide: boolean;
};

/** The message instead of the dashboard when the terminal is smaller than it needs (two lines, each under 70 columns). */
export function tooSmall(cols: number, rows: number): string[] | undefined {
  if (cols >= MIN_COLS && rows >= MIN_ROWS) return undefined;
  return [`cockpit wallboard needs at least ${MIN_COLS}×${MIN_ROWS}; this terminal is ${cols}×${rows}.`, 'Enlarge the window or make the font smaller (q quits).'];
}

/** n widths that add up to total, as even as whole cells allow. */
function split(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total - base * n ? 1 : 0));
}

function chartRects(top: number, cols: number, height: number, series: number): { rects: Rect[]; hidden: number } {
  if (series === 0) return { rects: [{ top, left: 0, width: cols, height }], hidden: 0 };
  const perRow = Math.min(series, Math.max(1, Math.floor(cols / MIN_CHART_COLS)));
  const rowsWanted = Math.ceil(series / perRow);
  const rowsFit = Math.max(1, Math.min(rowsWanted, Math.floor(height / MIN_CHART_ROWS)));
  const shown = Math.min(series, perRow * rowsFit);
  const heights = split(height, rowsFit);
  const rects: Rect[] = [];
  let y = top;
  for (let r = 0; r < rowsFit; r++) {
    const inRow = Math.min(perRow, shown - r * perRow);
    let x = 0;
    for (const w of split(cols, inRow)) {
      rects.push({ top: y, left: x, width: w, height: heights[r] });
      x += w;
    }
    y += heights[r];
  }
  return { rects, hidden: series - shown };
}

export type LayoutNeeds = {
  readonly series: number;
  /** Rows the stages, triggers and incident panels would like inside their borders. */
  readonly panelRows: number;
  /** The big status word's size in cells (0 × 0: none). */
  readonly bigWidth: number;
  readonly bigRows: number;
};

export function layout(cols: number, rows: number, o: LayoutNeeds): Layout {
  const big = o.bigRows > 0 && rows >= 40 && cols >= 120 && o.bigWidth + 2 <= cols;
  const headerH = big ? o.bigRows + 2 : 2;
  const header = { top: 0, left: 0, width: cols, height: headerH };
  const rest = rows - headerH;
  const wide = cols >= 120;
  const chartsH = o.series === 0 ? 3 : Math.max(MIN_CHART_ROWS, Math.floor(rest * (wide ? 0.42 : 0.38)));
  const { rects: charts, hidden: hiddenCharts } = chartRects(headerH, cols, chartsH, o.series);
  const below = headerH + chartsH;
  const left = rows - below;
  if (wide) {
    const panelH = Math.max(6, Math.min(o.panelRows + 2, Math.floor(rest * 0.3), left - 4));
    const [sw, tw, iw] = [Math.floor(cols * 0.34), Math.floor(cols * 0.36), 0].map((w, i, a) => (i === 2 ? cols - a[0] - a[1] : w));
    return {
      big,
      wide,
      header,
      charts,
      hiddenCharts,
      stages: { top: below, left: 0, width: sw, height: panelH },
      triggers: { top: below, left: sw, width: tw, height: panelH },
      incident: { top: below, left: sw + tw, width: iw, height: panelH },
      output: { top: below + panelH, left: 0, width: cols, height: left - panelH },
    };
  }
  const midH = Math.min(o.panelRows + 2, Math.max(7, left - 6));
  const lowH = left - midH;
  const half = Math.floor(cols / 2);
  const iw = Math.floor(cols * 0.42);
  return {
    big,
    wide,
    header,
    charts,
    hiddenCharts,
    stages: { top: below, left: 0, width: half, height: midH },
    triggers: { top: below, left: half, width: cols - half, height: midH },
    incident: { top: below + midH, left: 0, width: iw, height: lowH },
    output: { top: below + midH, left: iw, width: cols - iw, height: lowH },
  };
}
