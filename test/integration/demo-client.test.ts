/**
 * The demo's admin client (scripts/demo.mjs, written by writeWorkspace) against a real demo service
 * on loopback, as the demo's scripts call it: each command's line and exit code, the blue-green
 * deploy → switch → rollback cycle, an error status said with its HTTP code, and a service that is
 * not there said in one line (exit 1), never a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoService, type DemoService } from '../../src/demo/service.js';
import { writeWorkspace } from '../../src/demo/workspace.js';
import { closedPort } from '../helpers/http-target.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-demo-client-'));
let svc: DemoService;

beforeAll(async () => {
  // ×600: a deploy's slot is ready within a few of the service's ticks
  svc = await startDemoService({ scenario: 'good', speed: 600, flagFile: join(dir, 'flags.json') });
  writeWorkspace(dir, { serviceUrl: svc.url, speed: 600 });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

type Run = { code: number; out: string; err: string };
/** `url` null: DEMO_SERVICE_URL unset. */
function client(args: string[], url: string | null = svc.url): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_SERVICE_URL: url ?? undefined };
  if (url === null) delete env.DEMO_SERVICE_URL;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(dir, 'scripts', 'demo.mjs'), ...args], { cwd: dir, env, timeout: 20_000 }, (e, out, err) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, out, err }),
    );
  });
}

describe('scripts/demo.mjs against the demo service', () => {
  it('health, checkout, state: one line each, exit 0', async () => {
    expect(await client(['health'])).toEqual({ code: 0, out: 'health: ok, live slot blue serves 2.3.9\n', err: '' });
    expect(await client(['checkout'])).toEqual({ code: 0, out: 'checkout: 200 OK\n', err: '' });
    const state = await client(['state']);
    expect(state.code).toBe(0);
    expect(JSON.parse(state.out)).toMatchObject({ live: 'blue' });
  });

  it('deploy waits until the idle slot is ready; switch makes it live; rollback serves the old version again, then says there is nothing to roll back', async () => {
    const deploy = await client(['deploy', '2.4.0']);
    expect(deploy.err).toBe('');
    expect(deploy.code).toBe(0);
    expect(deploy.out).toMatch(/^deploying 2\.4\.0 to the idle slot \(green\)\n(waiting for 2\.4\.0: \w+\n)*2\.4\.0 is ready on the idle slot\n$/);
    expect(await client(['switch'])).toEqual({ code: 0, out: 'traffic switched: green is live\n', err: '' });
    expect(await client(['health'])).toMatchObject({ code: 0, out: 'health: ok, live slot green serves 2.4.0\n' });
    expect(await client(['rollback'])).toEqual({ code: 0, out: 'rolled back: blue serves 2.3.9 again\n', err: '' });
    const again = await client(['rollback']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^(nothing to roll back: .+|already rolled back: blue is live)\n$/);
  });

  it('an error status is said with its code (exit 1); no service there: one line, exit 1; no URL or an unknown command: exit 2', async () => {
    const bad = await client(['deploy', '']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^POST \/admin\/deploy\?version=: HTTP 4\d\d .*\n$/);
    const gone = await client(['health'], `http://127.0.0.1:${await closedPort()}`);
    expect(gone).toEqual({ code: 1, out: '', err: 'demo service: ECONNREFUSED\n' });
    expect(await client(['health'], null)).toEqual({ code: 2, out: '', err: 'DEMO_SERVICE_URL is not set: run this through "cockpit demo"\n' });
    expect(await client(['dance'])).toMatchObject({ code: 2, err: 'usage: demo.mjs <health|checkout|deploy VERSION|switch|rollback|state>\n' });
  });
});
