/**
 * The few parts of blessed and blessed-contrib the wallboard uses, typed here: neither ships
 * usable typings (blessed-contrib's index.d.ts imports @types/blessed, which is not installed, and
 * describes the whole library). Only what wallboard.ts calls is declared.
 */

export type Position = number | string;

export type BoxOptions = {
  top?: Position;
  left?: Position;
  width?: Position;
  height?: Position;
  label?: string;
  content?: string;
  tags?: boolean;
  wrap?: boolean;
  border?: { type: 'line'; fg?: string };
  style?: { fg?: string; bg?: string; bold?: boolean; border?: { fg?: string }; label?: { fg?: string; bold?: boolean } };
  padding?: { left?: number; right?: number };
  align?: 'left' | 'center' | 'right';
  valign?: 'top' | 'middle' | 'bottom';
};

export type BlessedElement = {
  setContent(text: string): void;
  setLabel(text: string): void;
  destroy(): void;
  hide(): void;
  show(): void;
  setFront(): void;
  hidden: boolean;
};

export type KeyEvent = { name?: string; full: string; ch?: string; shift?: boolean; ctrl?: boolean };

export type Screen = {
  cols: number;
  rows: number;
  append(el: BlessedElement): void;
  render(): void;
  destroy(): void;
  on(event: 'resize', fn: () => void): void;
  on(event: 'keypress', fn: (ch: string | undefined, key: KeyEvent) => void): void;
  program: { hideCursor(): void };
  tput: { unicode: boolean; brokenACS: boolean };
};

export type ScreenOptions = {
  smartCSR?: boolean;
  fullUnicode?: boolean;
  forceUnicode?: boolean;
  title?: string;
  autoPadding?: boolean;
  warnings?: boolean;
  dockBorders?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
};

export type Blessed = {
  screen(o: ScreenOptions): Screen;
  box(o: BoxOptions): BlessedElement;
  escape(text: string): string;
};

/** One line of a blessed-contrib line chart: x labels and y values of equal length. */
export type LineSeries = { title: string; x: string[]; y: number[]; style?: { line?: string } };

export type LineChart = BlessedElement & { setData(series: LineSeries[]): void; clear(): void };

export type LineOptions = BoxOptions & {
  showLegend?: boolean;
  minY?: number;
  maxY?: number;
  numYLabels?: number;
  xPadding?: number;
  xLabelPadding?: number;
  wholeNumbersOnly?: boolean;
  abbreviate?: boolean;
  style?: BoxOptions['style'] & { line?: string; text?: string; baseline?: string };
};

export type LineFactory = (o: LineOptions) => LineChart;
