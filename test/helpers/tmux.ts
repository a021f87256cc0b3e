/**
 * A small tmux driver for end-to-end tests of the cockpit screen: start a command in its own
 * detached tmux session of a fixed size, read the screen as a person would, type keys, resize.
 *
 * Everything waits for screen content against a deadline (polling `capture-pane`); nothing sleeps
 * a fixed time and hopes. The one timed wait is `gap(ms)`: "at least ms since the previous key",
 * which is the product's own rule for destructive confirmations (≥ 300 ms).
 *
 * Sessions live on a private tmux server (`-L <socket>`), so tests never touch the user's tmux.
 * The pane runs `CMD; echo "[exit $?]"` with remain-on-exit on, so the exit status and whatever
 * was printed stay readable after the command ends.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stillSpinner } from './spinner.js';

/** One private tmux server for this test process. */
export const TMUX_SOCKET = `cockpit-e2e-${process.pid}`;

/**
 * A wait captures the screen every POLL_MS for its first POLL_FAST_FOR_MS, then every POLL_SLOW_MS:
 * each capture is a tmux client process (~10 ms of CPU with the server's share), and two e2e
 * workers polling at 25 a second spent a good part of a core on it over a long demo. Screens that
 * come at once are still seen at once; a state that lasts seconds (a PENDING window) still is.
 */
const POLL_MS = 40;
const POLL_FAST_FOR_MS = 1000;
const POLL_SLOW_MS = 120;
const UNSETTLED_MS = 500;
const DEFAULT_TIMEOUT_MS = 10_000;
/** The line the pane's shell prints once the command has ended (see start). */
const EXIT_LINE = /\[exit (\d+)\]/;

export function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', TMUX_SOCKET, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** tmux(), without blocking the worker (other tests in it go on while tmux answers). */
function tmuxAsync(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', TMUX_SOCKET, ...args], { encoding: 'utf8' }, (e, out) => (e ? reject(e) : resolve(out)));
  });
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Single-quotes a word for sh. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export type StartOptions = {
  readonly cols: number;
  readonly rows: number;
  /** Extra variables for the pane (`-e K=V`), on top of CI=false, LANG, TERM. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory of the pane. */
  readonly cwd?: string;
  /** A prefix for the session name (the name gets a unique suffix). */
  readonly name?: string;
};

export type Probe = string | RegExp | ((screen: string) => boolean);

/** What a capture keeps: SGR sequences, that many lines of scrollback, the spinner as drawn. */
export type CaptureOptions = { readonly escapes?: boolean; readonly history?: number; readonly spinning?: boolean };

function matches(screen: string, p: Probe): boolean {
  if (typeof p === 'string') return screen.includes(p);
  if (p instanceof RegExp) return p.test(screen);
  return p(screen);
}

function describe(p: Probe): string {
  return typeof p === 'string' ? JSON.stringify(p) : p instanceof RegExp ? String(p) : p.name || 'a condition';
}

export class TmuxSession {
  /** The time of the last key sent (Date.now()). */
  private lastKeyAt = 0;
  private lastSeenAt = 0;
  private killed = false;

  private constructor(readonly name: string) {}

  /** Starts `command` (a sh command line) in a new detached session. */
  static start(command: string, o: StartOptions): TmuxSession {
    const name = `${o.name ?? 'cockpit'}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const env = { CI: 'false', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...o.env };
    const args = ['new-session', '-d', '-s', name, '-x', String(o.cols), '-y', String(o.rows)];
    if (o.cwd) args.push('-c', o.cwd);
    for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
    // the shell exits with the command's status too: the pane's dead status says it when the
    // screen does not (a full-screen program's last frame can hide the echo: seen once in CI)
    args.push(`${command}; s=$?; echo "[exit $s]"; exit $s`);
    // remain-on-exit in the same server command queue: set before the command can possibly end
    const all = [...args, ';', 'set-option', '-t', name, 'remain-on-exit', 'on', ';', 'set-option', '-t', name, 'history-limit', '5000'];
    for (let attempt = 1; ; attempt++) {
      try {
        tmux(...all);
        break;
      } catch (e) {
        // the previous test killed the server's last session: a server on its way out refuses the
        // new session ("server exited unexpectedly"); the next attempt starts a new server
        if (attempt >= 5 || !String((e as Error).message).includes('server exited unexpectedly')) throw e;
        execFileSync('sleep', ['0.1']);
      }
    }
    return new TmuxSession(name);
  }

  /**
   * The visible screen, lines joined by \n. `history`: also that many lines of scrollback, with
   * lines the terminal wrapped joined again (what was printed, not how it wrapped). The running
   * step's spinner reads as the static running icon (helpers/spinner.ts); `spinning`: as drawn.
   */
  screen(o: CaptureOptions = {}): string {
    return this.read(tmux(...this.captureArgs(o)), o);
  }

  private captureArgs(o: CaptureOptions): string[] {
    const args = ['capture-pane', '-p', '-t', this.name];
    if (o.escapes) args.push('-e');
    if (o.history) args.push('-J', '-S', String(-o.history));
    return args;
  }

  private read(captured: string, o: CaptureOptions): string {
    const screen = captured.replace(/\n$/, '');
    return o.spinning ? screen : stillSpinner(screen);
  }

  /** screen(), without blocking the worker. */
  private async capture(o: CaptureOptions): Promise<string> {
    return this.read(await tmuxAsync(...this.captureArgs(o)), o);
  }

  lines(): string[] {
    return this.screen().split('\n');
  }

  /** Waits until the screen (or screen + scrollback) satisfies the probe; returns it. */
  async waitFor(p: Probe, o: CaptureOptions & { timeoutMs?: number } = {}): Promise<string> {
    const start = Date.now();
    const end = start + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let screen: string;
    let matchingSince: number | undefined;
    for (;;) {
      screen = await this.capture(o);
      // a frame caught while the program is still drawing it is not a screen a person sees:
      // only a capture that a second one, a moment later, repeats exactly is judged. A screen that
      // changes between any two captures never repeats (a 250 ms sparkline on a loaded machine,
      // where one capture took a second: a 4 s PENDING was missed): once the probe has matched
      // for UNSETTLED_MS, the later of two matching captures is judged (Ink draws a frame in one
      // write, which tmux applies whole)
      if (matches(screen, p)) {
        matchingSince ??= Date.now();
        await sleep(15);
        const again = await this.capture(o);
        if (again === screen || (matches(again, p) && Date.now() - matchingSince >= UNSETTLED_MS)) {
          this.lastSeenAt = Date.now();
          return again;
        }
        continue;
      }
      matchingSince = undefined;
      if (Date.now() > end) throw new Error(`timed out waiting for ${describe(p)} in tmux session ${this.name}; the screen was:\n${screen}`);
      await sleep(Date.now() - start < POLL_FAST_FOR_MS ? POLL_MS : POLL_SLOW_MS);
    }
  }

  /** Waits until the probe no longer matches. */
  async waitForGone(p: Probe, o: { timeoutMs?: number } = {}): Promise<string> {
    return this.waitFor((s) => !matches(s, p), o);
  }

  /** Sends keys by tmux name (Enter, Escape, Space, C-c, Up ...) or literal characters. */
  keys(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
    this.lastKeyAt = Date.now();
  }

  /** Types text literally (one write: the program may see it as one burst, like a paste). */
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text);
    this.lastKeyAt = Date.now();
  }

  /**
   * Waits until at least `ms` have passed since the previous key and since the screen last showed
   * what a wait asked for (the confirm guard's rule counts from the dialog's opening, which a loaded
   * machine may draw well after the key that opened it).
   */
  async gap(ms: number): Promise<void> {
    const left = Math.max(this.lastKeyAt, this.lastSeenAt) + ms - Date.now();
    if (left > 0) await sleep(left);
  }

  resize(cols: number, rows: number): void {
    tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  paneDead(): boolean {
    return tmux('display-message', '-p', '-t', this.name, '#{pane_dead}').trim() === '1';
  }

  /**
   * Waits for the command to end; resolves with its exit status: `[exit N]` on the screen, else the
   * pane's dead status (the same number: the shell exits with it). A CI run once ended a
   * wallboard (blessed, alternate screen) with its pane dead and the screen blank, no `[exit 0]`.
   */
  async waitForExit(o: { timeoutMs?: number } = {}): Promise<number> {
    const end = Date.now() + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    for (;;) {
      const screen = await this.capture({ history: 1000 });
      const shown = EXIT_LINE.exec(screen);
      if (shown) return Number(shown[1]);
      const [dead, status] = (await tmuxAsync('display-message', '-p', '-t', this.name, '#{pane_dead} #{pane_dead_status}')).trim().split(' ');
      if (dead === '1' && /^\d+$/.test(status ?? '')) {
        // it may have ended between the capture and the question: the screen, once more
        const last = await this.capture({ history: 1000 });
        if (EXIT_LINE.test(last)) continue;
        // said, so that the log shows how often it happens and what the screen was
        console.warn(`tmux session ${this.name}: the command exited ${status}, and the screen does not show it:\n${last}`);
        return Number(status);
      }
      if (Date.now() > end) throw new Error(`timed out waiting for the command to exit in tmux session ${this.name}; the screen was:\n${screen}`);
      await sleep(POLL_SLOW_MS);
    }
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    try {
      tmux('kill-session', '-t', this.name);
    } catch {
      // already gone
    }
  }
}
