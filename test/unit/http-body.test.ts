/**
 * Response bodies are capped (issue 19): a real node HTTP server streams a 300 MB answer to the
 * HTTP metric sources, a flag provider and a notification; each fetch fails (or ends) with
 * "response larger than 4 MiB" without reading the rest into memory: the server stops being read
 * long before the end and the process's memory grows by far less than the answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { HttpJsonSource } from '../../src/metrics/sources/http-json.js';
import { PrometheusSource } from '../../src/metrics/sources/prometheus.js';
import { UnleashProvider } from '../../src/flags/providers/unleash.js';
import { postJson } from '../../src/guard/notify-send.js';

const MIB = 1024 * 1024;
const HUGE = 300_000_000;

type Served = { url: string; sent: () => number; done: Promise<void>; server: Server };
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Answers every request with `total` bytes of a JSON string, streamed in 64 KiB writes, with or without a Content-Length. */
async function hugeServer(total: number, withLength: boolean): Promise<Served> {
  let sent = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : {}) });
    res.write('{"x":"');
    sent += 6;
    const pump = (): void => {
      while (sent < total - 2) {
        const n = Math.min(chunk.length, total - 2 - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end('"}');
    };
    res.on('close', finish);
    pump();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent, done, server };
}

describe('a 300 MB answer', () => {
  test('http-json: the fetch fails with "response larger than 4 MiB", the rest is never read, memory stays bounded', async () => {
    const s = await hugeServer(HUGE, false);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const r = await new HttpJsonSource(`${s.url}/metrics`).fetch([{ name: 'x', pointer: '/x' }], 30_000, new AbortController().signal);
    clearInterval(watch);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(r).toEqual({ x: { error: 'response larger than 4 MiB' } });
    await s.done;
    // the server was cut off far from the end (socket buffers hold a few MiB at most)
    expect(s.sent()).toBeLessThan(64 * MIB);
    expect(peak - before).toBeLessThan(100 * MIB);
  }, 60_000);

  test('prometheus: a Content-Length over the cap fails the fetch at once, nothing of the body read', async () => {
    const s = await hugeServer(HUGE, true);
    const r = await new PrometheusSource(s.url).fetch([{ name: 'x', query: 'up' }], 30_000, new AbortController().signal);
    expect(r).toEqual({ x: { error: 'prometheus: response larger than 4 MiB' } });
    await s.done;
    expect(s.sent()).toBeLessThan(64 * MIB);
  }, 60_000);

  test('an answer just under the cap is read whole', async () => {
    const s = await hugeServer(4 * MIB - 100, false);
    const r = await new HttpJsonSource(`${s.url}/metrics`).fetch([{ name: 'x', pointer: '/x' }], 30_000, new AbortController().signal);
    // read and parsed: the value is a string, not a number (the body was all there)
    expect(r.x).toMatchObject({ config: true });
    expect((r.x as { error: string }).error).not.toContain('larger than');
  }, 60_000);

  test('a flag provider over HTTP (unleash) refuses it with the same words', async () => {
    const s = await hugeServer(HUGE, false);
    const p = new UnleashProvider({ url: s.url, token: 't', project: 'p', environment: 'e', timeoutMs: 30_000 });
    await expect(p.read('flag')).rejects.toThrow('unleash: response larger than 4 MiB');
    await s.done;
    expect(s.sent()).toBeLessThan(64 * MIB);
  }, 60_000);

  test('a notification whose receiver answers 300 MB: delivered (HTTP 200), the answer not read past the cap', async () => {
    const s = await hugeServer(HUGE, false);
    const r = await postJson(`${s.url}/hook`, { a: 1 }, 30_000);
    expect(r).toEqual({ ok: true, status: 200 });
    await s.done;
    expect(s.sent()).toBeLessThan(64 * MIB);
  }, 60_000);
});
