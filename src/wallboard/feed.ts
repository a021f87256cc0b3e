/**
 * The wallboard's one input: a session's journal, folded into its state as it grows. It shows the
 * session a live cockpit drives, else the latest one (ended, or stopped without an end); a session
 * a cockpit starts later replaces it, so a war-room screen left on between releases picks the next
 * one up. Read-only: it never writes under the state directory.
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { SessionEvent } from '../core/events.js';
import type { Runbook } from '../runbook/types.js';
import { driverOf, foldExternal, followJournal, latestSession, liveSession, lockHolder, type SessionInfo } from '../session/follow.js';
import { holderAlive } from '../session/lock-holder.js';
import { initialState, type SessionState } from '../session/reduce.js';
import { readLive } from '../exec/live-line.js';
import { LogTail } from './log-tail.js';
import { tailLines } from './model-output.js';
import type { SessionView } from './model.js';

/** How often the journal's size is looked at: new events show within this. */
const POLL_MS = 200;

/** What the wallboard shows a session from: a local journal (SessionFeed) or a shared session's stream (share/wallboard-feed.ts). */
export interface WallboardFeed {
  readonly state: SessionState;
  /** The last event folded (its wall and session times map the clock for a live session). */
  readonly lastEvent: SessionEvent | undefined;
  view(): SessionView;
  /** Looks whether what is shown changed source or driver (once a second); true when it did. */
  check(): boolean;
  /** The last `max` lines of a step's output (by its log path), its live line after them while it runs. */
  output(logPath: string, max: number, running: boolean): string[];
  /** Called after each batch of new events is folded. */
  onChange(fn: () => void): void;
  close(): void;
}

export class SessionFeed implements WallboardFeed {
  private info!: SessionInfo;
  private current!: SessionState;
  private last: SessionEvent | undefined;
  /** Wall time of session.ended: the ENDED time (records written after it do not move it). */
  private endedAt: number | undefined;
  private ranRunbook: string | undefined;
  private driverPid: number | undefined;
  private stop: (() => void) | undefined;
  private listener: () => void = () => undefined;
  private readonly tail = new LogTail();

  private constructor(
    private readonly rb: Runbook,
    private readonly root: string,
  ) {}

  /** The feed of the session to show (its journal so far already folded), or undefined when the state directory has none. */
  static open(rb: Runbook, root: string): SessionFeed | undefined {
    const info = liveSession(root) ?? latestSession(root);
    if (!info) return undefined;
    const feed = new SessionFeed(rb, root);
    feed.follow(info);
    return feed;
  }

  /** Called after each batch of new events is folded. */
  onChange(fn: () => void): void {
    this.listener = fn;
  }

  private follow(info: SessionInfo): void {
    this.stop?.();
    this.info = info;
    this.current = initialState(this.rb);
    this.last = undefined;
    this.endedAt = undefined;
    this.ranRunbook = info.started?.runbook;
    this.driverPid = info.driverPid;
    this.stop = followJournal(
      info.journalPath,
      (events) => {
        for (const e of events) {
          this.current = foldExternal(this.current, e) ?? this.current;
          if (e.type === 'session.ended') this.endedAt = e.at;
          if (e.type === 'session.started') this.ranRunbook = e.runbook;
        }
        this.last = events.at(-1);
        this.listener();
      },
      POLL_MS,
    );
  }

  /**
   * Looks at the lock (once a second): a session another cockpit now drives replaces the one
   * shown; a driver that died makes the shown session no longer live. True when something changed.
   */
  check(): boolean {
    const holder = lockHolder(this.root);
    if (holder?.sessionId && holder.sessionId !== this.info.id && holder.pid && holderAlive(holder)) {
      const dir = join(this.root, 'sessions', holder.sessionId);
      this.follow({ id: holder.sessionId, dir, journalPath: join(dir, 'journal.jsonl'), driverPid: holder.pid });
      return true;
    }
    if (this.driverPid !== undefined) {
      // the same rule as cockpit watch: the lock names this session and its holder lives (a
      // background guard that took the session over drives it too)
      const pid = driverOf(holder, this.info.id);
      if (pid !== this.driverPid) {
        this.driverPid = pid;
        return true;
      }
    }
    return false;
  }

  get state(): SessionState {
    return this.current;
  }

  /** The last event folded (its wall and session times map the clock for a live session). */
  get lastEvent(): SessionEvent | undefined {
    return this.last;
  }

  get sessionDir(): string {
    return this.info.dir;
  }

  view(): SessionView {
    const outcome = this.current.outcome;
    return {
      id: this.info.id,
      live: outcome === undefined && this.driverPid !== undefined,
      outcome,
      lastAt: this.endedAt ?? this.last?.at ?? this.info.lastAt,
      otherRunbook: this.ranRunbook && this.ranRunbook !== this.rb.name ? this.ranRunbook : undefined,
    };
  }

  /** A step's log file: the journal names it as its driver saw it; a relative or moved state directory still has it beside the journal. */
  logFile(logPath: string): string {
    const beside = join(this.info.dir, basename(logPath));
    return !isAbsolute(logPath) || (!existsSync(logPath) && existsSync(beside)) ? beside : logPath;
  }

  output(logPath: string, max: number, running: boolean): string[] {
    const file = this.logFile(logPath);
    return tailLines(this.tail.read(file, max), max, running ? readLive(file) : '');
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
