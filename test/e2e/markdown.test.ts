/**
 * Markdown runbooks through the CLI: what runs steps through the BUILT binary (build first: node
 * scripts/build.mjs); validate, import, init and --dry-run in-process through `main(argv, io)`
 * (`cli`), the same words in milliseconds.
 * The seed is examples/seed/release-runbook.md (a verbatim copy of the runbook the product was asked for);
 * a copy with a front matter on top is made in a temp dir. COCKPIT_STATE_DIR points into a temp
 * dir so no run writes beside the seed.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cockpitInProcess } from '../helpers/cli.js';
import { runDirOf } from '../../src/runbook/run-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const SEED = join(ROOT, 'examples', 'seed', 'release-runbook.md');
/** Where the seed's commands run: this repository's root in a git checkout (a Markdown runbook in a repository runs from its root), else beside it. */
const SEED_RUNS_IN = runDirOf(SEED);
const FIXTURES = join(ROOT, 'test', 'fixtures', 'markdown');
const STACK_LINE = /^\s+at /;
/** What the seed's prose cannot say (a metrics source, a probe, a webhook), put on top of a copy. */
const SEED_FRONT_MATTER = readFileSync(join(FIXTURES, 'seed-front-matter.md'), 'utf8');

type Result = { code: number; stdout: string; stderr: string; out: string[]; err: string[] };

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-md-e2e-'));
  temps.push(d);
  return d;
}

beforeAll(() => {
  for (const f of [BIN, join(ROOT, 'dist', 'cockpit.js')]) if (!existsSync(f)) throw new Error(`${f} is missing: build first (node scripts/build.mjs)`);
});

function cockpit(args: string[], cwd = ROOT): Promise<Result> {
  const state = tempDir();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, COCKPIT_STATE_DIR: state, COCKPIT_DEBUG: '', NO_COLOR: '1', CI: 'true' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(error);
        const lines = (t: string) => t.split('\n').filter((l) => l !== '');
        resolve({ code, stdout, stderr, out: lines(stdout), err: lines(stderr) });
      },
    );
  });
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * The same command in-process, through `main(argv, io)` (what needs no step run: validate, import,
 * init, --dry-run): this process's working directory and environment are the command's for its
 * duration, one command at a time.
 */
function cli(args: string[], cwd = ROOT): Promise<Result> {
  const run = async (): Promise<Result> => {
    const r = await cockpitInProcess(args, { cwd, env: { COCKPIT_STATE_DIR: tempDir(), COCKPIT_DEBUG: '', NO_COLOR: '1', CI: 'true' } });
    const lines = (t: string) => t.split('\n').filter((l) => l !== '');
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, out: lines(r.stdout), err: lines(r.stderr) };
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}

function expectNoStack(r: Result): void {
  expect([...r.out, ...r.err].filter((l) => STACK_LINE.test(l) || l.includes('internal error'))).toEqual([]);
}

/** The seed's rollback pipeline: the scripts it names (validate and the guardrail self-test refuse a rollback that cannot run). */
const SEED_ROLLBACK_SCRIPTS = ['rollback-production.sh', 'verify-rollback.sh', 'create-incident.sh'];

/** The seed's rollback scripts, executable, in dir/scripts (as a team that adopts the seed writes them). */
function rollbackScripts(dir: string): void {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  for (const f of SEED_ROLLBACK_SCRIPTS) writeFileSync(join(dir, 'scripts', f), '#!/bin/sh\necho "$0 $*"\n', { mode: 0o755 });
}

/** The seed with the front matter on top, in a temp dir, beside its rollback scripts. */
function seedCopy(): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'release-runbook.md');
  writeFileSync(file, SEED_FRONT_MATTER + readFileSync(SEED, 'utf8'));
  rollbackScripts(dir);
  return { dir, file };
}

/** The seed as it is (no front matter) in a temp dir, beside its rollback scripts. */
function seedWithRollback(): string {
  const dir = tempDir();
  cpSync(SEED, join(dir, 'release-runbook.md'));
  rollbackScripts(dir);
  return dir;
}

/** What validate says of a seed whose rollback scripts are not written: each an error where the rollback names it. */
function seedRollbackErrors(display: string, runsIn: string): string[] {
  return [
    `${display}:128:1: rollback rollback-production cannot run: missing: ./scripts/rollback-production.sh (no such file in ${runsIn}) (the guardrail self-test fails the pre-flight on it)`,
    `${display}:131:1: rollback verify-rollback cannot run: missing: ./scripts/verify-rollback.sh (no such file in ${runsIn}) (the guardrail self-test fails the pre-flight on it)`,
    `${display}:134:1: rollback incident cannot run: missing: ./scripts/create-incident.sh (no such file in ${runsIn}) (the guardrail self-test fails the pre-flight on it)`,
    `3 errors in ${display}`,
  ];
}

/** What validate maps from the seed (the same with errors or without). */
const SEED_MAPPED = [
  '  4 pre-flight checks (1 automated, 3 manual): lines 32, 33, 34, 35',
  '  4 stages (pre-release 5m, staging 2m, production 3m, post-release 2m): lines 41, 60, 79, 98',
  '  12 steps: lines 47, 50, 53, 64, 67, 70, 83, 86, 89, 102, 105, 108',
  '  1 criterion: line 76',
  '  3 rollback steps (1 rollback, 1 verify, 1 incident): lines 128, 131, 134',
  '  4 triggers: lines 119, 120, 121, 122',
  '  4 metrics (latency_p95, error_rate, throughput, memory): lines 158, 159, 160, 161',
  '  3 escalation levels: lines 165, 166, 167',
  '  1 flag (new-feature): line 225',
  '  1 experiment (checkout-flow-v2): line 237',
  '  3 troubleshooting entries: lines 175, 185, 195',
  '  3 emergency actions: lines 21, 24, 27',
];

/** `  FILE:LINE: [kind] what: why` lines of the report. */
function unmappedLines(out: string[]): { line: string; kind: string; text: string }[] {
  return out.flatMap((l) => {
    const m = /^ {2}\S*release-runbook\.md:(\d+(?:-\d+)?): \[([^\]]+)\] (.*)$/.exec(l);
    return m ? [{ line: m[1], kind: m[2], text: m[3] }] : [];
  });
}

/** What validate says of the seed without a front matter: kept, not armed, and exactly what to add (the same for its imported YAML but the words "front matter"). */
const SEED_NOT_ARMED = [
  'stages[1].criteria[0] (latency_p95 < 500 ms): not checked: no metrics source',
  'rollback.triggers[0] (error_rate > 1 % for 2m): not armed: no metrics source',
  'rollback.triggers[1] (latency_p95 > 2000 ms for 3m): not armed: no metrics source',
  'rollback.triggers[2] (critical probes 5xx): not armed: no probes',
  'rollback.triggers[3] (memory > 85 % for 5m): not armed: no metrics source',
];
const SEED_ARMING_NEEDS = [
  '  metrics.source: where the metrics come from: {type: prometheus, url: …}, {type: http-json, url: …}, {type: command, run: …} or {type: demo}',
  '  a query (PromQL, for prometheus) or a pointer (JSON pointer, for http-json) for each series: latency_p95, error_rate, throughput, memory',
  '  probes: a probe marked critical: true, e.g. {name: checkout, url: http://…, critical: true} (for "critical probes 5xx")',
];
/** No trigger of the seed is armed without a front matter: validate says AUTO-ROLLBACK OFF (at rollback:) before the list. */
const SEED_OFF = 'AUTO-ROLLBACK OFF: no rollback trigger is armed: 4 triggers wait for a metrics source or probes: no stage rolls back on its own (R or cockpit rollback only)';
const SEED_SUMMARY =
  '4 checks (1 automated, 3 manual), 4 stages, 12 steps, 3 rollback steps, 4 triggers (4 not armed), 4 metrics (no source), 0 probes, 3 escalation levels, 1 flag, 1 experiment, 3 troubleshooting entries, 0 secrets';

/** `FILE:LINE:COL: warning: message` lines → [line, message]. */
function warnings(out: string[]): [number, string][] {
  return out.flatMap((l) => {
    const m = /^\S+:(\d+):\d+: warning: (.*)$/.exec(l);
    return m ? [[Number(m[1]), m[2]] as [number, string]] : [];
  });
}

describe('cockpit validate on the seed', () => {
  it('as it is, its rollback scripts not written: exit 2, each missing rollback script an error at its line, then what was mapped', async () => {
    const r = await cli(['validate', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.slice(0, 4)).toEqual(seedRollbackErrors('examples/seed/release-runbook.md', SEED_RUNS_IN));
    expect(r.err[4]).toBe('mapped from examples/seed/release-runbook.md:');
    expect(r.err.slice(5, 17)).toEqual(SEED_MAPPED);
    expect(r.err[r.err.length - 1]).toBe('nothing automatable is left unmapped');
  });

  it('beside its rollback scripts: exits 0: ok, the mapped counts, the unmapped list, nothing automatable left out, and what is not armed yet', async () => {
    const r = await cli(['validate', 'release-runbook.md'], seedWithRollback());
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toBe(`ok: Release Runbook: ${SEED_SUMMARY}`);
    expect(r.out[1]).toBe('mapped from release-runbook.md:');
    expect(r.out.slice(2, 14)).toEqual(SEED_MAPPED);
    expect(r.out.filter((l) => /release-runbook\.md:222: /.test(l)).map((l) => l.replace(/^ {2}\S*release-runbook\.md:222: /, ''))).toEqual([
      'flag deploy: ["./scripts/deploy-with-flags.sh","--feature={flag}","--enabled=false"] (the code with a flag off, before its ramp: `d` on the Flags pane, `cockpit flag <name> --deploy`)',
    ]);
    // the triggers, thresholds and criterion are mapped now (they used to be listed here, as "needs front matter", and dropped)
    expect(r.out).toContain('not mapped (25: 10 documentation, 11 for people, 4 cockpit does it):');
    const unmapped = unmappedLines(r.out);
    expect(unmapped).toHaveLength(25);
    // documentation, things for people, things cockpit does itself
    expect(new Set(unmapped.map((u) => u.kind))).toEqual(new Set(['documentation', 'for people', 'cockpit does it']));
    expect(unmapped.find((u) => u.line === '248-268')?.text).toBe('Release Success Metrics (Release Velocity, Quality Metrics, Team Confidence): not automatable (targets for people)');
    expect(unmapped.find((u) => u.line === '276-278')?.text).toBe('Release History Log table: written by `cockpit history --markdown` from the journals');
    // then what is kept but not armed, at its line, and what the front matter needs to arm it
    const verdict = r.out.indexOf('nothing automatable is left unmapped');
    expect(r.out[verdict + 1]).toBe(`release-runbook.md:128:1: warning: ${SEED_OFF}`);
    expect(r.out.slice(verdict + 2, verdict + 7)).toEqual(SEED_NOT_ARMED.map((m, i) => `release-runbook.md:${[76, 119, 120, 121, 122][i]}:1: warning: ${m}`));
    expect(r.out.slice(verdict + 7)).toEqual(['4 rollback triggers and 1 stage criterion not armed: to arm them, add to the front matter:', ...SEED_ARMING_NEEDS]);
  });

  it('with a front matter: the 4 triggers, 4 metrics, the probe and 3 escalation levels, nothing waiting', async () => {
    const { dir } = seedCopy();
    const r = await cli(['validate', 'release-runbook.md'], dir);
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      'ok: web-app: 4 checks (1 automated, 3 manual), 4 stages, 12 steps, 3 rollback steps, 4 triggers, 4 metrics, 1 probe, 3 escalation levels, 1 flag, 1 experiment, 3 troubleshooting entries, 0 secrets',
    );
    expect(r.out).toContain('  1 criterion: line 89');
    expect(r.out).toContain('  4 triggers: lines 132, 133, 134, 135');
    expect(r.out).toContain('  4 metrics (latency_p95, error_rate, throughput, memory): lines 171, 172, 173, 174');
    expect(unmappedLines(r.out).filter((u) => u.kind === 'needs front matter')).toEqual([]);
  });
});

describe('running the seed as it is', () => {
  it('--dry-run lists every command and marks the missing scripts', async () => {
    const r = await cli(['run', '--dry-run', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(0);
    const commands = r.out.filter((l) => /^ {2}[^[]+: \[/.test(l));
    // 1 automated check, 12 steps, 3 rollback steps; 2 emergency actions (the third, "Stop the
    // bleeding", is the rollback: a note), 6 troubleshooting scripts, the flag's set and deploy,
    // the experiment's deploy and conclude
    expect(commands).toHaveLength(16 + 2 + 6 + 2 + 2);
    expect(r.out).toContain('  rollback: "IMMEDIATE: Stop the bleeding": the rollback (opens the R dialog); ./scripts/rollback-last-release.sh is not run');
    for (const l of commands.filter((c) => c.includes('["./scripts/'))) expect(l).toMatch(/\(missing: \.\/scripts\/[\w.-]+\.sh \(no such file in /);
    // the argv commands, and the shell-string one whose program is a script (log-release.sh "$(git describe --tags)")
    expect(commands.filter((c) => c.includes('(missing: ./scripts/'))).toHaveLength(15 + 2 + 6 + 2 + 2);
    expect(r.out.slice(r.out.indexOf('flags'))).toEqual([
      'flags',
      `  new-feature set: ["./scripts/enable-feature-flag.sh","--feature=new-feature","--percentage=<percent>"]  (missing: ./scripts/enable-feature-flag.sh (no such file in ${SEED_RUNS_IN}))`,
      `  new-feature deploy (flag off): ["./scripts/deploy-with-flags.sh","--feature=new-feature","--enabled=false"]  (missing: ./scripts/deploy-with-flags.sh (no such file in ${SEED_RUNS_IN}))`,
      'experiment checkout-flow-v2',
      `  deploy: ["./scripts/deploy-ab-test.sh","--experiment=checkout-flow-v2"]  (missing: ./scripts/deploy-ab-test.sh (no such file in ${SEED_RUNS_IN}))`,
      `  conclude: ["./scripts/conclude-experiment.sh","--experiment=checkout-flow-v2"]  (missing: ./scripts/conclude-experiment.sh (no such file in ${SEED_RUNS_IN}))`,
    ]);
    expect(r.out).toContain('stage production: Deploy to Production');
    expect(r.out).toContain('  monitor-deployment: ["./scripts/monitor-deployment.sh","--duration=5m"]  (missing: ./scripts/monitor-deployment.sh (no such file in ' + SEED_RUNS_IN + '))');
    expect(r.out).toContain('  git-checkout-b: ["bash","-c","git checkout -b release/$(date +%Y.%m.%d)"]');
    expect(r.out.filter((l) => l.includes('manual:'))).toHaveLength(3);
  });

  it('run --headless --yes fails the first step whose script is missing, then the guardrail self-test on the missing rollback scripts, exit 1', async () => {
    const r = await cockpit(['run', '--headless', '--yes', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(1);
    const text = r.out.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(text).toContain('  ✗ All tests passing FAILED: missing: ./scripts/verify-tests.sh (no such file in ' + SEED_RUNS_IN + ')');
    // the self-test checks the rollback pipeline: each missing script, what runs it, the fix
    const selfTest = text.indexOf('  ▶ Guardrail self-test: read 0 series and 0 probes; check the rollback commands');
    expect(selfTest).toBeGreaterThan(text.indexOf('  ✗ All tests passing FAILED: missing: ./scripts/verify-tests.sh (no such file in ' + SEED_RUNS_IN + ')'));
    expect(text.slice(selfTest + 1, selfTest + 10)).toEqual([
      '  │ ✗ rollback rollback-production: missing: ./scripts/rollback-production.sh',
      '  │   run: ./scripts/rollback-production.sh',
      '  │   fix: make it exist where the rollback runs, or correct the path',
      '  │ ✗ rollback verify-rollback: missing: ./scripts/verify-rollback.sh',
      '  │   run: ./scripts/verify-rollback.sh',
      '  │   fix: make it exist where the rollback runs, or correct the path',
      '  │ ✗ rollback incident: missing: ./scripts/create-incident.sh',
      '  │   run: ./scripts/create-incident.sh {reason}',
      '  │   fix: make it exist where the rollback runs, or correct the path',
    ]);
    expect(text[selfTest + 10]).toMatch(/^ {2}✗ Guardrail self-test FAILED: rollback rollback-production: missing: \.\/scripts\/rollback-production\.sh \(\+2 more\) \(\d+ms\)$/);
    expect(text).toContain('✗ pre-flight FAILED (failed: All tests passing, Guardrail self-test)');
    expect(text.some((l) => l.includes('▶ Verify readiness'))).toBe(false);
  });
});

describe('a Markdown runbook with real scripts runs like a YAML one', () => {
  function workspace(): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'scripts'));
    const script = (name: string, body: string) => {
      writeFileSync(join(dir, 'scripts', name), `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(join(dir, 'scripts', name), 0o755);
    };
    script('check.sh', 'echo checked');
    script('step.sh', 'echo "step $1"; echo "$1" >> out.txt');
    script('undo.sh', 'echo undone');
    writeFileSync(
      join(dir, 'RUNBOOK.md'),
      `# Tiny release

## Pre-flight

- [ ] **Checks pass:** \`./scripts/check.sh\`

## Release process

### Build (1 minute)

\`\`\`bash
# Compile
./scripts/step.sh build
\`\`\`

### Deploy to production (2 minutes)

\`\`\`sh
./scripts/step.sh deploy
./scripts/step.sh verify
\`\`\`

## Rollback

\`\`\`bash
./scripts/undo.sh
\`\`\`
`,
    );
    return dir;
  }

  it('cockpit RUNBOOK.md runs it (headless when not on a terminal) and passes', async () => {
    const dir = workspace();
    const r = await cockpit(['RUNBOOK.md'], dir);
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('build\ndeploy\nverify\n');
    expect(r.out.some((l) => l.includes('▶ Compile'))).toBe(true);
  });

  it('cockpit run RUNBOOK.md --headless --json gives the same events as for YAML', async () => {
    const dir = workspace();
    const r = await cockpit(['run', 'RUNBOOK.md', '--headless', '--json'], dir);
    expect(r.code).toBe(0);
    const events = r.out.map((l) => JSON.parse(l) as { type: string; outcome?: string });
    expect(events.filter((e) => e.type === 'session.ended')).toEqual([expect.objectContaining({ outcome: 'released' })]);
    expect(events[events.length - 1]).toMatchObject({ type: 'release.reviewed', outcome: 'released' });
  });

  it('cockpit import -o writes a cockpit.yml that validates the same, and does not overwrite it', async () => {
    const dir = workspace();
    const md = await cli(['validate', 'RUNBOOK.md'], dir);
    const imp = await cli(['import', 'RUNBOOK.md', '-o', 'cockpit.yml'], dir);
    expect(imp.code).toBe(0);
    expect(imp.err).toEqual(['wrote cockpit.yml (cockpit validate cockpit.yml checks it)']);
    const yml = await cli(['validate'], dir);
    expect(yml.code).toBe(0);
    expect(yml.out[0]).toBe(md.out[0]);
    // no triggers in it: both say AUTO-ROLLBACK OFF, with the same words
    expect(warnings(yml.out).map(([, m]) => m)).toEqual(warnings(md.out).map(([, m]) => m));
    expect(warnings(yml.out).map(([, m]) => m)).toEqual(['AUTO-ROLLBACK OFF: the runbook has no rollback triggers: no stage rolls back on its own (R or cockpit rollback only)']);
    const again = await cli(['import', 'RUNBOOK.md', '-o', 'cockpit.yml'], dir);
    expect(again.code).toBe(2);
    expect(again.err).toEqual(['cockpit: cockpit.yml exists: not overwritten (--force to replace it)']);
  });
});

describe('cockpit import', () => {
  it('prints the YAML of the seed with a front matter, which validates the same as the Markdown', async () => {
    const { dir } = seedCopy();
    const imp = await cli(['import', 'release-runbook.md'], dir);
    expectNoStack(imp);
    expect(imp.code).toBe(0);
    // each part says the line of the Markdown it came from (the front matter moved the seed's lines down)
    expect(imp.stdout).toContain('  incident: [./scripts/create-incident.sh, "{reason}"] # release-runbook.md:147\n');
    expect(imp.stdout).toContain('    - metric: latency_p95 # release-runbook.md:133\n      above: 2000\n      for: 3m\n');
    const source = readFileSync(join(dir, 'release-runbook.md'), 'utf8').split('\n');
    expect(source[147 - 1]).toBe('./scripts/create-incident.sh "Production rollback executed"');
    expect(source[133 - 1]).toMatch(/^- Response time > 2 seconds for 3 consecutive minutes/);
    writeFileSync(join(dir, 'cockpit.yml'), imp.stdout);
    const [md, yml] = await Promise.all([cli(['validate', 'release-runbook.md'], dir), cli(['validate', 'cockpit.yml'], dir)]);
    expect([md.code, yml.code]).toEqual([0, 0]);
    // the same summary, then the same cautions, each at its own file's line (the Slack ones only where $SLACK_WEBHOOK_URL is not set)
    expect(yml.out[0]).toBe(md.out[0]);
    expect(yml.out.slice(1).every((l) => /^cockpit\.yml:\d+:\d+: warning: /.test(l))).toBe(true);
    expect(warnings(yml.out).map(([, m]) => m)).toEqual(warnings(md.out).map(([, m]) => m));
    expect(warnings(yml.out).map(([, m]) => m)).toContain(
      'experiment "checkout-flow-v2" reads Prometheus but has no exposures or conversions query: write one per variant, e.g. exposures: \'sum(my_exposures_total{experiment="{experiment}",variant="{variant}"})\'; until then it gets no figures',
    );
  });

  it('refuses a file that is not Markdown, and reports a Markdown runbook that does not validate', async () => {
    const notMd = await cli(['import', 'examples/quickstart/cockpit.yml']);
    expect(notMd.code).toBe(2);
    expect(notMd.err[0]).toBe('cockpit: examples/quickstart/cockpit.yml is not a Markdown runbook (.md): nothing to import');
    const bad = await cli(['import', 'test/fixtures/markdown/invalid.md']);
    expectNoStack(bad);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.err.slice(0, 3)).toEqual([
      'test/fixtures/markdown/invalid.md:4:1: unknown key "metrcs" at the top level (did you mean "metrics"?)',
      'test/fixtures/markdown/invalid.md:13:9: stages[0].steps[0].timeout: bad duration "10": expected a duration like 90s, 2m or 1h30m',
      '2 errors in test/fixtures/markdown/invalid.md: nothing written',
    ]);
  });
});

describe('cockpit validate on invalid Markdown', () => {
  it('prints located errors into the .md and the report, exit 2', async () => {
    const r = await cli(['validate', 'test/fixtures/markdown/invalid-rules.md']);
    expectNoStack(r);
    expect(r.code).toBe(2);
    expect(r.err.slice(0, 3)).toEqual([
      'test/fixtures/markdown/invalid-rules.md:21:1: series "latency_p95" needs a "query" (PromQL) for the prometheus source',
      'test/fixtures/markdown/invalid-rules.md:21:1: warn (1000) must be below critical (500) for a series breached above',
      '2 errors in test/fixtures/markdown/invalid-rules.md',
    ]);
    expect(r.err).toContain('mapped from test/fixtures/markdown/invalid-rules.md:');
  });
});

describe('cockpit init', () => {
  it('finds docs/**/release-runbook.md; without a terminal or --yes says what it would do (exit 2); --yes imports it; never overwrites', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs', 'ops'), { recursive: true });
    cpSync(join(FIXTURES, 'numbered.md'), join(dir, 'docs', 'ops', 'release-runbook.md'));
    const dry = await cli(['init'], dir);
    expectNoStack(dry);
    expect(dry.code).toBe(2);
    expect(dry.out[dry.out.length - 2]).toMatch(/^would write cockpit\.yml imported from docs\/ops\/release-runbook\.md \(2 checks/);
    expect(dry.out[dry.out.length - 1]).toBe('nothing written: run cockpit init --yes to do it');
    expect(existsSync(join(dir, 'cockpit.yml'))).toBe(false);

    const yes = await cli(['init', '--yes'], dir);
    expect(yes.code).toBe(0);
    // its rollback runs ./bin/promote.sh --revert and ./bin/canary-check.sh, not written yet here: init names them as the next thing to write
    expect(yes.out.slice(-4)).toEqual([
      'wrote cockpit.yml: next, write what the rollback runs (cockpit validate fails until each exists and is executable):',
      `  rollback promote: missing: ./bin/promote.sh (no such file in ${dir})`,
      `  rollback canary-check: missing: ./bin/canary-check.sh (no such file in ${dir})`,
      'then cockpit validate, then cockpit run --dry-run',
    ]);
    const written = readFileSync(join(dir, 'cockpit.yml'), 'utf8');
    const lineOf = (text: string) => written.split('\n').findIndex((l) => l.includes(text)) + 1;
    // validate agrees, at the lines of cockpit.yml that name them
    const missing = await cli(['validate'], dir);
    expectNoStack(missing);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([
      `cockpit.yml:${lineOf('    - ./bin/promote.sh --revert')}:7: rollback promote cannot run: missing: ./bin/promote.sh (no such file in ${dir}) (the guardrail self-test fails the pre-flight on it)`,
      `cockpit.yml:${lineOf('    - title: Confirm')}:7: rollback canary-check cannot run: missing: ./bin/canary-check.sh (no such file in ${dir}) (the guardrail self-test fails the pre-flight on it)`,
      '2 errors in cockpit.yml',
    ]);
    // written, the runbook validates
    mkdirSync(join(dir, 'bin'));
    for (const f of ['promote.sh', 'canary-check.sh']) writeFileSync(join(dir, 'bin', f), '#!/bin/sh\n', { mode: 0o755 });
    const v = await cli(['validate'], dir);
    expect(v.code).toBe(0);
    expect(v.out[0]).toMatch(/^ok: Payments API: 2 checks \(1 automated, 1 manual\), 3 stages, 6 steps \(1 manual\)/);

    const again = await cli(['init', '--yes'], dir);
    expect(again.code).toBe(0);
    expect(again.out).toEqual(['cockpit.yml already exists here: nothing written (cockpit validate checks it, cockpit run runs it)']);
    expect(readFileSync(join(dir, 'cockpit.yml'), 'utf8')).toBe(written);
  });

  it('with no Markdown runbook writes the starter and names its rollback scripts as the next thing to write; validate says the same (exit 2); with them written, it validates', async () => {
    const dir = tempDir();
    // the built binary: the schema its modeline names is the built cockpit's own
    const r = await cockpit(['init', '--yes'], dir);
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      "wrote .gitignore with .cockpit/ (the run's journal, lock and history stay out of git)",
      'wrote cockpit.yml: next, write what the rollback runs (cockpit validate fails until each exists and is executable):',
      `  rollback rollback: missing: ./scripts/rollback.sh (no such file in ${dir})`,
      `  rollback health-check: missing: ./scripts/health-check.sh (no such file in ${dir})`,
      `  rollback incident: missing: ./scripts/create-incident.sh (no such file in ${dir})`,
      'then cockpit validate, then cockpit run --dry-run',
    ]);
    const missing = await cli(['validate'], dir);
    expectNoStack(missing);
    expect(missing.code).toBe(2);
    expect(missing.out).toEqual([]);
    expect(missing.err).toEqual([
      `cockpit.yml:31:7: rollback rollback cannot run: missing: ./scripts/rollback.sh (no such file in ${dir}) (the guardrail self-test fails the pre-flight on it)`,
      `cockpit.yml:33:7: rollback health-check cannot run: missing: ./scripts/health-check.sh (no such file in ${dir}) (the guardrail self-test fails the pre-flight on it)`,
      `cockpit.yml:34:13: rollback incident cannot run: missing: ./scripts/create-incident.sh (no such file in ${dir}) (the guardrail self-test fails the pre-flight on it)`,
      '3 errors in cockpit.yml',
    ]);
    mkdirSync(join(dir, 'scripts'));
    for (const f of ['rollback.sh', 'health-check.sh', 'create-incident.sh']) writeFileSync(join(dir, 'scripts', f), '#!/bin/sh\n', { mode: 0o755 });
    const v = await cli(['validate'], dir);
    expect(v.code).toBe(0);
    expect(v.out[0]).toMatch(/^ok: my-service: 2 checks \(1 automated, 1 manual\), 2 stages, 5 steps, 3 rollback steps/);
    // the built cockpit finds its own schema: the modeline (line 1, the line validate counted above) points at a file that exists
    const modeline = /^# yaml-language-server: \$schema=(\S+)\n/.exec(readFileSync(join(dir, 'cockpit.yml'), 'utf8'));
    expect(modeline).not.toBeNull();
    expect(JSON.parse(readFileSync(resolve(dir, modeline![1]), 'utf8'))).toMatchObject({ title: 'cockpit runbook' });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.cockpit/\n');
  });
});

describe('guardrails without a metrics source: the Markdown and its imported cockpit.yml agree', () => {
  it('import keeps the seed\'s triggers, bands and criterion as written; beside its rollback scripts the YAML validates (exit 0) with the same not-armed list; dry runs are identical', async () => {
    const dir = seedWithRollback();
    const imp = await cli(['import', 'release-runbook.md', '-o', 'cockpit.yml'], dir);
    expectNoStack(imp);
    expect(imp.code).toBe(0);
    expect(imp.err).toEqual([
      'wrote cockpit.yml (cockpit validate cockpit.yml checks it)',
      'note: 4 rollback triggers and 1 stage criterion are kept as written but not armed: fill in what the comment at the top of cockpit.yml lists',
    ]);
    const yaml = readFileSync(join(dir, 'cockpit.yml'), 'utf8');
    expect(yaml).toContain('    criteria:\n      - metric: latency_p95\n        below: 500\n');
    expect(yaml).toContain('metrics:\n  series:\n    latency_p95:\n      unit: ms\n      warn: 500\n      critical: 1000\n    error_rate:\n      unit: "%"\n      warn: 0.1\n      critical: 0.5\n');
    expect(yaml).toContain(
      '  triggers:\n    - metric: error_rate # release-runbook.md:119\n      above: 1\n      for: 2m\n    - metric: latency_p95 # release-runbook.md:120\n      above: 2000\n      for: 3m\n    - probe: critical # release-runbook.md:121\n      status: 5xx\n    - metric: memory # release-runbook.md:122\n      above: 85\n      for: 5m\n',
    );

    const [md, yml] = await Promise.all([cli(['validate', 'release-runbook.md'], dir), cli(['validate', 'cockpit.yml'], dir)]);
    expect([md.code, yml.code]).toEqual([0, 0]);
    expect(yml.err).toEqual([]);
    const ymlLines = yaml.split('\n');
    const lineOf = (text: string, from = 0) => ymlLines.findIndex((l, i) => i >= from && l.replace(/ # release-runbook\.md:\d+$/, '') === text) + 1;
    const triggers = lineOf('  triggers:');
    expect(yml.out).toEqual([
      `ok: Release Runbook: ${SEED_SUMMARY}`,
      `cockpit.yml:${lineOf('rollback:')}:1: warning: ${SEED_OFF}`,
      `cockpit.yml:${lineOf('      - metric: latency_p95')}:9: warning: ${SEED_NOT_ARMED[0]}`,
      `cockpit.yml:${lineOf('    - metric: error_rate', triggers)}:7: warning: ${SEED_NOT_ARMED[1]}`,
      `cockpit.yml:${lineOf('    - metric: latency_p95', triggers)}:7: warning: ${SEED_NOT_ARMED[2]}`,
      `cockpit.yml:${lineOf('    - probe: critical', triggers)}:7: warning: ${SEED_NOT_ARMED[3]}`,
      `cockpit.yml:${lineOf('    - metric: memory', triggers)}:7: warning: ${SEED_NOT_ARMED[4]}`,
      '4 rollback triggers and 1 stage criterion not armed: to arm them, fill in:',
      ...SEED_ARMING_NEEDS,
    ]);
    // the same summary, and the same not-armed list (at the prose's lines in the .md)
    expect(md.out[0]).toBe(yml.out[0]);
    expect(warnings(md.out).map(([, m]) => m)).toEqual(warnings(yml.out).map(([, m]) => m));
    expect(warnings(md.out).map(([l]) => l)).toEqual([128, 76, 119, 120, 121, 122]);

    const [mdDry, ymlDry] = await Promise.all([cli(['run', '--dry-run', 'release-runbook.md'], dir), cli(['run', '--dry-run', 'cockpit.yml'], dir)]);
    expect([mdDry.code, ymlDry.code]).toEqual([0, 0]);
    expect(mdDry.out[0]).toBe('dry run: Release Runbook unknown → production (nothing runs)');
    expect(ymlDry.out).toEqual(mdDry.out);
  });

  it('a Markdown runbook with p99 and p95 run headless, and its imported YAML: the same auto-rollback-off line, the same release', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'step.sh'), '#!/usr/bin/env bash\necho "step $1"; echo "$1" >> out.txt\n');
    chmodSync(join(dir, 'scripts', 'step.sh'), 0o755);
    writeFileSync(
      join(dir, 'RUNBOOK.md'),
      `# Checkout

## Release process

### Deploy to production

\`\`\`bash
./scripts/step.sh deploy
\`\`\`

**Success Criteria:**

- p95 latency below 300 ms

## Rollback

\`\`\`bash
./scripts/step.sh undo
\`\`\`

### Automatic rollback triggers

- Latency p99 > 2000ms for 3 minutes
- Error rate > 1% for 2 minutes
`,
    );
    const imp = await cli(['import', 'RUNBOOK.md', '-o', 'cockpit.yml'], dir);
    expect(imp.code).toBe(0);
    const yaml = readFileSync(join(dir, 'cockpit.yml'), 'utf8');
    expect(yaml).toContain('    criteria:\n      - metric: latency_p95\n        below: 300\n');
    expect(yaml).toContain('metrics:\n  series:\n    latency_p95:\n      unit: ms\n    latency_p99:\n      unit: ms\n    error_rate:\n      unit: "%"\n');
    expect(yaml).toContain('  triggers:\n    - metric: latency_p99 # RUNBOOK.md:23\n      above: 2000\n      for: 3m\n    - metric: error_rate # RUNBOOK.md:24\n      above: 1\n      for: 2m\n');

    const v = await cli(['validate', 'cockpit.yml'], dir);
    expect(v.code).toBe(0);
    expect(v.out[0]).toBe(
      'ok: Checkout: 0 checks (0 automated, 0 manual), 1 stage, 1 step, 1 rollback step, 2 triggers (2 not armed), 3 metrics (no source), 0 probes, 0 escalation levels, 0 flags, 0 experiments, 0 troubleshooting entries, 0 secrets',
    );
    expect(warnings(v.out).map(([, m]) => m)).toEqual([
      'AUTO-ROLLBACK OFF: no rollback trigger is armed: 2 triggers wait for a metrics source or probes: no stage rolls back on its own (R or cockpit rollback only)',
      'stages[0].criteria[0] (latency_p95 < 300 ms): not checked: no metrics source',
      'rollback.triggers[0] (latency_p99 > 2000 ms for 3m): not armed: no metrics source',
      'rollback.triggers[1] (error_rate > 1 % for 2m): not armed: no metrics source',
    ]);

    const offLine =
      '⚠ auto-rollback off: 2 triggers of the runbook wait for a metrics source or probes the runbook does not give (latency_p99 > 2000 ms for 3m; error_rate > 1 % for 2m): cockpit validate says what to add';
    const md = await cockpit(['run', '--headless', '--yes', 'RUNBOOK.md'], dir);
    expectNoStack(md);
    expect(md.code).toBe(0);
    const yml = await cockpit(['run', '--headless', '--yes', 'cockpit.yml'], dir);
    expectNoStack(yml);
    expect(yml.code).toBe(0);
    expect([md.out[0], yml.out[0]]).toEqual([offLine, offLine]);
    // the criterion is not checked without a source (it would fail the stage for want of data): both released
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('deploy\ndeploy\n');
  });

  it('a prometheus front matter with a p95 query only: the p99 trigger is an error at its line, naming the series to add (never the p95 one)', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'RUNBOOK.md'),
      `---
metrics:
  source: { type: prometheus, url: "http://127.0.0.1:9090" }
  series:
    latency_p95: { query: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le)) * 1000' }
---
${readFileSync(join(FIXTURES, 'p99-and-p95.md'), 'utf8')}`,
    );
    const v = await cli(['validate', 'RUNBOOK.md'], dir);
    expectNoStack(v);
    expect(v.code).toBe(2);
    expect(v.err.slice(0, 2)).toEqual(['RUNBOOK.md:29:1: series "latency_p99" needs a "query" (PromQL) for the prometheus source', '1 error in RUNBOOK.md']);
    expect(v.err.slice(-3)).toEqual([
      'not mapped (1: 1 needs front matter):',
      '  RUNBOOK.md:29: [needs front matter] trigger "Latency p99 > 2000ms for 3 minutes" (latency_p99): a latency_p99 series: add metrics.series.latency_p99 with its query (PromQL for the prometheus source) to the front matter',
      '1 automatable item waits for the front matter (see "needs front matter")',
    ]);
    expect(v.err).toContain('  1 criterion: line 19');
    const imp = await cli(['import', 'RUNBOOK.md'], dir);
    expect(imp.code).toBe(2);
    expect(imp.stdout).toBe('');
    expect(imp.err[1]).toBe('1 error in RUNBOOK.md: nothing written');
  });
});
