/**
 * AUTO-ROLLBACK OFF outside the screen (issue 18): `cockpit validate` warns, located, where a
 * release runs with nothing armed and names each `monitor:` that watches nothing; a headless run
 * says it at each such stage's start. In-process through main(argv, io); the rule is one module
 * (src/runbook/coverage.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { STARTER } from '../../src/cli/init.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-arbo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], text: string) {
  const file = join(dir, 'cockpit.yml');
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv.slice(0, 1), file, ...argv.slice(1)], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n').replace(/^\d\d:\d\d:\d\d /gm, ''), err: err.join('\n'), file };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const GUARDED = `name: web-app
version: "1.0.0"
stages:
  - id: staging
    steps:
      - run: "true"
  - id: production
    ARMED
    steps:
      - run: "true"
      - monitor: 5m
metrics:
  source: { type: prometheus, url: 'http://127.0.0.1:9' }
  series:
    error_rate: { query: 'sum(rate(errors[1m]))' }
rollback:
  steps: ["true"]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
`;

describe('cockpit validate: AUTO-ROLLBACK OFF and monitors that watch nothing', () => {
  it('the cockpit init starter: a warning at rollback (no triggers), one at its monitor step; still ok, exit 0', async () => {
    // the rollback pipeline's commands must exist to validate (issue 18): the starter's, as a team writes them
    mkdirSync(join(dir, 'scripts'));
    for (const f of ['rollback.sh', 'health-check.sh', 'create-incident.sh']) writeFileSync(join(dir, 'scripts', f), '#!/bin/sh\n', { mode: 0o755 });
    const r = await cli(['validate'], STARTER);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: my-service: /);
    const display = r.out.match(/^(\S+):\d+:\d+: warning: AUTO-ROLLBACK OFF/m)?.[1] ?? 'no warning';
    expect(display).not.toBe('no warning');
    expect(r.out).toContain(`${display}:${lineOf(STARTER, 'rollback:')}:1: warning: AUTO-ROLLBACK OFF: the runbook has no rollback triggers: no stage rolls back on its own (R or cockpit rollback only)`);
    expect(r.out).toMatch(new RegExp(`^${display.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf(STARTER, 'monitor: 5m')}:\\d+: warning: monitor 5m watches nothing: no trigger is armed in stage production$`, 'm'));
  });

  it('triggers that wait for a metrics source: the not-armed warnings, and AUTO-ROLLBACK OFF says how many wait', async () => {
    const r = await cli(['validate'], GUARDED.replace('    ARMED\n', '').replace("  source: { type: prometheus, url: 'http://127.0.0.1:9' }\n", ''));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning: AUTO-ROLLBACK OFF: no rollback trigger is armed: 1 trigger waits for a metrics source or probes: no stage rolls back on its own');
    expect(r.out).toContain('warning: monitor 5m watches nothing: no trigger is armed in stage production');
  });

  it('an armed production stage with a trigger: no AUTO-ROLLBACK warning (an unarmed staging is by design)', async () => {
    const r = await cli(['validate'], GUARDED.replace('    ARMED\n', ''));
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('AUTO-ROLLBACK OFF');
    expect(r.out).not.toContain('watches nothing');
  });

  it('a production stage with armed: false: a warning at that line', async () => {
    const text = GUARDED.replace('ARMED', 'armed: false');
    const r = await cli(['validate'], text);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`:${lineOf(text, 'armed: false')}:\\d+: warning: AUTO-ROLLBACK OFF: stage production deploys to production but is not armed: its triggers watch only during its monitor steps \\(armed: true arms the whole stage\\)$`, 'm'),
    );
  });
});

describe('cockpit run --headless: AUTO-ROLLBACK OFF at the start of each stage that runs with nothing armed', () => {
  // manual steps (--yes ticks them): no child process, the fastest tier that runs the headless renderer
  const NO_TRIGGERS = `name: web-app
version: "1.0.0"
stages:
  - id: staging
    steps:
      - manual: Deploy to staging
  - id: production
    steps:
      - manual: Deploy to production
rollback:
  steps: ["true"]
`;

  it('no triggers: the line under each stage start; released, exit 0', async () => {
    const r = await cli(['run', '--headless', '--yes'], NO_TRIGGERS);
    expect(r.err + r.out).toContain('■ RELEASED');
    expect(r.code).toBe(0);
    const off = '⚠ AUTO-ROLLBACK OFF: the runbook has no rollback triggers: nothing rolls back on its own (R or cockpit rollback only)';
    expect(r.out).toContain(`▶ stage staging\n${off}`);
    expect(r.out).toContain(`▶ stage production\n${off}`);
    expect(r.out).toContain('■ RELEASED');
  });

  it('--json is unchanged: the stage.started event, no extra line', async () => {
    const r = await cli(['run', '--headless', '--yes', '--json'], NO_TRIGGERS);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('AUTO-ROLLBACK');
    expect(r.out.split('\n').every((l) => JSON.parse(l) !== undefined)).toBe(true);
  });
});
