/**
 * The driving cockpit's control socket: `cockpit rollback`, run while another cockpit drives the
 * session here, asks that cockpit to roll back instead of failing (or starting a second driver).
 * A unix socket beside the lock (`<state>/control.sock`, or one in the temp directory named after
 * the state directory's path when that is too long for a socket), readable by its user only. One
 * request a connection, one JSON line each way: {"op":"rollback","reason":"…","from":"…"} →
 * {"ok":true} or {"ok":false,"reason":"…"}. The driver runs the rollback as its own R would, with
 * the request's reason; the journal says it came from `cockpit rollback`.
 */
import { createHash } from 'node:crypto';
import { chmodSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../core/error-message.js';
import type { IntentResult } from './intents.js';

/** What a socket path may hold (Linux: 108 bytes with the terminating NUL; macOS 104). */
const MAX_SOCKET_PATH = 100;
/** A request line longer than this is not one. */
const MAX_REQUEST = 4096;

export function controlPath(root: string): string {
  const beside = join(root, 'control.sock');
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH) return beside;
  return join(tmpdir(), `cockpit-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`);
}

export type ControlRequest = { readonly op: 'rollback'; readonly reason: string; readonly from: string };
export type ControlReply = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The requests a driver answers: the rollback intent of its session. */
export type ControlHandler = { rollback(reason: string): IntentResult };

function parseRequest(line: string): ControlRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'not a JSON request';
  }
  const r = v as Partial<ControlRequest>;
  if (r.op !== 'rollback') return `unknown request ${JSON.stringify(r.op ?? null)}`;
  if (typeof r.reason !== 'string' || r.reason.trim() === '') return 'a rollback needs a reason';
  return { op: 'rollback', reason: r.reason.slice(0, 500), from: typeof r.from === 'string' ? r.from.slice(0, 200) : 'unknown' };
}

/**
 * Listens for requests while this cockpit drives the session under `root` (it holds the lock, so a
 * socket left at the path by a dead cockpit is its to remove). Never throws: a socket that cannot
 * be made only means `cockpit rollback` cannot ask (it says so). Returns the close.
 */
export function listenForControl(root: string, handler: ControlHandler): () => void {
  const path = controlPath(root);
  let server: Server | undefined;
  /** The socket file this server made: a cockpit that took the session over (a background guard) makes its own at the same path, which is not ours to remove. */
  let ino: number | undefined;
  try {
    rmSync(path, { force: true });
    server = createServer((socket) => {
      let buf = '';
      socket.setEncoding('utf8');
      socket.setTimeout(5000, () => socket.destroy());
      socket.on('error', () => undefined);
      socket.on('data', (d: string) => {
        buf += d;
        const eol = buf.indexOf('\n');
        if (eol < 0 && buf.length <= MAX_REQUEST) return;
        const req = parseRequest(eol < 0 ? buf : buf.slice(0, eol));
        const reply: ControlReply = typeof req === 'string' ? { ok: false, reason: req } : answer(handler, req);
        socket.end(`${JSON.stringify(reply)}\n`);
      });
    });
    server.on('error', () => undefined);
    server.listen(path, () => {
      try {
        chmodSync(path, 0o600);
        ino = statSync(path).ino;
      } catch {
        /* gone already (closed) */
      }
    });
    server.unref();
  } catch {
    return () => undefined;
  }
  return () => {
    server?.close();
    try {
      if (ino !== undefined && statSync(path).ino === ino) rmSync(path, { force: true });
    } catch {
      /* gone */
    }
  };
}

function answer(handler: ControlHandler, req: ControlRequest): ControlReply {
  try {
    const r = handler.rollback(req.reason);
    return r.ok ? { ok: true } : { ok: false, reason: r.reason };
  } catch (e) {
    return { ok: false, reason: errorMessage(e) };
  }
}

/** Asks the driver under `root`; undefined when none answers (no socket, nobody listening, no reply in time). */
export function askDriver(root: string, req: ControlRequest, timeoutMs = 3000): Promise<ControlReply | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const finish = (v: ControlReply | undefined) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(v);
    };
    const socket = createConnection(controlPath(root));
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('data', (d: string) => {
      buf += d;
      const eol = buf.indexOf('\n');
      if (eol < 0) return;
      try {
        const v = JSON.parse(buf.slice(0, eol)) as ControlReply;
        finish(v.ok === true ? { ok: true } : { ok: false, reason: String((v as { reason?: unknown }).reason ?? 'refused') });
      } catch {
        finish(undefined);
      }
    });
    socket.on('end', () => finish(undefined));
  });
}
