/** The screen once the team's lease is lost (lease.lost): the header says ⚠ LEASE LOST for the rest of the session. */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/core/clock.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { renderApp } from '../helpers/ink-app.js';
import { waitFor } from '../helpers/ink.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('the lease lost, on the screen', () => {
  it('the header says ⚠ LEASE LOST; the journal has lease.lost with why', async () => {
    const parsed = parseRunbook('name: web\nenvironment: production\nstages:\n  - id: deploy\n    steps: [./deploy.sh]\n', '/srv/app/cockpit.yml');
    if (!parsed.ok) throw new Error('the runbook does not parse');
    let tell: ((why: string) => void) | undefined;
    const journal = new MemoryJournal();
    const c = new Controller({ runbook: parsed.runbook, runner: new FakeRunner(), journal, clock: new FakeClock(), sessionId: 's', sessionDir: '/tmp/cockpit-ui-lease', values: { version: '1.0.0' }, mode: 'tui', onLeaseLost: (fn) => (tell = fn) });
    const app = renderApp(c, { columns: 120, rows: 24 });
    cleanup = () => app.unmount();
    void c.start();
    await settle();
    const header = () => app.frame().split('\n')[0];
    await waitFor(() => header().includes('READY'), 'READY');
    expect(header()).not.toContain('LEASE LOST');
    tell!('the lease on production (web) was taken over: stale info');
    await waitFor(() => header().includes('⚠ LEASE LOST'), 'LEASE LOST');
    expect(journal.events.filter((e) => e.type === 'lease.lost')).toEqual([expect.objectContaining({ why: 'the lease on production (web) was taken over: stale info' })]);
  });
});
