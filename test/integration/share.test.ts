/**
 * `cockpit run --share` and its followers, with real processes and real sockets: the driver is the
 * built binary (headless) in a directory of its own; followers are plain HTTP clients (the wire
 * itself) and the follower `cockpit watch URL` runs on (share/remote-follower.ts: the real stream
 * client and ReadOnlySession), in this process, in another directory, with no access to the
 * driver's files. A TCP proxy between them cuts the stream for 30 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { readJournal } from '../../src/session/journal.js';
import { foldEvents } from '../../src/session/follow.js';
import { parseShareUrl, SseParser, type ShareUrl, type SseEvent } from '../../src/share/protocol.js';
import { closedPort } from '../helpers/http-target.js';
import { connectFollower, type RemoteFollower } from '../../src/share/remote-follower.js';
import { messageOf } from '../../src/share/stream.js';
import { tempRoots, until } from '../helpers/demo-run.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { BIN } from '../helpers/session-box.js';
import { Proxy } from '../helpers/tcp-proxy.js';

const tempRoot = tempRoots();
const SECRET = 's3cr3t-deploy-token';
const RUNBOOK = [
  'name: web',
  'environment: production',
  'secrets: [DEPLOY_TOKEN]',
  'stages:',
  '  - id: build',
  '    steps:',
  '      - id: compile',
  `        run: [sh, -c, 'echo "compiling with $DEPLOY_TOKEN"; printf "\\033]52;c;cHduZWQ=\\007 done\\n"']`,
  '  - id: deploy',
  '    steps:',
  '      - id: ship',
  `        run: [sh, -c, 'i=0; while [ ! -e go ]; do i=$((i+1)); echo "waiting $i"; sleep 0.2; done; echo shipped']`,
  '',
].join('\n');

type Driver = { readonly p: ChildProcess; readonly dir: string; readonly url: string; readonly exited: Promise<number | null>; err(): string };
const drivers: Driver[] = [];
const followers: RemoteFollower[] = [];
afterEach(() => {
  for (const f of followers.splice(0)) f.stop();
  for (const d of drivers.splice(0)) {
    writeFileSync(join(d.dir, 'go'), '');
    d.p.kill('SIGKILL');
  }
});

async function startDriver(): Promise<Driver> {
  const root = tempRoot('cockpit-share-');
  const dir = join(root, 'driver');
  mkdirSync(dir);
  writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
  const p = spawn(process.execPath, [BIN, 'run', '--headless', '--yes', '--share'], {
    cwd: dir,
    env: { ...process.env, COCKPIT_STATE_DIR: join(root, 'state'), DEPLOY_TOKEN: SECRET, COCKPIT_SPARE_SUPERVISOR: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  await until('the driver says its URL', () => /sharing this session read-only at (http:\S+)/.test(err), 15_000, () => err);
  const d = { p, dir, url: /sharing this session read-only at (http:\S+)/.exec(err)![1], exited, err: () => err };
  drivers.push(d);
  return d;
}

type Read = { status: number; headers: Record<string, string | string[] | undefined>; events: SseEvent[]; comments: string[]; ended: boolean };

/** One GET of `url` (again while the session is still opening: 503): everything read until `enough` says so (then the connection is dropped) or the server ends it. */
async function read(url: string, o: { method?: string; lastEventId?: number; enough?: (events: SseEvent[]) => boolean } = {}): Promise<Read> {
  for (;;) {
    const r = await readOnce(url, o);
    if (r.status !== 503) return r;
    expect(r.headers['retry-after']).toBe('1');
    await new Promise((res) => setTimeout(res, 100));
  }
}

function readOnce(url: string, o: { method?: string; lastEventId?: number; enough?: (events: SseEvent[]) => boolean } = {}): Promise<Read> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'GET', headers: o.lastEventId ? { 'Last-Event-ID': String(o.lastEventId) } : {} }, (res) => {
      const r: Read = { status: res.statusCode!, headers: res.headers, events: [], comments: [], ended: false };
      const parser = new SseParser(
        (e) => {
          r.events.push(e);
          if (o.enough?.(r.events)) {
            req.destroy();
            resolve(r);
          }
        },
        (c) => r.comments.push(c),
      );
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (res.headers['content-type']?.startsWith('text/event-stream') ? parser.feed(d) : (body += d)));
      res.on('end', () => resolve({ ...r, ended: true, ...(body ? { comments: [body] } : {}) }));
      res.on('error', () => resolve(r));
    });
    req.on('error', reject);
    req.end();
  });
}

const journalOf = (events: readonly SseEvent[]): SessionEvent[] => events.map(messageOf).flatMap((m) => (m?.kind === 'journal' ? [m.event] : []));
const ids = (events: readonly SseEvent[]): number[] => events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('cockpit run --share', () => {
  it('GET only (anything else 405), and only with the token (401)', async () => {
    const d = await startDriver();
    const u = new URL(d.url);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']) {
      const r = await read(d.url, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('GET');
    }
    for (const path of ['/', '/wrong-token', `${u.pathname}x`, `${u.pathname}/../other`]) {
      const r = await read(`${u.origin}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.comments.join('')).toBe('wrong or missing token: use the whole URL cockpit run --share printed\n');
    }
    // the driver's page of plain text never echoes what it was sent
    expect((await read(`${u.origin}/$(touch%20/tmp/pwned)`)).status).toBe(401);
  }, 30_000);

  it('the stream: a hello with the runbook and the driver, then every journal event as journalled and the output, ids 1, 2, 3 …; secrets masked; it ends with the session', async () => {
    const d = await startDriver();
    const first = await read(d.url, { enough: (ev) => ev.some((e) => e.event === 'output' && e.data.includes('waiting 2')) });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(first.events[0].event).toBe('hello');
    expect(first.events[0].id).toBeUndefined();
    const hello = JSON.parse(first.events[0].data) as { v: number; runbook: { name: string; stages: { id: string }[] }; driver: { pid: number } };
    expect(hello).toMatchObject({ v: 1, runbook: { name: 'web' }, driver: { pid: d.p.pid } });
    expect(hello.runbook.stages.map((s) => s.id)).toEqual(['build', 'deploy']);
    writeFileSync(join(d.dir, 'go'), '');
    // from the start again, to the end: the driver ends the stream when its session has ended
    const all = await read(d.url);
    expect(all.ended).toBe(true);
    expect(await d.exited, d.err()).toBe(0);
    const body = all.events.slice(1);
    expect(ids(body)).toEqual(range(1, body.length));
    const journalPath = join(d.dir, '..', 'state', 'sessions', journalOf(body)[0].type === 'session.started' ? (journalOf(body)[0] as { sessionId: string }).sessionId : '?', 'journal.jsonl');
    expect(journalOf(body)).toEqual(readJournal(journalPath));
    const output = body.filter((e) => e.event === 'output').map((e) => JSON.parse(e.data) as { stage: string; step: string; lines: string[] });
    const text = (step: string) => output.filter((o) => o.step === step).flatMap((o) => o.lines.map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '')));
    expect(text('compile')[0]).toBe('compiling with ••••');
    expect(text('ship').at(-1)).toBe('shipped');
    expect(JSON.stringify(all.events)).not.toContain(SECRET);
    // the first reader got the same messages as far as it read
    expect(first.events.slice(1)).toEqual(body.slice(0, first.events.length - 1));
    expect(all.comments.every((c) => c === 'ping' || c.startsWith('retry'))).toBe(true);
  }, 30_000);

  it('cockpit rollback URL is refused: read-only from there, naming where to roll back; the release goes on', async () => {
    const d = await startDriver();
    const r = await cockpitInProcess(['rollback', d.url], { cwd: tempRoot('cockpit-share-rb-') });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `cockpit: ${d.url} is a shared session of web: read-only, nothing reaches its driver from here`,
      expect.stringMatching(new RegExp(`^cockpit: read-only: roll back where it runs: R there, or cockpit rollback \\(\\S+@\\S+, pid ${d.p.pid}\\)$`)),
      'cockpit: nothing rolled back',
    ]);
    writeFileSync(join(d.dir, 'go'), '');
    expect(await d.exited, d.err()).toBe(0);
  }, 30_000);

  it('Last-Event-ID: a reader that comes back gets exactly what came after the last id it had', async () => {
    const d = await startDriver();
    const before = await read(d.url, { enough: (ev) => ev.some((e) => e.event === 'output' && e.data.includes('waiting 3')) });
    const last = Math.max(...ids(before.events));
    const after = await read(d.url, { lastEventId: last, enough: (ev) => ev.some((e) => e.event === 'output' && e.data.includes('waiting 6')) });
    expect(after.events[0].event).toBe('hello');
    expect(ids(after.events)[0]).toBe(last + 1);
    const both = [...ids(before.events), ...ids(after.events)];
    expect(both).toEqual(range(1, both.length));
  }, 30_000);
});

describe('cockpit watch URL (the remote follower)', () => {
  it('a 30 s cut of the stream: said within 2 s while it reconnects, then resumed with contiguous ids, nothing missed and nothing twice', async () => {
    const d = await startDriver();
    const proxy = new Proxy(Number(new URL(d.url).port));
    await proxy.open();
    const url = parseShareUrl(d.url.replace(/:\d+\//, `:${proxy.port}/`));
    if (typeof url === 'string') throw new Error(url);
    const f = await connectFollower(url);
    if (typeof f === 'string') throw new Error(f);
    followers.push(f);
    const seen: number[] = [];
    const session = f.session;
    session.subscribe(() => seen.push(seen.length + 1));
    f.start();
    await until('the follower has the ship step running', () => session.state.stages[1]?.steps[0]?.status === 'running', 15_000);
    proxy.cut();
    const cutAt = Date.now();
    await until('the follower says the stream is cut', () => session.link !== undefined, 3000);
    expect(Date.now() - cutAt).toBeLessThan(2000);
    expect(session.link).toMatch(/^⚠ stream cut since \d\d:\d\d:\d\d \(.+\): reconnecting; this screen may be behind the release$/);
    // a cut is not a dead driver: nothing refused the follower
    expect(session.driverGone).toBeUndefined();
    await new Promise((r) => setTimeout(r, 30_000));
    expect(session.link).toBeDefined();
    proxy.restore();
    await until('the follower is connected again', () => session.link === undefined, 5000);
    writeFileSync(join(d.dir, 'go'), '');
    await until('the follower sees the release end', () => session.state.outcome !== undefined, 20_000);
    expect(session.state.outcome).toBe('released');
    expect(session.link).toBeUndefined();
    expect(await d.exited, d.err()).toBe(0);
    // the follower's state is the driver's journal folded: every event once, in order
    const journal = readJournal(join(d.dir, '..', 'state', 'sessions', f.hello.sessionId, 'journal.jsonl'));
    expect(seen.length).toBe(journal.length);
    // every message of the stream, journal and output, came once: ids 1 … last with none skipped
    expect(f.stream.counts).toEqual({ received: f.stream.last, skipped: 0 });
    expect(f.stream.last).toBeGreaterThan(journal.length);
    expect(session.state).toEqual(foldEvents(session.runbook, journal));
    proxy.close();
  }, 90_000);

  it('a URL nothing answers, or with the wrong token: cockpit watch URL says so at once, and why', async () => {
    const d = await startDriver();
    const closed = await closedPort();
    const started = Date.now();
    expect(await connectFollower(parseShareUrl(`http://127.0.0.1:${closed}/abc`) as ShareUrl)).toBe(`cannot follow http://127.0.0.1:${closed}/abc: connection refused: nothing listens there any more`);
    const wrong = d.url.replace(/\/[^/]+$/, '/wrong');
    expect(await connectFollower(parseShareUrl(wrong) as ShareUrl)).toBe(`cannot follow ${wrong}: it answers 401: the token is not its session’s (a different cockpit now listens there)`);
    expect(Date.now() - started).toBeLessThan(2000);
  }, 30_000);

  it('kill -9 of the driver: the follower says within 2 s that no driver is left, and what to do', async () => {
    const d = await startDriver();
    const url = parseShareUrl(d.url);
    if (typeof url === 'string') throw new Error(url);
    const f = await connectFollower(url);
    if (typeof f === 'string') throw new Error(f);
    followers.push(f);
    f.start();
    await until('the follower has the ship step running', () => f.session.state.stages[1]?.steps[0]?.status === 'running', 15_000);
    const killedAt = Date.now();
    d.p.kill('SIGKILL');
    await until('the follower says the driver is gone', () => f.session.driverGone !== undefined, 5000);
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(f.session.driverGone).toMatch(
      new RegExp(`^no driver: on its machine, cockpit run takes over · cockpit rollback \\(\\S+@\\S+, pid ${d.p.pid}: connection refused: nothing listens there any more\\)$`),
    );
    expect(f.session.readOnly).toBe(f.session.driverGone);
  }, 30_000);
});

describe('a stream that is not a cockpit session it can show', () => {
  it('said in one line, never a stack trace: not SSE, a hello of another protocol, a runbook it cannot show', async () => {
    const hellos = [
      'event: hello\ndata: {"v":9}\n\n',
      `event: hello\ndata: ${JSON.stringify({ v: 1, sessionId: 's', runbook: { name: 'x', stages: [{ id: 'a', steps: 'not a list' }] }, driver: { user: 'u', host: 'h', pid: 1 }, last: 0 })}\n\n`,
    ];
    let n = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(hellos[n++ % hellos.length]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const url = parseShareUrl(`http://127.0.0.1:${port}/t`) as ShareUrl;
      expect(await connectFollower(url)).toBe(`cannot follow http://127.0.0.1:${port}/t: not a cockpit session stream: it speaks version 9 of the share protocol, this cockpit 1`);
      expect(await connectFollower(url)).toMatch(new RegExp(`^cannot follow http://127\\.0\\.0\\.1:${port}/t: not a session this cockpit can show: .+$`));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
