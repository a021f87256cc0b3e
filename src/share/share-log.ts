/**
 * What a shared session has said, in order, for every follower (share/server.ts): each journal
 * event and each batch of step output, numbered 1, 2, 3 … A follower that reconnects asks for
 * everything after the last id it has (`since`). Journal events are kept whole (a follower folds
 * them into the session's state); output is kept up to `outputBytes`, the oldest given up first,
 * its place kept as a `dropped` message under the same id, so ids stay contiguous.
 */
import type { SessionEvent } from '../core/events.js';
import type { ShareMessage, ShareOutput } from './protocol.js';

/** Output kept for followers that connect late or reconnect (the screen keeps 2,000 lines a step). */
export const OUTPUT_BYTES = 8 * 1024 * 1024;

type Listener = (m: ShareMessage) => void;

export class ShareLog {
  private readonly messages: ShareMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private outputBytes = 0;
  /** The oldest message that may still hold output (everything before it was given up). */
  private firstOutput = 0;

  constructor(private readonly maxOutputBytes = OUTPUT_BYTES) {}

  get last(): number {
    return this.messages.length;
  }

  journal(event: SessionEvent): void {
    this.add({ id: this.last + 1, kind: 'journal', event });
  }

  output(output: ShareOutput): void {
    const bytes = output.lines.reduce((n, l) => n + l.length + 1, 0);
    this.add({ id: this.last + 1, kind: 'output', output });
    this.outputBytes += bytes;
    // a flood gives up the oldest output: its lines are counted where they were
    while (this.outputBytes > this.maxOutputBytes && this.firstOutput < this.messages.length) {
      const m = this.messages[this.firstOutput];
      if (m.kind === 'output') {
        this.outputBytes -= m.output.lines.reduce((n, l) => n + l.length + 1, 0);
        this.messages[this.firstOutput] = { id: m.id, kind: 'dropped', lines: m.output.lines.length };
      }
      this.firstOutput++;
    }
  }

  /** Every message after id `after` (0: all), in order. */
  since(after: number): readonly ShareMessage[] {
    return this.messages.slice(Math.max(0, Math.min(after, this.messages.length)));
  }

  /** Tells `fn` each message from now on; returns the unsubscribe. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private add(m: ShareMessage): void {
    this.messages.push(m);
    for (const l of this.listeners) l(m);
  }
}
