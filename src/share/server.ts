/**
 * The driving cockpit's share server (`cockpit run --share [host:port]`): the session's stream
 * (share/protocol.ts) to every follower that gives the token. GET only (anything else 405), a
 * wrong or missing token 401, nothing else served. 127.0.0.1 unless an address is given. A
 * follower too slow to take what is written (16 MB queued) is cut off: it reconnects from the last
 * id it has, so it loses nothing, and the driver's memory stays bounded.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { errorMessage } from '../core/error-message.js';
import { encodeMessage, PING_MS, sseFrame, type ShareHello } from './protocol.js';
import type { ShareLog } from './share-log.js';

/** What a follower may have queued before it is cut off (it reconnects from its last id). */
const MAX_QUEUED = 16 * 1024 * 1024;

export type ShareServer = {
  /** The URL to give followers: the token is in it. */
  readonly url: string;
  /** Followers connected now. */
  readonly followers: number;
  /** Ends every stream (followers see the end) and stops listening. */
  close(): Promise<void>;
};

export type ShareServerOptions = {
  readonly host: string;
  readonly port: number;
  readonly log: ShareLog;
  /** The session's hello; undefined until the session has opened (followers are asked to retry). */
  readonly hello: () => Omit<ShareHello, 'last'> | undefined;
  /** The token (a random 128-bit one unless given: tests). */
  readonly token?: string;
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The URL's host: a wildcard address is this machine's name, an IPv6 one in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}

/** The id a follower has: the Last-Event-ID header, else `?lastEventId=` (0: it has nothing). */
function lastEventId(req: IncomingMessage): number {
  const header = req.headers['last-event-id'];
  const given = typeof header === 'string' ? header : new URL(req.url ?? '/', 'http://x').searchParams.get('lastEventId');
  const n = Number(given ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function refuse(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

export async function startShareServer(o: ShareServerOptions): Promise<ShareServer | string> {
  const token = o.token ?? randomBytes(16).toString('base64url');
  const want = digest(token);
  const open = new Set<ServerResponse>();

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') return refuse(res, 405, 'a shared cockpit session is read-only: GET only', { Allow: 'GET' });
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+|\/+$/g, '');
    if (!timingSafeEqual(digest(path), want)) return refuse(res, 401, 'wrong or missing token: use the whole URL cockpit run --share printed');
    const hello = o.hello();
    if (!hello) return refuse(res, 503, 'the session is opening: try again in a moment', { 'Retry-After': '1' });
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.socket?.setNoDelay(true);
    const from = lastEventId(req);
    res.write(`retry: 500\n\n${sseFrame('hello', JSON.stringify({ ...hello, last: o.log.last }))}`);
    const backlog = o.log.since(from);
    if (backlog.length) res.write(backlog.map(encodeMessage).join(''));
    open.add(res);
    const off = o.log.subscribe((m) => {
      res.write(encodeMessage(m));
      if (res.writableLength > MAX_QUEUED) res.destroy();
    });
    const ping = setInterval(() => res.write(`: ping\n\n`), PING_MS);
    res.on('close', () => {
      off();
      clearInterval(ping);
      open.delete(res);
    });
  };

  const server = createServer(serve);
  const listening = await new Promise<true | string>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EACCES' ? 'not allowed to listen there' : errorMessage(e)));
    server.listen(o.port, o.host, () => resolve(true));
  });
  if (listening !== true) return `--share ${o.host}:${o.port}: ${listening}`;
  server.on('error', () => {});
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${urlHost(o.host)}:${port}/${token}`,
    get followers() {
      return open.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.end();
        server.close(() => resolve());
        // the streams just ended are flushed first; a follower that never reads is not waited for
        setImmediate(() => server.closeIdleConnections());
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}
