/**
 * The shared session's wire format (share/protocol.ts), its message store (share/share-log.ts) and
 * what a follower accepts from the wire (share/stream.ts): pure, no sockets.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { encodeMessage, parseShareAddress, parseShareUrl, SseParser, type SseEvent } from '../../src/share/protocol.js';
import { ShareLog } from '../../src/share/share-log.js';
import { checkHello, messageOf } from '../../src/share/stream.js';
import { shareOptional } from '../../src/cli/run-flags.js';
import { LeaseWatch, leaseInfoOf, leaseVerdict } from '../../src/share/lease-watch.js';

const ev = (n: number) => ({ type: 'check.ticked', id: `c${n}`, by: 'operator', at: 1_700_000_000_000 + n, t: n }) as unknown as SessionEvent;

function parseAll(chunks: readonly string[]): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const p = new SseParser((e) => events.push(e), (c) => comments.push(c));
  for (const c of chunks) p.feed(c);
  return { events, comments };
}

describe('the SSE parser', () => {
  const wire = `retry: 500\n\nevent: hello\ndata: {"a":1}\n\n: ping\n\nid: 1\nevent: journal\ndata: {"type":"x"}\n\nid: 2\nevent: output\ndata: line one\ndata: line two\n\n`;
  const expected: SseEvent[] = [
    { event: 'hello', data: '{"a":1}' },
    { id: '1', event: 'journal', data: '{"type":"x"}' },
    { id: '2', event: 'output', data: 'line one\nline two' },
  ];

  it('reads the messages whole, however the bytes are split (every split in two, and one character at a time)', () => {
    for (let i = 0; i <= wire.length; i++) expect(parseAll([wire.slice(0, i), wire.slice(i)]).events, `split at ${i}`).toEqual(expected);
    expect(parseAll([...wire])).toEqual({ events: expected, comments: ['ping'] });
  });

  it('takes \\r\\n and \\r line ends as \\n, also a \\r\\n split between two chunks', () => {
    for (const eol of ['\r\n', '\r']) {
      const text = wire.replace(/\n/g, eol);
      for (let i = 0; i <= text.length; i++) expect(parseAll([text.slice(0, i), text.slice(i)]).events, `${JSON.stringify(eol)} split at ${i}`).toEqual(expected);
    }
  });

  it('ignores unknown fields and an id with a NUL; a message without data and event is not one', () => {
    expect(parseAll(['foo: bar\nid: 3\0\nevent: journal\ndata: {}\n\n\n\n']).events).toEqual([{ event: 'journal', data: '{}' }]);
  });

  it('what the driver writes, the parser reads back', () => {
    const m = { id: 7, kind: 'output', output: { stage: 's', step: 'p', lines: ['a\u001b[2Jb', 'c\nd'] } } as const;
    const [e] = parseAll([encodeMessage(m)]).events;
    expect(messageOf(e)).toEqual(m);
  });
});

describe('the share log', () => {
  it('numbers journal events and output in one contiguous sequence; since(n) is everything after n', () => {
    const log = new ShareLog();
    const seen: number[] = [];
    log.subscribe((m) => seen.push(m.id));
    log.journal(ev(1));
    log.output({ stage: 's', step: 'p', lines: ['x'] });
    log.journal(ev(2));
    expect(log.last).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(log.since(0).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(log.since(2).map((m) => [m.id, m.kind])).toEqual([[3, 'journal']]);
    expect(log.since(3)).toEqual([]);
    expect(log.since(99)).toEqual([]);
  });

  it('keeps output up to its bound: the oldest goes first, its id kept as "dropped" with its line count; journal events always stay', () => {
    const log = new ShareLog(30);
    log.journal(ev(1));
    log.output({ stage: 's', step: 'p', lines: ['0123456789', '0123456789'] }); // 22 bytes
    log.journal(ev(2));
    log.output({ stage: 's', step: 'p', lines: ['abcdefghij'] }); // 11 more: 33 > 30
    expect(log.since(0).map((m) => (m.kind === 'dropped' ? [m.id, 'dropped', m.lines] : [m.id, m.kind]))).toEqual([
      [1, 'journal'],
      [2, 'dropped', 2],
      [3, 'journal'],
      [4, 'output'],
    ]);
  });
});

describe('what a follower accepts', () => {
  const hello = { v: 1, sessionId: 's1', runbook: { name: 'web', stages: [] }, driver: { user: 'u', host: 'h', pid: 1 }, last: 0 };
  it('a hello of this protocol with its session and runbook; anything else is said', () => {
    expect(checkHello(JSON.stringify(hello))).toEqual(hello);
    expect(checkHello('<html>')).toBe('its hello is not JSON');
    expect(checkHello(JSON.stringify({ ...hello, v: 2 }))).toBe('it speaks version 2 of the share protocol, this cockpit 1');
    expect(checkHello(JSON.stringify({ ...hello, runbook: undefined }))).toBe('its hello lacks the session or its runbook');
  });
  it('a message with a positive integer id and its shape; none otherwise', () => {
    expect(messageOf({ id: '3', event: 'journal', data: '{"type":"x"}' })).toEqual({ id: 3, kind: 'journal', event: { type: 'x' } });
    expect(messageOf({ id: '4', event: 'dropped', data: '{"lines":9}' })).toEqual({ id: 4, kind: 'dropped', lines: 9 });
    for (const bad of [
      { event: 'journal', data: '{"type":"x"}' },
      { id: '0', event: 'journal', data: '{"type":"x"}' },
      { id: '1.5', event: 'journal', data: '{"type":"x"}' },
      { id: '5', event: 'journal', data: 'nope' },
      { id: '5', event: 'journal', data: '{"no":"type"}' },
      { id: '5', event: 'output', data: '{"stage":"s"}' },
      { id: '5', event: 'other', data: '{}' },
    ])
      expect(messageOf(bad), JSON.stringify(bad)).toBeUndefined();
  });
});

describe('addresses and URLs', () => {
  it('--share takes an optional address: alone, before an option or the runbook, it is 127.0.0.1 and a free port', () => {
    expect(shareOptional(['--share'])).toEqual(['--share=']);
    expect(shareOptional(['--share', 'release.yml', '--headless'])).toEqual(['--share=', 'release.yml', '--headless']);
    expect(shareOptional(['--share', '--headless'])).toEqual(['--share=', '--headless']);
    expect(shareOptional(['--share', '0.0.0.0:7070', 'r.yml'])).toEqual(['--share=0.0.0.0:7070', 'r.yml']);
    expect(shareOptional(['--share', ':7070'])).toEqual(['--share=:7070']);
    expect(shareOptional(['--share', '[::1]:7070'])).toEqual(['--share=[::1]:7070']);
    expect(shareOptional(['--share=host:1'])).toEqual(['--share=host:1']);
    expect(shareOptional(['--', '--share'])).toEqual(['--', '--share']);
  });
  it('the address', () => {
    expect(parseShareAddress('')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseShareAddress('7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseShareAddress(':7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseShareAddress('0.0.0.0:7070')).toEqual({ host: '0.0.0.0', port: 7070 });
    expect(parseShareAddress('[::1]:7070')).toEqual({ host: '::1', port: 7070 });
    expect(parseShareAddress('war-room.lan')).toEqual({ host: 'war-room.lan', port: 0 });
    for (const bad of ['host:99999', 'a b:1', 'http://x:1', '$(touch /tmp/pwned):1']) expect(parseShareAddress(bad), bad).toMatch(/^--share .+: expected host:port/);
  });
  it('the URL: http with a token; https and a URL without a token are said', () => {
    expect(parseShareUrl('http://10.0.0.7:7070/abc')).toEqual({ href: 'http://10.0.0.7:7070/abc', host: '10.0.0.7', port: 7070, path: '/abc' });
    expect(parseShareUrl('http://[::1]:7070/abc')).toMatchObject({ host: '::1', port: 7070 });
    expect(parseShareUrl('https://x/abc')).toMatch(/https is not served by cockpit --share/);
    expect(parseShareUrl('http://x:1/')).toMatch(/the URL has no token/);
    expect(parseShareUrl('ftp://x/abc')).toMatch(/starts with http:\/\//);
    expect(parseShareUrl('http://')).toMatch(/^not a URL/);
  });
});

describe("the driver's lease, read by a follower whose stream is cut", () => {
  it('is read while the stream is cut, and not once it is up again or refused (the one rule of both remote followers)', () => {
    const w = new LeaseWatch({ url: 'git://127.0.0.1:1/team.git', ref: 'refs/cockpit/locks/web/prod', token: 1 }, () => undefined);
    const start = vi.spyOn(w, 'start').mockImplementation(() => undefined);
    const stop = vi.spyOn(w, 'stop').mockImplementation(() => undefined);
    w.follow({ state: 'cut' });
    expect([start.mock.calls.length, stop.mock.calls.length]).toEqual([1, 0]);
    w.follow({ state: 'refused' });
    w.follow({ state: 'up' });
    expect([start.mock.calls.length, stop.mock.calls.length]).toEqual([1, 2]);
  });

  it('takes only plain URLs and refs from the hello: nothing that git could read as an option or a command', () => {
    const ok = { url: 'git://127.0.0.1:9418/team.git', ref: 'refs/cockpit/locks/web/production', token: 3 };
    expect(leaseInfoOf(ok)).toEqual(ok);
    for (const url of ['ssh://git@github.com/org/repo.git', 'https://github.com/org/repo.git', 'git@github.com:org/repo.git']) expect(leaseInfoOf({ ...ok, url }), url).toEqual({ ...ok, url });
    for (const url of ['--upload-pack=touch /tmp/pwned', 'ext::sh -c touch% /tmp/pwned', 'ssh://-oProxyCommand=touch%20x/r', '/srv/git/team.git', 'file:///srv/git/team.git', 'git://h/r x', 'git://h/$(touch /tmp/pwned)', '-x@h:r'])
      expect(leaseInfoOf({ ...ok, url }), url).toBeUndefined();
    for (const ref of ['refs/heads/main', 'refs/cockpit/locks/../../heads/main', 'refs/cockpit/locks/web', '--all']) expect(leaseInfoOf({ ...ok, ref }), ref).toBeUndefined();
    expect(leaseInfoOf({ ...ok, token: '3' })).toBeUndefined();
    expect(leaseInfoOf('x')).toBeUndefined();
    // a hello naming a lease in a form not taken is followed all the same, without it
    const hello = { v: 1, sessionId: 's1', runbook: { name: 'web', stages: [] }, driver: { user: 'u', host: 'h', pid: 1 }, last: 0 };
    expect(checkHello(JSON.stringify({ ...hello, lease: { ...ok, url: '--upload-pack=x' } }))).toEqual(hello);
    expect(checkHello(JSON.stringify({ ...hello, lease: ok }))).toEqual({ ...hello, lease: ok });
  });

  it('held while renewed by that generation; gone once given up, taken over or expired past the clock skew', () => {
    const record = (r: Record<string, unknown>) => ({ sha: 'a'.repeat(40), message: JSON.stringify({ v: 1, kind: 'lease', holder: { user: 'alice', host: 'laptop', pid: 7 }, session: 's', since: 1000, expires: 50_000, generation: 3, ...r }) });
    expect(leaseVerdict(record({}), 3, 40_000)).toEqual({ held: 50_000 });
    expect(leaseVerdict(record({}), 3, 51_000)).toEqual({ held: 50_000 }); // within the skew
    expect(leaseVerdict(record({}), 3, 52_001)).toEqual({ gone: expect.stringMatching(/^its lease expired at \d\d:\d\d:\d\d without renewal$/) });
    expect(leaseVerdict(record({ kind: 'released' }), 3, 40_000)).toEqual({ gone: 'its lease was given up: its session ended there' });
    expect(leaseVerdict(record({ generation: 4, holder: { user: 'bob', host: 'ci-7', pid: 9 } }), 3, 40_000)).toEqual({ gone: 'its lease was taken over by bob@ci-7 (pid 9) (generation 4)' });
    expect(leaseVerdict(record({ generation: 4, kind: 'released' }), 3, 40_000)).toEqual({ gone: 'its lease was given up (generation 4)' });
    expect(leaseVerdict({ absent: true }, 3, 0)).toEqual({ gone: 'its lease is gone from the remote' });
    expect(leaseVerdict({ unreachable: 'origin: timed out' }, 3, 0)).toEqual({ unknown: 'origin: timed out' });
    expect(leaseVerdict({ sha: 'a'.repeat(40), message: 'not json' }, 3, 0)).toHaveProperty('unknown');
  });
});
