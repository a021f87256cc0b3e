/** The small parts of the runbook model: durations, command splitting, placeholders, normalize. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeCommand, parseCommand, programOf, quoteForDisplay, splitWords } from '../../src/runbook/command.js';
import { DURATION_PATTERN, formatClock, formatDuration, parseDuration } from '../../src/runbook/duration.js';
import { loadRunbook, parseRunbook } from '../../src/runbook/load.js';
import { normalize, slug } from '../../src/runbook/normalize.js';
import { envName, placeholderEnv, placeholdersIn, resolveInvocation, substitute } from '../../src/runbook/placeholders.js';
import { RunbookSchema } from '../../src/runbook/schema.js';
import type { Runbook } from '../../src/runbook/types.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['2m500ms', 120_500],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('accepts the number 0 and no other number', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(5)).toBeUndefined();
    expect(parseDuration(90_000)).toBeUndefined();
  });

  it.each(['5', '1m30', 'm', '', ' ', 'ms', '1.5m', '-1m', '1s1m', '30m1h', '5 m', '2 minutes', '1d', '00', '1h30', 'h1', '2mm'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('agrees with the schema pattern on what is a duration', () => {
    for (const text of ['0', '500ms', '90s', '2m', '1h30m', '1m30s', '2m500ms', '5', '1m30', 'm', '', '1.5m', '1s1m', '00', '2mm', '0ms']) {
      expect(DURATION_PATTERN.test(text), text).toBe(parseDuration(text) !== undefined);
    }
  });
});

describe('formatClock and formatDuration', () => {
  it('formats elapsed time as m:ss or h:mm:ss', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(999)).toBe('0:00');
    expect(formatClock(65_000)).toBe('1:05');
    expect(formatClock(600_000)).toBe('10:00');
    expect(formatClock(3_723_000)).toBe('1:02:03');
    expect(formatClock(-5_000)).toBe('0:00');
  });

  it('formats log durations compactly', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(4_200)).toBe('4.2s');
    expect(formatDuration(59_940)).toBe('59.9s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_600_000)).toBe('60m00s');
  });
});

describe('splitWords', () => {
  it.each([
    ['./deploy.sh', ['./deploy.sh']],
    ['./scripts/deploy.sh staging --fast', ['./scripts/deploy.sh', 'staging', '--fast']],
    ['  ./a.sh \t b  ', ['./a.sh', 'b']],
    [`./notify.sh "hello world" 'a b'`, ['./notify.sh', 'hello world', 'a b']],
    [`./x.sh 'it"s' "it's"`, ['./x.sh', 'it"s', "it's"]],
    [`./x.sh ""`, ['./x.sh', '']],
    [`./x.sh pre"mid"post`, ['./x.sh', 'premidpost']],
    ['./x.sh --opt=1 a=b', ['./x.sh', '--opt=1', 'a=b']],
    ['./x.sh a#b', ['./x.sh', 'a#b']],
    ['./x.sh user@host:path', ['./x.sh', 'user@host:path']],
  ])('%j is argv', (text, argv) => {
    expect(splitWords(text)).toEqual(argv);
  });

  it.each([
    ['./deploy.sh {version}', ['./deploy.sh', '{version}']],
    ['./flag.sh --feature={flag} --percentage={percent}', ['./flag.sh', '--feature={flag}', '--percentage={percent}']],
    ['./tag.sh v{git.sha}', ['./tag.sh', 'v{git.sha}']],
    ['./x.sh "{reason}"', ['./x.sh', '{reason}']],
  ])('placeholders stay argv: %j', (text, argv) => {
    expect(splitWords(text)).toEqual(argv);
  });

  it.each([
    ['pipe', './deploy.sh | tee deploy.log'],
    ['and', './a.sh && ./b.sh'],
    ['semicolon', './a.sh; ./b.sh'],
    ['background', './a.sh &'],
    ['redirect', './a.sh > out.log'],
    ['input redirect', './a.sh < in.txt'],
    ['command substitution', 'echo $(date)'],
    ['backticks', 'echo `date`'],
    ['variable', 'echo $HOME'],
    ['variable in double quotes', 'echo "$HOME"'],
    ['glob *', 'rm build/*.tmp'],
    ['glob ?', 'ls file?.txt'],
    ['glob [..]', 'ls file[12].txt'],
    ['brace expansion', 'cp a.{js,map} dist/'],
    ['unclosed brace', './x.sh {version'],
    ['subshell', '(cd web && make)'],
    ['negation', '! ./check.sh'],
    ['escape', './x.sh a\\ b'],
    ['comment', './x.sh # note'],
    ['tilde', '~/bin/deploy'],
    ['env assignment', 'FOO=1 ./deploy.sh'],
    ['env assignment only', 'FOO=1'],
    ['newline', './a.sh\n./b.sh'],
    ['unbalanced quote', "./x.sh it's"],
    ['empty', ''],
    ['blank', '   '],
  ])('%s needs a shell', (_what, text) => {
    expect(splitWords(text)).toBeUndefined();
  });
});

describe('parseCommand, programOf, describeCommand', () => {
  it('a list is argv as written, never split or shell-parsed', () => {
    expect(parseCommand(['./x.sh', 'a b', '$(date)', '*'])).toEqual({ kind: 'argv', argv: ['./x.sh', 'a b', '$(date)', '*'] });
  });

  it('a string without shell syntax is argv; with it, a bash script kept verbatim', () => {
    expect(parseCommand('./deploy.sh staging {version}')).toEqual({ kind: 'argv', argv: ['./deploy.sh', 'staging', '{version}'] });
    expect(parseCommand('FOO=1 ./deploy.sh | tee log')).toEqual({ kind: 'shell', script: 'FOO=1 ./deploy.sh | tee log' });
  });

  it('finds the program: argv[0], or a leading path in a script', () => {
    expect(programOf(parseCommand(['./scripts/a.sh', 'x']))).toBe('./scripts/a.sh');
    expect(programOf(parseCommand('./scripts/deploy.sh | tee log'))).toBe('./scripts/deploy.sh');
    expect(programOf(parseCommand('/usr/bin/env bash -c "echo $X"'))).toBe('/usr/bin/env');
    expect(programOf(parseCommand('echo $HOME'))).toBeUndefined();
  });

  it('shows argv with quoting only where needed', () => {
    expect(describeCommand(parseCommand(['./x.sh', 'hello world', '--feature={flag}', "it's"]))).toBe(`./x.sh 'hello world' --feature={flag} 'it'\\''s'`);
    expect(describeCommand(parseCommand('./a.sh | tee log'))).toBe('./a.sh | tee log');
    expect(quoteForDisplay('')).toBe("''");
    expect(quoteForDisplay('$(x)')).toBe("'$(x)'");
  });
});

describe('placeholders', () => {
  const values = { version: '2.4.0', flag: 'new-feature', percent: '25', reason: 'error rate 1.2% > 1%', 'git.sha': 'abc1234' } as const;

  it('substitutes known placeholders inside argv elements', () => {
    expect(substitute('--feature={flag}', values)).toBe('--feature=new-feature');
    expect(substitute('{flag}@{percent}%', values)).toBe('new-feature@25%');
    expect(substitute('v{git.sha}', values)).toBe('vabc1234');
  });

  it('leaves unknown names and names without a value as written', () => {
    expect(substitute('{nope} {winner}', values)).toBe('{nope} {winner}');
    expect(substitute('{"json": 1}', values)).toBe('{"json": 1}');
  });

  it('names them COCKPIT_* in the environment', () => {
    expect(envName('git.sha')).toBe('COCKPIT_GIT_SHA');
    expect(envName('reason')).toBe('COCKPIT_REASON');
    expect(placeholderEnv({ version: '1', 'git.describe': 'v1-3-gabc' })).toEqual({ COCKPIT_VERSION: '1', COCKPIT_GIT_DESCRIBE: 'v1-3-gabc' });
    expect(placeholdersIn('./x.sh {version} {nope} {reason} {version}')).toEqual(['version', 'reason']);
  });

  it('argv form: values go into the elements; the environment carries them too', () => {
    const inv = resolveInvocation(parseCommand(['./flag.sh', '--feature={flag}', '--percentage={percent}']), values);
    expect(inv.file).toBe('./flag.sh');
    expect(inv.args).toEqual(['--feature=new-feature', '--percentage=25']);
    expect(inv.env.COCKPIT_FLAG).toBe('new-feature');
    expect(inv.env.COCKPIT_REASON).toBe('error rate 1.2% > 1%');
  });

  it('shell form: the script gets ${COCKPIT_X} references, never the value', () => {
    const inv = resolveInvocation(parseCommand('./notify.sh "{reason}" | tee -a {nope}.log'), values);
    expect(inv.file).toBe('bash');
    expect(inv.args).toEqual(['-c', './notify.sh "${COCKPIT_REASON}" | tee -a {nope}.log']);
    expect(inv.args[1]).not.toContain('error rate');
    expect(inv.env.COCKPIT_REASON).toBe(values.reason);
  });

  describe('a hostile value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-placeholders-'));
    const marker = join(dir, 'pwned');
    const hostile = `$(touch ${marker}); \`touch ${marker}\` '"; touch ${marker}`;
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stays one literal argv element and is never run', () => {
      const cmd = parseCommand([process.execPath, '-p', 'process.argv[1]', '{reason}']);
      const run = resolveInvocation(cmd, { reason: hostile });
      expect(run.args).toEqual(['-p', 'process.argv[1]', hostile]);
      const out = execFileSync(run.file, run.args, { encoding: 'utf8', env: { ...process.env, ...run.env } });
      expect(out.trimEnd()).toBe(hostile);
      expect(existsSync(marker)).toBe(false);
    });

    it('reaches a shell script only as a variable, which bash does not parse', () => {
      const run = resolveInvocation(parseCommand('printf "%s" "{reason}" | cat'), { reason: hostile });
      expect(run.args[1]).toBe('printf "%s" "${COCKPIT_REASON}" | cat');
      const out = execFileSync(run.file, run.args, { encoding: 'utf8', env: { ...process.env, ...run.env } });
      expect(out).toBe(hostile);
      expect(existsSync(marker)).toBe(false);
    });

    it.each([
      ['unquoted', 'printf "%s|" {reason} | cat', 'printf "%s|" "${COCKPIT_REASON}" | cat'],
      ['in single quotes', "printf '%s|' '<{reason}>' | cat", `printf '%s|' '<'"\${COCKPIT_REASON}"'>' | cat`],
    ])('%s, the reference is quoted so the value is neither split nor globbed', (_what, script, expected) => {
      const value = `${hostile} * two  words`;
      const run = resolveInvocation(parseCommand(script), { reason: value });
      expect(run.args[1]).toBe(expected);
      const out = execFileSync(run.file, run.args, { encoding: 'utf8', env: { ...process.env, ...run.env } });
      expect(out).toBe(script.includes("'<") ? `<${value}>|` : `${value}|`);
      expect(existsSync(marker)).toBe(false);
    });
  });
});

function load(yaml: string): Runbook {
  const r = parseRunbook(yaml, '/tmp/cockpit-test/cockpit.yml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return r.runbook;
}

describe('normalize', () => {
  it('derives step ids from the program, with unique suffixes', () => {
    const rb = load(`
name: app
stages:
  - id: staging
    steps:
      - ./scripts/deploy-staging.sh
      - [./scripts/verify-critical-paths.sh, staging]
      - run: ./scripts/deploy-staging.sh --again
      - ./scripts/deploy-staging.sh | tee log
      - echo "done" > status.txt
      - monitor: 30s
      - monitor: 30s
      - run: ./scripts/Smoke_Test.py
`);
    const steps = rb.stages[0].steps;
    expect(steps.map((s) => s.id)).toEqual([
      'deploy-staging',
      'verify-critical-paths',
      'deploy-staging-2',
      'deploy-staging-3',
      'echo-done',
      'monitor-30s',
      'monitor-30s-2',
      'smoke-test',
    ]);
    expect(steps[0]).toMatchObject({ kind: 'command', title: 'deploy-staging', display: './scripts/deploy-staging.sh', command: { kind: 'argv', argv: ['./scripts/deploy-staging.sh'] } });
    expect(steps[3]).toMatchObject({ command: { kind: 'shell', script: './scripts/deploy-staging.sh | tee log' } });
    expect(steps[5]).toMatchObject({ kind: 'monitor', title: 'monitor 30s', durationMs: 30_000 });
  });

  it('keeps explicit ids as written; derived ids step around them', () => {
    const rb = load(`
name: app
stages:
  - id: staging
    steps:
      - ./scripts/deploy.sh
      - { id: deploy, run: ./scripts/other.sh, title: The real deploy }
      - ./scripts/deploy.sh
`);
    expect(rb.stages[0].steps.map((s) => [s.id, s.title])).toEqual([
      ['deploy-2', 'deploy-2'],
      ['deploy', 'The real deploy'],
      ['deploy-3', 'deploy-3'],
    ]);
  });

  it('step ids are unique per stage, not across stages', () => {
    const rb = load(`
name: app
stages:
  - { id: a, steps: [./deploy.sh] }
  - { id: b, steps: [./deploy.sh] }
`);
    expect(rb.stages.map((s) => s.steps[0].id)).toEqual(['deploy', 'deploy']);
  });

  it('arms rollback triggers from the first production stage on, unless a stage says otherwise', () => {
    const rb = load(`
name: app
stages:
  - { id: build, steps: [./build.sh] }
  - { id: staging, steps: [./deploy.sh] }
  - { id: canary, environment: Production, steps: [./deploy.sh] }
  - { id: prod, steps: [./deploy.sh] }
  - { id: verify, steps: [./verify.sh] }
  - { id: cleanup, armed: false, steps: [./cleanup.sh] }
`);
    expect(rb.stages.map((s) => [s.id, s.armed])).toEqual([
      ['build', false],
      ['staging', false],
      ['canary', true],
      ['prod', true],
      ['verify', true],
      ['cleanup', false],
    ]);
    expect(rb.environment).toBe('prod');
  });

  it.each(['production', 'prod', 'live', 'PRODUCTION'])('a stage with id %j is armed', (id) => {
    const rb = load(`name: app\nstages:\n  - { id: staging, steps: [./a.sh] }\n  - { id: ${id}, steps: [./a.sh] }\n`);
    expect(rb.stages.map((s) => s.armed)).toEqual([false, true]);
  });

  it('arms nothing when no stage is production, except a stage that asks', () => {
    const rb = load(`
name: app
stages:
  - { id: dev, steps: [./a.sh] }
  - { id: staging, armed: true, steps: [./a.sh] }
  - { id: qa, steps: [./a.sh] }
`);
    expect(rb.stages.map((s) => s.armed)).toEqual([false, true, false]);
    expect(rb.environment).toBe('qa');
  });

  it('fills defaults: titles, confirm, durations, rollback grace, pre-flight ids, trigger ids', () => {
    const rb = load(`
name: app
preflight:
  - { title: All tests passing!, run: ./verify-tests.sh, timeout: 90s }
  - { title: All tests passing!, manual: Look again }
stages:
  - id: production
    budget: 1h30m
    steps:
      - { run: ./deploy.sh, timeout: 2m, retries: 2 }
metrics:
  source: { type: demo }
  series: { error_rate: {}, latency: {} }
probes:
  - { name: checkout, url: "http://127.0.0.1:1/", critical: true }
rollback:
  steps: [./rollback.sh]
  incident: [./incident.sh, "{reason}"]
  triggers:
    - { metric: error_rate, above: 1, for: 2m }
    - { metric: error_rate, above: 5 }
    - { metric: latency, below: 1 }
    - { probe: critical, status: 5xx }
escalation:
  - { after: 0m, run: ./page.sh }
  - { after: 5m, notify: { slack: { webhookEnv: HOOK } } }
`);
    expect(rb.versionTemplate).toBe('{git.describe}');
    expect(rb.preflight).toMatchObject([
      { kind: 'auto', id: 'all-tests-passing', title: 'All tests passing!', timeoutMs: 90_000 },
      { kind: 'manual', id: 'all-tests-passing-2', text: 'Look again' },
    ]);
    const stage = rb.stages[0];
    expect(stage).toMatchObject({ title: 'production', environment: 'production', confirm: 'press-r', budgetMs: 5_400_000 });
    expect(stage.steps[0]).toMatchObject({ timeoutMs: 120_000, retries: 2 });
    expect(rb.rollback?.graceMs).toBe(5_000);
    expect(rb.rollback?.incident).toMatchObject({ id: 'incident', command: { kind: 'argv', argv: ['./incident.sh', '{reason}'] } });
    expect(rb.rollback?.triggers.map((t) => t.id)).toEqual(['error-rate-above', 'error-rate-above-2', 'latency-below', 'probe-critical']);
    expect(rb.rollback?.triggers[0]).toMatchObject({ kind: 'metric', op: 'above', threshold: 1, forMs: 120_000, onNoData: 'hold', maxErrors: 4 });
    expect(rb.rollback?.triggers[2]).toMatchObject({ op: 'below', threshold: 1, forMs: 0 });
    expect(rb.escalation).toMatchObject([
      { level: 1, afterMs: 0, title: 'Level 1', run: { id: 'escalation-1' } },
      { level: 2, afterMs: 300_000, title: 'Level 2', notify: { kind: 'slack', webhookEnv: 'HOOK' } },
    ]);
  });

  it('normalize() on a schema-parsed object sets file and dir', () => {
    const raw = RunbookSchema.parse({ name: 'x', stages: [{ id: 's', steps: ['./a.sh'] }] });
    const rb = normalize(raw, '/srv/app/cockpit.yml');
    expect(rb.file).toBe('/srv/app/cockpit.yml');
    expect(rb.dir).toBe('/srv/app');
    expect(rb.stages[0].steps[0].id).toBe('a');
  });

  it('slug makes ids from titles', () => {
    expect(slug('Deploy to Staging!')).toBe('deploy-to-staging');
    expect(slug('  --  ')).toBe('step');
    expect(slug('x'.repeat(60))).toHaveLength(40);
  });
});

describe('the emergency item that is the rollback', () => {
  const rbOf = (text: string): Runbook => {
    const r = parseRunbook(text, '/srv/app/cockpit.yml');
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    return r.runbook;
  };
  const BASE = 'name: x\nstages:\n  - id: a\n    steps: [./a.sh]\n';

  it('"stop the bleeding", "roll back …" or a rollback-… script is the rollback (the R dialog), not a runnable action; rollback: false keeps it an action', () => {
    const rb = rbOf(`${BASE}rollback:\n  steps: [./scripts/rollback-production.sh]\nemergency:
  - { title: "IMMEDIATE: Stop the bleeding", run: ./scripts/rollback-last-release.sh }
  - { title: "ASSESS: Check system health", run: ./scripts/health-check.sh }
  - { title: "Check rollback status", run: ./scripts/check-rollback-status.sh }
  - { title: Undo, run: [./scripts/rollback.sh, --now] }
  - { title: "Roll back the database", run: ./scripts/db.sh, rollback: false }
`);
    expect(rb.emergencyRollback).toEqual({ title: 'IMMEDIATE: Stop the bleeding', display: './scripts/rollback-last-release.sh' });
    expect(rb.emergency.map((e) => e.title)).toEqual(['ASSESS: Check system health', 'Check rollback status', 'Roll back the database']);
    // the rollback section is the rollback: the item's own script is not run
    expect(rb.rollback!.steps.map((s) => s.display)).toEqual(['./scripts/rollback-production.sh']);
  });

  it('rollback: true needs no run; without a rollback section the item\'s command is the rollback', () => {
    expect(rbOf(`${BASE}rollback:\n  steps: [./r.sh]\nemergency:\n  - { title: Stop it all, rollback: true }\n`).emergencyRollback).toEqual({ title: 'Stop it all', display: undefined });
    const rb = rbOf(`${BASE}emergency:\n  - { title: "IMMEDIATE: Stop the bleeding", run: ./scripts/rollback-last-release.sh }\n`);
    expect(rb.emergency).toEqual([]);
    expect(rb.rollback).toMatchObject({ verify: [], triggers: [], steps: [expect.objectContaining({ id: 'rollback', title: 'IMMEDIATE: Stop the bleeding', display: './scripts/rollback-last-release.sh' })] });
    const bad = parseRunbook(`${BASE}emergency:\n  - { title: Check things }\n`, '/srv/app/cockpit.yml');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.message)).toEqual(['emergency[0]: an emergency item needs `run` (or `rollback: true`: the item is the rollback)']);
  });
});

describe('the seed\'s "IMMEDIATE: Stop the bleeding"', () => {
  it('is the rollback of the seed runbook (its Manual Rollback section), not an action run beside the release', () => {
    const seed = fileURLToPath(new URL('../../examples/seed/', import.meta.url));
    const r = loadRunbook(join(seed, 'release-runbook.md'), seed);
    expect(r.ok).toBe(true);
    const rb = (r as { runbook: Runbook }).runbook;
    expect(rb.emergencyRollback?.title).toBe('IMMEDIATE: Stop the bleeding');
    expect(rb.emergency.map((e) => e.title)).toEqual(['ASSESS: Check system health', 'COMMUNICATE: Alert the team']);
    expect(rb.rollback!.steps.map((s) => s.display)).toEqual(['./scripts/rollback-production.sh']);
  });
});
