/**
 * `cockpit validate` on the malformed-runbook corpus, in-process through main(argv, io) (a process
 * each took 51 node start-ups): every fixture in test/fixtures/invalid/ exits 2, prints no stack
 * trace, and prints exactly the located errors below.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INVALID = 'test/fixtures/invalid';

type Result = { code: number; stdout: string; stderr: string };

/** `cockpit ARGS` in the repository's root, with no secrets and no colour set. */
async function cockpit(...args: string[]): Promise<Result> {
  const r = await cockpitInProcess(args, { cwd: ROOT, env: { COCKPIT_DEBUG: '', NO_COLOR: '1', SLACK_WEBHOOK_URL: '', PAGERDUTY_ROUTING_KEY: '' } });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** fixture file name → the exact error lines (without the "N errors in FILE" line). */
const EXPECTED: Record<string, string[]> = {
  // syntax
  'yaml-syntax.yml': ['4:12: syntax error: "[" is never closed (expected a matching "]")'],
  'unclosed-quote.yml': ['1:7: syntax error: quoted string is never closed (expected a closing ")'],
  'json-syntax.json': ['3:3: syntax error: Missing , between flow map items'],
  'duplicate-yaml-key.yml': ['5:5: syntax error: duplicate key "budget" (map keys must be unique)'],
  'alias-bomb.yml': ['1:1: cannot read the document: Excessive alias count indicates a resource exhaustion attack'],
  // shape
  'top-level-list.yml': ['1:1: a runbook must be a map with at least "name" and "stages" (got a list)'],
  'empty-file.yml': ['1:1: a runbook must be a map with at least "name" and "stages" (the file is empty)'],
  'missing-name.yml': ['1:1: missing required key "name" at the top level'],
  'missing-stages.json': ['1:1: missing required key "stages" at the top level'],
  'empty-stages.yml': ['2:9: stages: a runbook needs at least one stage (got an empty list)'],
  'unknown-top-key.yml': ['5:1: unknown key "rolback" at the top level (did you mean "rollback"?)'],
  'unknown-step-key.yml': ['6:9: unknown key "tmeout" in stages[0].steps[0] (did you mean "timeout"?)'],
  'unknown-trigger-key.yml': ['12:39: unknown key "fro" in rollback.triggers[0] (did you mean "for"?)'],
  'step-missing-run.yml': [
    '5:9: missing required key "run" in stages[0].steps[0]',
    '6:9: unknown key "rnu" in stages[0].steps[0] (did you mean "run"?)',
  ],
  // types and values
  'name-is-number.yml': ['1:7: name: expected a name (a string) (got number 42)'],
  'steps-is-string.yml': ['4:12: stages[0].steps: expected a list of steps (got "./deploy.sh")'],
  'wrong-type-retries.json': ['6:52: stages[0].steps[0].retries: expected a number (got "twice")'],
  'bad-budget.yml': ['4:13: stages[0].budget: bad duration "5 minutes": expected a duration like 90s, 2m or 1h30m'],
  'bad-timeout.yml': ['6:18: stages[0].steps[0].timeout: expected a duration like 90s, 2m or 1h30m (got number 10)'],
  'bad-monitor.yml': ['6:18: stages[0].steps[1].monitor: bad duration "1m30": expected a duration like 90s, 2m or 1h30m'],
  'bad-trigger-for.yml': ['12:44: rollback.triggers[0].for: bad duration "2 minutes": expected a duration like 90s, 2m or 1h30m'],
  'bad-confirm.yml': ['4:14: stages[0].confirm: expected one of press-r, type-name (got "type-nam") (did you mean "type-name"?)'],
  'bad-id.yml': ['3:9: stages[0].id: bad id "deploy to staging": use letters, digits, "-", "_" and "."'],
  'bad-probe-url.yml': ['6:28: probes[0].url: expected a URL (got "127.0.0.1:8080/checkout")'],
  'bad-source-type.yml': [
    '6:19: metrics.source.type: expected a metric source type: prometheus, command, http-json or demo (got "promethus") (did you mean "prometheus"?)',
  ],
  'bad-provider-type.yml': ['6:21: flags.provider.type: expected a flag provider type: command, flagd or unleash (got "comand") (did you mean "command"?)'],
  // cross-field rules
  'trigger-unknown-metric.yml': ['13:17: trigger names unknown metric "eror_rate" (did you mean "error_rate"?)'],
  'criterion-unknown-metric.yml': ['6:19: criterion names unknown metric "latency_p59" (did you mean "latency_p95"?)'],
  'trigger-above-and-below.yml': ['12:39: a metric trigger needs exactly one of "above" or "below", not both'],
  'criterion-above-and-below.yml': ['6:44: a criterion needs exactly one of "below" or "above", not both'],
  'trigger-unknown-probe.yml': ['10:16: trigger names unknown probe "chekout" (did you mean "checkout"?)'],
  'probe-critical-none.yml': ['10:16: trigger watches "critical" probes but no probe is marked critical: true'],
  'ramp-not-ascending.yml': ['8:26: ramp "new-feature" is not ascending: 50 then 25'],
  'ramp-out-of-range.yml': ['8:26: ramp "new-feature": 150 is outside 0–100'],
  'duplicate-stage-id.yml': ['5:9: duplicate stage id "staging" (first used at index 0)'],
  'duplicate-step-id.yml': ['6:15: duplicate step id "deploy" in stage "staging" (first used at index 0)'],
  'duplicate-preflight-id.yml': ['4:11: duplicate pre-flight id "tests" (first used at index 0)'],
  'preflight-run-and-manual.yml': [
    '5:5: pre-flight item "No active incidents" has both "run" and "manual": keep "run" for an automated check or "manual" for one the operator ticks',
  ],
  'preflight-neither.yml': ['3:5: pre-flight item "No active incidents" needs "run" (an automated check) or "manual" (what the operator checks and ticks)'],
  'series-missing-query.yml': ['9:5: series "latency_p95" needs a "query" (PromQL) for the prometheus source'],
  'warn-above-critical.yml': ['8:36: warn (1000) must be below critical (500) for a series breached above'],
  'escalation-empty-level.json': ['6:5: an escalation level needs "run", "notify", or a "title" (a reminder on screen at its time)'],
  'escalation-out-of-order.yml': ['8:14: escalation levels must be in order of "after": 5m comes after 15m'],
  'experiment-unknown-flag.yml': ['13:11: experiment "checkout-flow-v2" names unknown flag "new-chekout" (did you mean "new-checkout"?)'],
  'secret-not-env-name.yml': ['5:25: "deploy-token" is not an environment variable name (use letters, digits and "_", not starting with a digit)'],
  'rollback-monitor.yml': ['8:7: a rollback cannot contain a monitor step'],
  // a step's cwd must be a directory (relative to the runbook's): a run would fail the step at its start
  'cwd-missing.yml': [
    '6:14: cwd "deploy-scripts" does not exist in the runbook\'s directory (for one an earlier step makes, write run: "cd deploy-scripts && …")',
    '8:14: cwd "alias-bomb.yml" is not a directory',
    '12:12: cwd "ops/rollback" does not exist in the runbook\'s directory (for one an earlier step makes, write run: "cd ops/rollback && …")',
    '15:12: cwd "/no/such/dir" does not exist (for one an earlier step makes, write run: "cd /no/such/dir && …")',
  ],
  // past 720h a duration is a typo (and past 2^31 ms a plain timer would fire at once)
  'duration-too-long.yml': [
    '4:13: stages[0].budget: duration "721h" is too long: at most 720h (30 days)',
    '9:18: stages[0].steps[1].timeout: duration "43200m1s" is too long: at most 720h (30 days)',
    '10:18: stages[0].steps[2].monitor: duration "99999999999999999999h" is too long: at most 720h (30 days)',
  ],
};

describe('the invalid corpus', () => {
  const files = readdirSync(join(ROOT, INVALID)).sort();

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(28);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: exit 2 with the located error${expected.length > 1 ? 's' : ''}`, async () => {
      const file = `${INVALID}/${name}`;
      const r = await cockpit('validate', file);
      const err = lines(r.stderr);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(err.filter((l) => /^\s+at /.test(l))).toEqual([]);
      expect(r.stderr).not.toMatch(/internal error/);
      const count = expected.length;
      expect(err).toEqual([...expected.map((e) => `${file}:${e}`), `${count} error${count === 1 ? '' : 's'} in ${file}`]);
    });
  }
});

describe('the valid fixture', () => {
  it('full.yml (every section of the schema) validates with the exact summary', async () => {
    const r = await cockpit('validate', 'test/fixtures/valid/full.yml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'ok: web-app: 3 checks (2 automated, 1 manual), 2 stages, 6 steps, 3 rollback steps, 5 triggers, 4 metrics, 2 probes, ' +
        '3 escalation levels, 2 flags, 1 experiment, 2 troubleshooting entries, 2 secrets',
      // the secrets a message needs, not set here: said where they are written (the run reports each message not sent)
      'test/fixtures/valid/full.yml:79:53: warning: $SLACK_WEBHOOK_URL is not set here: at escalation level 2 nothing can be sent to slack (the run reports it as a failure)',
      'test/fixtures/valid/full.yml:84:16: warning: $PAGERDUTY_ROUTING_KEY is not set here: on rollback, verified nothing can be sent to pagerduty (the run reports it as a failure)',
    ]);
  });
});

describe('a runbook that is not there', () => {
  it('gives one clear line and exit 2', async () => {
    const r = await cockpit('validate', 'test/fixtures/invalid/no-such-file.yml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual(['cockpit: no such runbook: test/fixtures/invalid/no-such-file.yml']);
  });
});
