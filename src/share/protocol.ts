/**
 * A shared session on the wire (`cockpit run --share`): Server-Sent Events over HTTP, GET only.
 *
 *   GET http://host:port/<token>          text/event-stream
 *
 * Every connection starts with one `hello` message (no id): the session, its runbook (compiled,
 * as the driver runs it) and who drives it. Then one message per journal event (`event: journal`,
 * the event as journalled) and per batch of step output (`event: output`, {stage, step, lines}),
 * in the order the driver saw them. Their ids are one sequence (1, 2, 3 …): a follower that
 * reconnects with `Last-Event-ID: n` gets every message after n, none twice and none missing.
 * Output dropped to keep the driver's memory bounded arrives as `event: dropped` ({lines}) under
 * the same id. A comment line (`: ping`) every PING_MS tells a follower the driver still lives.
 */
import type { SessionEvent } from '../core/events.js';
import type { Runbook } from '../runbook/types.js';

export const PROTOCOL_VERSION = 1;
/** How often the driver says it lives on an idle stream. */
export const PING_MS = 500;

export type ShareHello = {
  readonly v: number;
  readonly sessionId: string;
  readonly runbook: Runbook;
  readonly driver: { readonly user: string; readonly host: string; readonly pid: number };
  /** The last id so far: a follower that has it is up to date. */
  readonly last: number;
  /** A team's session: its lease on the git remote, which a follower whose stream is cut reads (share/lease-watch.ts). */
  readonly lease?: { readonly url: string; readonly ref: string; readonly token: number };
};

export type ShareOutput = { readonly stage: string; readonly step: string; readonly lines: readonly string[] };

export type ShareMessage =
  | { readonly id: number; readonly kind: 'journal'; readonly event: SessionEvent }
  | { readonly id: number; readonly kind: 'output'; readonly output: ShareOutput }
  | { readonly id: number; readonly kind: 'dropped'; readonly lines: number };

/** One SSE message: `data` is JSON (one line: JSON.stringify never writes a newline). */
export function sseFrame(event: string, data: string, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

/** A message of the stream as the driver writes it. */
export function encodeMessage(m: ShareMessage): string {
  if (m.kind === 'journal') return sseFrame('journal', JSON.stringify(m.event), m.id);
  if (m.kind === 'output') return sseFrame('output', JSON.stringify(m.output), m.id);
  return sseFrame('dropped', JSON.stringify({ lines: m.lines }), m.id);
}

/** One parsed SSE message: its fields as sent (the standard's rules: data lines joined by \n). */
export type SseEvent = { readonly id?: string; readonly event: string; readonly data: string };

/**
 * The SSE parser (the WHATWG rules a follower needs): lines end in \n, \r\n or \r; a blank line
 * ends a message; `:` starts a comment (`onComment`); unknown fields are ignored. Fed chunks as
 * they arrive, in any split.
 */
export class SseParser {
  private buf = '';
  private id: string | undefined;
  private event = '';
  private data: string[] = [];
  private sawCr = false;

  constructor(
    private readonly onEvent: (e: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => {},
  ) {}

  feed(chunk: string): void {
    let text = chunk;
    // a \r\n split between two chunks: the \n belongs to the line the \r ended
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    this.buf += text;
    const lines = this.buf.split(/\r\n|\r|\n/);
    this.buf = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.onComment(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(): void {
    const e: SseEvent = { ...(this.id === undefined ? {} : { id: this.id }), event: this.event || 'message', data: this.data.join('\n') };
    this.event = '';
    this.data = [];
    this.id = undefined;
    if (e.data !== '' || e.event !== 'message') this.onEvent(e);
  }
}

/** A share URL split into where to connect and the token, or why it is not one. */
export type ShareUrl = { readonly href: string; readonly host: string; readonly port: number; readonly path: string };

export function parseShareUrl(text: string): ShareUrl | string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `not a URL: ${text}`;
  }
  if (u.protocol === 'https:') return `${text}: https is not served by cockpit --share (plain HTTP with a token; put it behind ssh -L or a TLS proxy and give its http:// address)`;
  if (u.protocol !== 'http:') return `${text}: a shared session's URL starts with http://`;
  if (u.pathname.length <= 1) return `${text}: the URL has no token (cockpit run --share prints the whole URL)`;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { href: u.href, host, port: u.port ? Number(u.port) : 80, path: `${u.pathname}${u.search}` };
}

/** Whether a `cockpit watch`/`wallboard` argument is a shared session's URL rather than a runbook. */
export function isShareUrl(arg: string | undefined): arg is string {
  return arg !== undefined && /^https?:\/\//i.test(arg);
}

/** `--share`'s address: "host:port", ":port", "port", "host", "[::1]:port" or "" (127.0.0.1, a free port). */
export function parseShareAddress(text: string): { host: string; port: number } | string {
  const m = /^\d{1,5}$/.test(text) ? [text, '', text] : (/^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text) ?? /^([A-Za-z0-9.-]*)(?::(\d{1,5}))?$/.exec(text));
  const port = Number(m?.[2] ?? 0);
  if (!m || port > 65535) return `--share ${text}: expected host:port (127.0.0.1:7070, :7070 or 0.0.0.0:7070)`;
  return { host: m[1] || '127.0.0.1', port };
}
