/**
 * A follower's end of a shared session (share/protocol.ts): connects, hands over the hello and
 * every message once, in order, and reconnects when the stream is cut, from the last id it has
 * (Last-Event-ID), so that nothing is missed and nothing comes twice. A stream silent for
 * SILENT_MS (the driver pings every PING_MS) counts as cut. What it knows of the link goes to
 * `onLink`: up, cut (reconnecting), or refused (nothing listens at the URL any more: the driving
 * cockpit is gone, or a different one answers).
 */
import { request, type ClientRequest } from 'node:http';
import { leaseInfoOf } from './lease-watch.js';
import type { SessionEvent } from '../core/events.js';
import { errorMessage } from '../core/error-message.js';
import { PING_MS, PROTOCOL_VERSION, SseParser, type ShareHello, type ShareMessage, type ShareUrl, type SseEvent } from './protocol.js';

/** No byte for this long: the stream is cut (a ping is due every PING_MS). */
export const SILENT_MS = 3 * PING_MS;
const RETRY_MS = [100, 250, 500, 1000];
/** How long a follower's first connection may take before it gives up. */
export const CONNECT_MS = 5000;

export type LinkState =
  | { readonly state: 'up' }
  | { readonly state: 'cut'; readonly since: number; readonly why: string }
  | { readonly state: 'refused'; readonly since: number; readonly why: string };

export type StreamHandlers = {
  onHello(h: ShareHello): void;
  onMessage(m: ShareMessage): void;
  onLink(l: LinkState): void;
};

/** A hello as the stream must carry it, or why it is not one (a server that is not a cockpit's). */
export function checkHello(data: string): ShareHello | string {
  let h: Partial<ShareHello>;
  try {
    h = JSON.parse(data) as Partial<ShareHello>;
  } catch {
    return 'its hello is not JSON';
  }
  if (h.v !== PROTOCOL_VERSION) return `it speaks version ${String(h.v)} of the share protocol, this cockpit ${PROTOCOL_VERSION}`;
  const rb = h.runbook as Partial<ShareHello['runbook']> | undefined;
  if (typeof h.sessionId !== 'string' || !rb || typeof rb.name !== 'string' || !Array.isArray(rb.stages) || typeof h.last !== 'number' || typeof h.driver?.pid !== 'number') return 'its hello lacks the session or its runbook';
  // a lease named in a form not taken (lease-watch.ts) is left out: the stream alone tells
  const { lease, ...rest } = h as ShareHello;
  const ok = lease === undefined ? undefined : leaseInfoOf(lease);
  return ok ? { ...rest, lease: ok } : rest;
}

/** A stream message as sent, or undefined for one that is not (skipped: the rest still counts). */
export function messageOf(e: SseEvent): ShareMessage | undefined {
  const id = Number(e.id);
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  try {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    if (e.event === 'journal' && typeof data.type === 'string') return { id, kind: 'journal', event: data as unknown as SessionEvent };
    if (e.event === 'output' && typeof data.stage === 'string' && typeof data.step === 'string' && Array.isArray(data.lines))
      return { id, kind: 'output', output: { stage: data.stage, step: data.step, lines: data.lines.map(String) } };
    if (e.event === 'dropped' && typeof data.lines === 'number') return { id, kind: 'dropped', lines: data.lines };
  } catch {
    /* not JSON */
  }
  return undefined;
}

export class ShareStream {
  private lastId = 0;
  private req: ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastByte = 0;
  private attempt = 0;
  private stopped = false;
  private session: string | undefined;
  private link: LinkState = { state: 'up' };
  private ended = false;

  constructor(
    private readonly url: ShareUrl,
    private readonly h: StreamHandlers,
  ) {}

  /** The last id handed over. */
  get last(): number {
    return this.lastId;
  }

  /** Messages handed over, and ids skipped on the way (a driver that lost them: none should be). */
  readonly counts = { received: 0, skipped: 0 };

  start(): void {
    this.connect();
    this.timer = setInterval(() => {
      if (this.req && Date.now() - this.lastByte > SILENT_MS) this.cut(this.req, `no word from the driver for ${SILENT_MS / 1000} s`);
    }, PING_MS / 2);
    this.timer.unref();
  }

  /** The session has ended: a stream that closes now is its natural end, not a cut. */
  endedHere(): void {
    this.ended = true;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.req?.destroy();
    this.req = undefined;
  }

  private setLink(l: LinkState): void {
    if (l.state === this.link.state && (l.state === 'up' || ('why' in this.link && this.link.why === l.why))) return;
    if (l.state !== 'up' && this.link.state !== 'up') l = { ...l, since: this.link.since };
    this.link = l;
    this.h.onLink(l);
  }

  private connect(): void {
    if (this.stopped) return;
    this.lastByte = Date.now();
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (this.lastId > 0) headers['Last-Event-ID'] = String(this.lastId);
    const req = request({ host: this.url.host, port: this.url.port, path: this.url.path, method: 'GET', headers });
    this.req = req;
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        if (res.statusCode === 503) return this.cut(req, 'the session is opening');
        return this.refused(req, res.statusCode === 401 ? 'it answers 401: the token is not its session’s (a different cockpit now listens there)' : `it answers HTTP ${res.statusCode}`);
      }
      res.setEncoding('utf8');
      const parser = new SseParser((e) => req === this.req && this.onEvent(req, e));
      res.on('data', (chunk: string) => {
        this.lastByte = Date.now();
        parser.feed(chunk);
      });
      res.on('end', () => this.cut(req, 'the driver ended the stream'));
      res.on('error', (e) => this.cut(req, errorMessage(e)));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? this.refused(req, 'connection refused: nothing listens there any more') : this.cut(req, e.code ?? errorMessage(e))));
    req.end();
  }

  private onEvent(req: ClientRequest, e: SseEvent): void {
    if (e.event === 'hello') {
      const hello = checkHello(e.data);
      if (typeof hello === 'string') return this.refused(req, `not a cockpit session stream: ${hello}`);
      if (this.session !== undefined && hello.sessionId !== this.session) return this.refused(req, 'it now shares another session');
      this.session = hello.sessionId;
      this.attempt = 0;
      this.setLink({ state: 'up' });
      return this.h.onHello(hello);
    }
    const m = messageOf(e);
    // ids are one contiguous sequence: anything already had is not handed over again
    if (!m || m.id <= this.lastId) return;
    this.counts.received++;
    this.counts.skipped += m.id - this.lastId - 1;
    this.lastId = m.id;
    this.h.onMessage(m);
  }

  private again(): void {
    this.req?.destroy();
    this.req = undefined;
    if (this.stopped || this.ended) return;
    const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    setTimeout(() => this.connect(), wait).unref();
  }

  private cut(req: ClientRequest, why: string): void {
    if (req !== this.req) return;
    if (!this.ended) this.setLink({ state: 'cut', since: Date.now(), why });
    this.again();
  }

  private refused(req: ClientRequest, why: string): void {
    if (req !== this.req) return;
    if (!this.ended) this.setLink({ state: 'refused', since: Date.now(), why });
    this.again();
  }
}

/** What a follower makes of the stream once its hello came: its value, and where the rest goes. */
export type Attached<T> = { readonly value: T; onMessage(m: ShareMessage): void; onLink(l: LinkState): void };

/**
 * Connects to a shared session: resolves with what `attach` makes of the first hello (the stream
 * goes on to it: every message, every change of the link), or with why not. Before the hello a
 * refusal is final (a wrong URL, a driver gone); a cut (the session still opening) is tried again
 * until `timeoutMs`.
 */
export function connectStream<T>(url: ShareUrl, attach: (h: ShareHello, stream: ShareStream) => Attached<T>, timeoutMs = CONNECT_MS): Promise<T | string> {
  return new Promise((resolve) => {
    let attached: Attached<T> | undefined;
    let lastWhy = '';
    const fail = (why: string) => {
      if (attached) return;
      stream.stop();
      clearTimeout(timer);
      resolve(`cannot follow ${url.href}: ${why}`);
    };
    const stream = new ShareStream(url, {
      onHello(h) {
        if (attached) return;
        try {
          attached = attach(h, stream);
        } catch (e) {
          // a runbook this cockpit cannot show (another version's, or not a runbook at all)
          return fail(`not a session this cockpit can show: ${errorMessage(e)}`);
        }
        clearTimeout(timer);
        resolve(attached.value);
      },
      onMessage: (m) => attached?.onMessage(m),
      onLink(l) {
        if (attached) return attached.onLink(l);
        if (l.state === 'refused') fail(l.why);
        else if (l.state === 'cut') lastWhy = l.why;
      },
    });
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs / 1000} s${lastWhy ? ` (${lastWhy})` : ''}`), timeoutMs);
    stream.start();
  });
}
