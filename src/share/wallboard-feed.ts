/**
 * `cockpit wallboard URL`: the wallboard's feed (wallboard/feed.ts WallboardFeed) from a shared
 * session's stream instead of a local journal: the same fold of the same events, and each step's
 * output from the stream (the last lines of each, as the local feed reads them from its log). The
 * session is live while the stream is up or reconnecting; once nothing listens at the URL, or (a
 * team's session, its stream cut) its lease shows nobody drives it, and the session has not ended,
 * it is not live any more (the wallboard says STOPPED, or HANDED OVER: session/view/phase-words.ts).
 */
import type { SessionEvent } from '../core/events.js';
import { foldExternal } from '../session/follow.js';
import { initialState, type SessionState } from '../session/reduce.js';
import type { WallboardFeed } from '../wallboard/feed.js';
import type { SessionView } from '../wallboard/model.js';
import { tailLines } from '../wallboard/model-output.js';
import type { ShareHello, ShareMessage, ShareUrl } from './protocol.js';
import { LeaseWatch } from './lease-watch.js';
import { connectStream, type LinkState, type ShareStream } from './stream.js';

/** Lines kept a step: more than a wallboard's output panel shows. */
const KEEP_LINES = 500;

export class RemoteWallboardFeed implements WallboardFeed {
  private current: SessionState;
  private last: SessionEvent | undefined;
  private endedAt: number | undefined;
  private link: LinkState = { state: 'up' };
  private readonly lines = new Map<string, string[]>();
  /** A step's log path (as its driver named it) → its key in `lines`. */
  private readonly logs = new Map<string, string>();
  private listener: () => void = () => undefined;
  private readonly lease: LeaseWatch | undefined;
  private leaseGone = false;

  constructor(
    readonly hello: ShareHello,
    private readonly stream: ShareStream,
  ) {
    this.current = initialState(hello.runbook);
    this.lease = hello.lease
      ? new LeaseWatch(hello.lease, (v) => {
          if (!('gone' in v) || this.leaseGone) return;
          this.leaseGone = true;
          this.listener();
        })
      : undefined;
  }

  /** Connects to `url`: the feed once the stream's hello came (with what came after it), or why not. */
  static connect(url: ShareUrl): Promise<RemoteWallboardFeed | string> {
    return connectStream(url, (h, stream) => {
      const feed = new RemoteWallboardFeed(h, stream);
      return { value: feed, onMessage: (m) => feed.apply(m), onLink: (l) => feed.setLink(l) };
    });
  }

  private apply(m: ShareMessage): void {
    if (m.kind === 'journal') {
      const e = m.event;
      this.current = foldExternal(this.current, e) ?? this.current;
      this.last = e;
      if (e.type === 'session.ended') {
        this.endedAt = e.at;
        this.stream.endedHere();
      }
      if (e.type === 'step.started') {
        const key = `${e.stage}/${e.step}`;
        if (e.logPath) this.logs.set(e.logPath, key);
        this.lines.set(key, []);
      }
    } else if (m.kind === 'output') {
      const key = `${m.output.stage}/${m.output.step}`;
      const kept = this.lines.get(key) ?? [];
      kept.push(...m.output.lines);
      this.lines.set(key, kept.length > KEEP_LINES * 2 ? kept.slice(-KEEP_LINES) : kept);
    }
    this.listener();
  }

  private setLink(l: LinkState): void {
    this.link = l;
    // while the stream is cut, the lease tells whether the driver lives (a team's session)
    this.lease?.follow(l);
    if (l.state === 'up') this.leaseGone = false;
    this.listener();
  }

  get state(): SessionState {
    return this.current;
  }

  get lastEvent(): SessionEvent | undefined {
    return this.last;
  }

  view(): SessionView {
    const outcome = this.current.outcome;
    return { id: this.hello.sessionId, live: outcome === undefined && this.link.state !== 'refused' && !this.leaseGone, outcome, lastAt: this.endedAt ?? this.last?.at };
  }

  /** The stream says what changed as it comes: nothing to look at. */
  check(): boolean {
    return false;
  }

  output(logPath: string, max: number): string[] {
    const key = this.logs.get(logPath);
    return key ? tailLines(this.lines.get(key) ?? [], max) : [];
  }

  onChange(fn: () => void): void {
    this.listener = fn;
  }

  close(): void {
    this.stream.stop();
    this.lease?.close();
  }
}
