/**
 * Output for the screen: the last lines of every step, fed by the controller's batches; a step
 * that ran before the screen knew it is read from the tail of its log file. The UI reads a version
 * number on its own (throttled) schedule, so there is never one state update per line.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openNoFollow } from '../core/safe-open.js';
import { LIVE_MIN_MS, readLive } from '../exec/live-line.js';
import type { Session } from '../session/session.js';

const TAIL_BYTES = 256 * 1024;

export class OutputStore {
  private readonly buffers = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();
  version = 0;
  /** Lines appended so far, every step together (the screen refreshes less often while they pour in). */
  appended = 0;
  private readonly off: () => void;
  /** The running step's log whose live line (exec/live-line.ts) is shown, what it said last, and its poll. */
  private liveLog: string | undefined;
  private liveText = '';
  private livePoll: NodeJS.Timeout | undefined;

  constructor(controller: Session, private readonly limit = 2000) {
    this.off = controller.onOutput((stage, step, lines) => this.append(`${stage}/${step}`, lines));
    controller.subscribe((_s, e) => {
      if (e.type === 'step.started') {
        // a new attempt starts a fresh view (the log file keeps every attempt)
        this.buffers.set(`${e.stage}/${e.step}`, []);
        this.bump();
      }
    });
  }

  private bump(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  append(key: string, lines: readonly string[]): void {
    this.appended += lines.length;
    if (lines.length >= this.limit) {
      // a flooding step hands over ~15,000 lines at a time: only the last `limit` can be shown
      this.buffers.set(key, lines.slice(-this.limit));
    } else {
      let buf = this.buffers.get(key);
      if (!buf) this.buffers.set(key, (buf = []));
      for (const l of lines) buf.push(l);
      if (buf.length > this.limit * 2) buf.splice(0, buf.length - this.limit);
    }
    // the live line may have just ended (it is in these lines): never shown twice
    if (this.liveLog !== undefined) this.liveText = readLive(this.liveLog);
    this.bump();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The last lines of a step: from memory, or from the tail of its log file. */
  lines(key: string, logPath?: string): readonly string[] {
    const buf = this.buffers.get(key);
    if (buf) return buf.length > this.limit ? buf.slice(-this.limit) : buf;
    if (!logPath) return [];
    const lines = readTail(logPath, this.limit);
    this.buffers.set(key, lines);
    return lines;
  }

  /**
   * The line the running step whose log is `logPath` is writing now (not ended yet: not in the log),
   * or '' (none, or no step running: undefined). Read again every LIVE_MIN_MS while asked for; a
   * change is a new version.
   */
  live(logPath: string | undefined): string {
    if (logPath !== this.liveLog) {
      this.liveLog = logPath;
      this.liveText = logPath === undefined ? '' : readLive(logPath);
    }
    if (logPath === undefined) {
      if (this.livePoll) clearInterval(this.livePoll);
      this.livePoll = undefined;
    } else if (!this.livePoll) {
      this.livePoll = setInterval(() => this.pollLive(), LIVE_MIN_MS);
      this.livePoll.unref();
    }
    return this.liveText;
  }

  private pollLive(): void {
    if (this.liveLog === undefined) return;
    const text = readLive(this.liveLog);
    if (text === this.liveText) return;
    this.liveText = text;
    this.bump();
  }

  close(): void {
    this.off();
    if (this.livePoll) clearInterval(this.livePoll);
    this.livePoll = undefined;
  }
}

export function readTail(path: string, maxLines: number): string[] {
  let fd: number | undefined;
  try {
    fd = openNoFollow(path, 'read');
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    let lines = buf.toString('utf8').split('\n');
    if (start > 0) lines = lines.slice(1);
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-maxLines);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
