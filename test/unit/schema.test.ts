/** The committed JSON Schema is current, and the full valid fixture loads. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load.js';
import { jsonSchema } from '../../src/runbook/schema.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('schema/cockpit.schema.json', () => {
  it('equals the output of `cockpit schema`', async () => {
    const committed = readFileSync(join(ROOT, 'schema', 'cockpit.schema.json'), 'utf8');
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin', 'cockpit.js'), 'schema'], { cwd: ROOT, timeout: 20_000 });
    expect(committed, 'schema/cockpit.schema.json is stale: run "npm run schema" and commit the result').toBe(stdout);
  });

  it('is the schema the source defines (so a stale build is caught too)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, 'schema', 'cockpit.schema.json'), 'utf8'));
    expect(committed, 'schema/cockpit.schema.json is stale: run "npm run schema" and commit the result').toEqual(jsonSchema());
  });
});

describe('test/fixtures/valid/full.yml', () => {
  it('loads with the in-process loader', () => {
    const r = loadRunbook('test/fixtures/valid/full.yml', ROOT);
    if (!r.ok) throw new Error(`expected ok, got:\n${r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n')}`);
    const rb = r.runbook;
    expect(rb.name).toBe('web-app');
    expect(rb.file).toBe(join(ROOT, 'test/fixtures/valid/full.yml'));
    expect(rb.stages.map((s) => [s.id, s.environment, s.confirm, s.armed, s.budgetMs])).toEqual([
      ['staging', 'staging', 'press-r', false, 120_000],
      ['production', 'production', 'type-name', true, 5_400_000],
    ]);
    expect(rb.preflight.map((p) => [p.kind, p.id])).toEqual([
      ['auto', 'all-tests-passing'],
      ['auto', 'artifact'],
      ['manual', 'no-active-incidents'],
    ]);
    expect(rb.rollback?.triggers.map((t) => t.id)).toEqual(['error-rate-above', 'slow', 'memory-above', 'probe-critical', 'probe-home']);
    expect(rb.escalation.map((e) => e.afterMs)).toEqual([0, 300_000, 900_000]);
    expect(Object.keys(rb.metrics?.series ?? {})).toEqual(['latency_p95', 'error_rate', 'throughput', 'memory']);
    expect(Object.keys(rb.flags?.ramps ?? {})).toEqual(['new-feature', 'checkout-v2']);
    expect(rb.secrets).toEqual(['SLACK_WEBHOOK_URL', 'DEPLOY_TOKEN']);
  });
});
