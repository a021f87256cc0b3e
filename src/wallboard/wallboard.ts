/**
 * cockpit wallboard's screen: the panels (panels.ts) laid out for the terminal's size (layout.ts)
 * and filled from the pure view model (model.ts) on every batch of journal events and on a 1 s
 * clock, redrawn only when what they show changed. Read-only: q / Ctrl+C / Escape quit, and R
 * only says how to roll back.
 */
import type { Runbook } from '../runbook/types.js';
import { bigText } from './big-text.js';
import { loadLibs, openScreen, type Libs } from './blessed-load.js';
import type { BlessedElement, Screen } from './blessed-types.js';
import type { WallboardFeed } from './feed.js';
import { layout, tooSmall } from './layout.js';
import { readOnlyMessage, sessionNow, wallboardModel } from './model.js';
import { Panels } from './panels.js';
import { errorMessage } from '../core/error-message.js';

export type WallboardOptions = {
  readonly rb: Runbook;
  readonly feed: WallboardFeed;
  /** The command that rolls back (`cockpit rollback path/to/runbook`), for R's message. */
  readonly rollbackCommand: string;
  readonly colour: boolean;
};

/** How long R's message stays unless a key closes it. */
const MESSAGE_MS = 30_000;

export class Wallboard {
  private panels: Panels | undefined;
  private small: BlessedElement | undefined;
  private readonly overlay: BlessedElement;
  private readonly message: readonly string[];
  private lastFrame = '';
  private pending: NodeJS.Timeout | undefined;
  private overlayTimer: NodeJS.Timeout | undefined;
  private readonly clock: NodeJS.Timeout;

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
    // the timers (incident, pending trigger, stage elapsed) and the lock (a newer session) once a second
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
      // sized when shown (the terminal may have been resized since); long lines wrap inside it
      const width = Math.min(this.screen.cols - 2, Math.max(...this.message.map((l) => l.length)) + 4);
      Object.assign(this.overlay, { width, height: this.message.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / (width - 4))), 2) });
      this.overlay.show();
      this.overlay.setFront();
      clearTimeout(this.overlayTimer);
      this.overlayTimer = setTimeout(() => this.hideOverlay(), MESSAGE_MS);
      return this.draw();
    }
    if (!this.overlay.hidden) this.hideOverlay();
  }

  private hideOverlay(): void {
    clearTimeout(this.overlayTimer);
    this.overlay.hide();
    this.draw();
  }

  private clear(): void {
    this.panels?.destroy();
    this.panels = undefined;
    this.small?.destroy();
    this.small = undefined;
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
        this.clear();
        this.small = this.libs.blessed.box({ top: 'center', left: 'center', width: '100%', height: small.length, align: 'center' });
        this.screen.append(this.small);
        this.overlay.setFront();
      }
      this.small.setContent(small.join('\n'));
      return this.render(JSON.stringify([small, this.overlay.hidden]));
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
    if (!this.panels || JSON.stringify(l) !== JSON.stringify(this.panels.layout)) {
      this.clear();
      this.panels = new Panels(this.libs, this.screen, l, this.o.colour, m.charts.length);
      this.overlay.setFront();
      this.lastFrame = '';
    }
    const lines = l.output.height - 2;
    const output = m.output ? feed.output(m.output.logPath, lines, m.output.running) : [];
    const texts = this.panels.texts(m, big, output);
    const frame = JSON.stringify([texts, m.charts, this.overlay.hidden]);
    if (frame === this.lastFrame) return;
    this.panels.fill(m, texts);
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

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];

/** Opens the screen and runs the wallboard until q / Ctrl+C / Escape (or SIGTERM, SIGHUP): 0, or 1 when drawing failed. */
export async function runWallboard(o: WallboardOptions): Promise<number> {
  const libs = loadLibs();
  const kept: string[] = [];
  const screen = openScreen(libs, kept);
  return await new Promise<number>((resolve) => {
    let wb: Wallboard | undefined;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      wb?.close();
      o.feed.close();
      for (const s of SIGNALS) process.off(s, onSignal);
      try {
        screen.destroy();
      } catch {
        // the terminal went away (SIGHUP): nothing to restore
      }
      if (process.env.COCKPIT_DEBUG) for (const line of kept) process.stderr.write(`${line}\n`);
      if (error !== undefined) {
        process.stderr.write(`cockpit: the wallboard stopped: ${errorMessage(error)}\n`);
        if (process.env.COCKPIT_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      }
      resolve(error === undefined ? 0 : 1);
    };
    const onSignal = () => finish();
    for (const s of SIGNALS) process.on(s, onSignal);
    o.feed.onChange(() => wb?.changed());
    wb = new Wallboard(libs, screen, o, () => finish(), finish);
    wb.draw();
  });
}
