/**
 * cockpit wallboard's screen: blessed boxes and blessed-contrib line charts laid out by layout.ts,
 * filled from the pure view model (model.ts) on every journal batch and on a 1 s clock. Read-only:
 * the keys are q / Ctrl+C / Escape (quit) and R, which only says how to roll back.
 *
 * blessed and blessed-contrib are CommonJS and loaded here, at run time, through createRequire:
 * nothing else in cockpit (nor the Ink bundle) ever loads them.
 */
import { createRequire } from 'node:module';
import type { Runbook } from '../runbook/types.js';
import { bigText, type BitmapFont } from './big-text.js';
import type { Blessed, BlessedElement, LineChart, LineFactory, Screen } from './blessed-types.js';
import type { SessionFeed } from './feed.js';
import { layout, tooSmall, type Layout, type Rect } from './layout.js';
import { LogTail } from './log-tail.js';
import { yScale, type ChartModel } from './model-charts.js';
import { tailLines } from './model-output.js';
import { readOnlyMessage, sessionNow, wallboardModel, type WallboardModel } from './model.js';
import { clip, headerLines, incidentLines, painter, stageLines, triggerLines } from './panel-text.js';

type Libs = { readonly blessed: Blessed; readonly line: LineFactory; readonly font: BitmapFont };

function loadLibs(): Libs {
  const req = createRequire(import.meta.url);
  // the line chart alone, not blessed-contrib's index: that loads every widget (maps, markdown, pictures)
  return {
    blessed: req('blessed') as Blessed,
    line: req('blessed-contrib/lib/widget/charts/line.js') as LineFactory,
    font: req('blessed/usr/fonts/ter-u14b.json') as BitmapFont,
  };
}

/**
 * blessed compiles the terminal's terminfo when the screen is created and prints any capability
 * it cannot compile to stderr with console.error (xterm-256color's Setulc on newer ncurses): that
 * would land on the terminal under the dashboard. Those lines are kept, and shown after the screen
 * closes only with COCKPIT_DEBUG.
 */
function quietly<T>(f: () => T, kept: string[]): T {
  const error = console.error;
  const warn = console.warn;
  console.error = console.warn = (...args: unknown[]) => void kept.push(args.map(String).join(' '));
  try {
    return f();
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

export type WallboardOptions = {
  readonly rb: Runbook;
  readonly feed: SessionFeed;
  /** The command that rolls back (`cockpit rollback path/to/runbook`), for R's message. */
  readonly rollbackCommand: string;
  readonly colour: boolean;
};

type Widgets = {
  readonly layout: Layout;
  readonly header: BlessedElement;
  readonly charts: readonly LineChart[];
  readonly noCharts?: BlessedElement;
  readonly stages: BlessedElement;
  readonly triggers: BlessedElement;
  readonly incident: BlessedElement;
  readonly output: BlessedElement;
};

/** A box label sits on the top border from the 3rd cell and wraps (over the first row) when longer than the room left. */
const labelRoom = (r: Rect) => r.width - 6;

const TONE_LINE: Record<ChartModel['band'], string> = { ok: 'green', warn: 'yellow', critical: 'red', 'no data': 'white' };

export class Wallboard {
  private widgets: Widgets | undefined;
  private small: BlessedElement | undefined;
  private readonly overlay: BlessedElement;
  private readonly tail = new LogTail();
  private lastFrame = '';
  private layoutKey = '';
  private pending: NodeJS.Timeout | undefined;
  private overlayTimer: NodeJS.Timeout | undefined;
  private readonly clock: NodeJS.Timeout;
  private readonly message: readonly string[];

  constructor(
    private readonly libs: Libs,
    private readonly screen: Screen,
    private readonly o: WallboardOptions,
    private readonly quit: () => void,
    private readonly fail: (e: unknown) => void,
  ) {
    this.message = readOnlyMessage(o.rollbackCommand);
    this.overlay = libs.blessed.box({
      top: 'center',
      left: 'center',
      tags: true,
      border: { type: 'line' },
      style: { border: { fg: o.colour ? 'red' : undefined } },
      padding: { left: 1, right: 1 },
      label: ' R: read-only ',
      content: this.message.map((l) => libs.blessed.escape(l)).join('\n'),
    });
    this.overlay.hide();
    screen.append(this.overlay);
    screen.on('resize', () => this.draw());
    screen.on('keypress', (ch, key) => this.key(ch, key.full));
    this.clock = setInterval(() => {
      this.o.feed.check();
      this.draw();
    }, 1000);
  }

  /** New journal events: one redraw for a burst of them. */
  changed(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, 30);
  }

  private key(ch: string | undefined, full: string): void {
    if (full === 'q' || full === 'C-c' || full === 'escape') return this.quit();
    if (ch === 'R' || full === 'S-r') {
      // sized when shown: the terminal may have been resized since; long lines wrap inside it
      const width = Math.min(this.screen.cols - 2, Math.max(...this.message.map((l) => l.length)) + 4);
      Object.assign(this.overlay, { width, height: this.message.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / (width - 4))), 2) });
      this.overlay.show();
      this.overlay.setFront();
      clearTimeout(this.overlayTimer);
      this.overlayTimer = setTimeout(() => this.hideOverlay(), 30_000);
      this.lastFrame = '';
      return this.draw();
    }
    if (!this.overlay.hidden) this.hideOverlay();
  }

  private hideOverlay(): void {
    clearTimeout(this.overlayTimer);
    this.overlay.hide();
    this.lastFrame = '';
    this.draw();
  }

  private destroyWidgets(): void {
    const w = this.widgets;
    if (w) for (const el of [w.header, ...w.charts, w.noCharts, w.stages, w.triggers, w.incident, w.output]) el?.destroy();
    this.widgets = undefined;
    this.small?.destroy();
    this.small = undefined;
    this.layoutKey = '';
  }

  private box(r: Rect, label?: string, tags = true): BlessedElement {
    const el = this.libs.blessed.box({
      ...r,
      tags,
      wrap: false,
      label: label === undefined ? undefined : ` ${label} `,
      border: label === undefined ? undefined : { type: 'line', fg: this.o.colour ? 'cyan' : undefined },
      style: { label: { bold: true } },
    });
    this.screen.append(el);
    return el;
  }

  private build(l: Layout): Widgets {
    this.destroyWidgets();
    const charts = l.charts.length && this.o.rb.metrics ? l.charts.map((r) => this.chart(r)) : [];
    const w: Widgets = {
      layout: l,
      header: this.box(l.header),
      charts,
      noCharts: charts.length ? undefined : this.box(l.charts[0], 'Metrics'),
      stages: this.box(l.stages, 'Stages'),
      triggers: this.box(l.triggers, 'Triggers'),
      incident: this.box(l.incident, 'Incident · flags'),
      output: this.box(l.output, 'Output', false),
    };
    this.overlay.setFront();
    return w;
  }

  private chart(r: Rect): LineChart {
    const c = this.libs.line({
      ...r,
      label: ' ',
      border: { type: 'line', fg: this.o.colour ? 'cyan' : undefined },
      // no legend: blessed-contrib draws it over the right end of the plot, the newest samples;
      // the title names the levels instead
      showLegend: false,
      minY: 0,
      abbreviate: true,
      xPadding: 3,
      xLabelPadding: 3,
      style: { line: 'green', text: this.o.colour ? 'white' : 'normal', baseline: this.o.colour ? 'white' : 'normal', label: { bold: true } },
    });
    this.screen.append(c);
    return c;
  }

  /** Fills a chart: levels drawn first, so the value line wins where they cross. */
  private fillChart(c: LineChart, m: ChartModel | undefined, r: Rect, more: number): void {
    const room = labelRoom(r);
    const suffix = more ? ` +${more}` : '';
    const title = m ? (m.titles.find((t) => t.length + suffix.length <= room) ?? m.titles[m.titles.length - 1]) + suffix : '';
    c.setLabel(` ${clip(title, room)} `);
    if (!m || m.x.length === 0) return c.clear(); // no samples (yet, or in a session that replaced the one drawn)
    // the chart's canvas is 4 pixels a row, its x axis and labels take 19 of them (blessed-contrib line.js)
    const plotRows = Math.floor((r.height * 4 - 8 - 11) / 4);
    const labels = Math.max(2, Math.min(5, Math.floor(plotRows / 2) + 1));
    const scale = yScale(m.peak, labels);
    Object.assign((c as unknown as { options: Record<string, unknown> }).options, { maxY: scale.max, numYLabels: labels });
    const colour = (tone: string) => (this.o.colour ? (tone === 'value' ? TONE_LINE[m.band] : tone === 'warn' ? 'yellow' : 'red') : 'normal');
    const [value, ...levels] = m.lines;
    c.setData([...levels, value].map((l) => ({ title: l.title, x: [...m.x], y: [...l.y], style: { line: colour(l.tone) } })));
  }

  /** Redraws; a failure ends the wallboard with its message (never a stack trace over a raw terminal). */
  draw(): void {
    try {
      this.drawNow();
    } catch (e) {
      this.fail(e);
    }
  }

  private drawNow(): void {
    const { cols, rows } = this.screen;
    const small = tooSmall(cols, rows);
    if (small) {
      if (!this.small) {
        this.destroyWidgets();
        this.small = this.libs.blessed.box({ top: 'center', left: 'center', width: '100%', height: small.length, align: 'center' });
        this.screen.append(this.small);
        this.overlay.setFront();
      }
      this.small.setContent(small.join('\n'));
      return this.render(`small ${cols}x${rows} ${this.overlay.hidden}`);
    }
    const feed = this.o.feed;
    const view = feed.view();
    const m = wallboardModel(this.o.rb, feed.state, view, sessionNow(feed.state, view.live, feed.lastEvent, Date.now()));
    const big = bigText(m.status.word, this.libs.font);
    const l = layout(cols, rows, {
      series: m.charts.length,
      panelRows: Math.max(m.stages.length, m.triggers.length, 1 + m.flags.length + m.incident.lines.length),
      bigWidth: big[0]?.length ?? 0,
      bigRows: big.length,
    });
    const key = JSON.stringify(l);
    if (!this.widgets || key !== this.layoutKey) {
      this.widgets = this.build(l);
      this.layoutKey = key;
      this.lastFrame = '';
    }
    this.fill(this.widgets, m, big);
  }

  private fill(w: Widgets, m: WallboardModel, big: readonly string[]): void {
    const l = w.layout;
    const paint = painter(this.o.colour, m.status.tone);
    const esc = (s: string) => this.libs.blessed.escape(s);
    const inner = (r: Rect) => ({ width: r.width - 2, height: r.height - 2 });
    const header = [...(l.big ? big.map((b) => ` ${paint(m.status.tone, esc(b))}`) : []), ...headerLines(m, l.header.width, paint, esc)];
    const output = m.output ? tailLines(this.tail.read(this.o.feed.logFile(m.output.logPath), inner(l.output).height), inner(l.output).height) : [];
    const texts: [BlessedElement, string][] = [
      [w.header, header.join('\n')],
      [w.stages, stageLines(m, inner(l.stages).width, inner(l.stages).height, paint, esc).join('\n')],
      [w.triggers, triggerLines(m, inner(l.triggers).width, inner(l.triggers).height, paint, esc).join('\n')],
      [w.incident, incidentLines(m, inner(l.incident).width, inner(l.incident).height, paint, esc).join('\n')],
      [w.output, output.map((x) => clip(x, inner(l.output).width)).join('\n') || (m.output ? '' : 'no step has run yet')],
    ];
    const labels = {
      triggers: `Triggers · ${m.armed ? 'armed' : 'not armed'}`,
      output: m.output ? `Output · ${m.output.title} · ${m.output.status}` : 'Output',
    };
    const frame = JSON.stringify([texts.map(([, t]) => t), labels, m.charts, this.overlay.hidden]);
    if (frame === this.lastFrame) return;
    for (const [el, text] of texts) el.setContent(text);
    w.triggers.setLabel(` ${clip(labels.triggers, labelRoom(l.triggers))} `);
    w.output.setLabel(` ${clip(labels.output, labelRoom(l.output))} `);
    w.noCharts?.setContent(paint('muted', 'no metric series in this runbook'));
    w.charts.forEach((c, i) => this.fillChart(c, m.charts[i], l.charts[i], i === w.charts.length - 1 ? l.hiddenCharts : 0));
    this.render(frame);
  }

  private render(frame: string): void {
    if (frame === this.lastFrame) return;
    this.lastFrame = frame;
    this.screen.render();
  }

  close(): void {
    clearInterval(this.clock);
    clearTimeout(this.pending);
    clearTimeout(this.overlayTimer);
  }
}

/** Opens the screen and runs the wallboard until q / Ctrl+C / Escape (or SIGTERM, SIGHUP); resolves 0. */
export async function runWallboard(o: WallboardOptions): Promise<number> {
  const libs = loadLibs();
  const kept: string[] = [];
  const screen = quietly(() => libs.blessed.screen({ smartCSR: true, fullUnicode: true, forceUnicode: true, title: 'cockpit wallboard', warnings: false, autoPadding: true }), kept);
  // borders in UTF-8 box drawing, not the terminal's alternate character set (some terminals and
  // tmux's capture show ACS as "lqqk")
  screen.tput.brokenACS = true;
  screen.program.hideCursor();
  return await new Promise<number>((resolve) => {
    let wb: Wallboard | undefined;
    let done = false;
    const feed = o.feed;
    feed.onChange(() => wb?.changed());
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      wb?.close();
      feed.close();
      for (const s of SIGNALS) process.off(s, onSignal);
      try {
        screen.destroy();
      } catch {
        // the terminal went away (SIGHUP): nothing to restore
      }
      if (process.env.COCKPIT_DEBUG) for (const line of kept) process.stderr.write(`${line}\n`);
      if (error !== undefined) {
        process.stderr.write(`cockpit: the wallboard stopped: ${(error as Error).message ?? String(error)}\n`);
        if (process.env.COCKPIT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      }
      resolve(error === undefined ? 0 : 1);
    };
    const onSignal = () => finish();
    for (const s of SIGNALS) process.on(s, onSignal);
    wb = new Wallboard(libs, screen, o, finish, finish);
    wb.draw();
  });
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
