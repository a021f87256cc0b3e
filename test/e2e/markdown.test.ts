/**
 * End to end: Markdown runbooks through the BUILT binary (build first: node scripts/build.mjs).
 * The seed is examples/seed/release-runbook.md (a verbatim copy of the runbook the product was asked for);
 * a copy with a front matter on top is made in a temp dir. COCKPIT_STATE_DIR points into a temp
 * dir so no run writes beside the seed.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.COCKPIT_E2E_BIN || join(ROOT, 'bin', 'cockpit.js');
const SEED = join(ROOT, 'examples', 'seed', 'release-runbook.md');
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

function expectNoStack(r: Result): void {
  expect([...r.out, ...r.err].filter((l) => STACK_LINE.test(l) || l.includes('internal error'))).toEqual([]);
}

/** The seed with the front matter on top, in a temp dir. */
function seedCopy(): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'release-runbook.md');
  writeFileSync(file, SEED_FRONT_MATTER + readFileSync(SEED, 'utf8'));
  return { dir, file };
}

/** `  FILE:LINE: [kind] what: why` lines of the report. */
function unmappedLines(out: string[]): { line: string; kind: string; text: string }[] {
  return out.flatMap((l) => {
    const m = /^ {2}\S*release-runbook\.md:(\d+(?:-\d+)?): \[([^\]]+)\] (.*)$/.exec(l);
    return m ? [{ line: m[1], kind: m[2], text: m[3] }] : [];
  });
}

describe('cockpit validate on the seed', () => {
  it('exits 0: ok, the mapped counts, the unmapped list, and nothing automatable left out', async () => {
    const r = await cockpit(['validate', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      'ok: Release Runbook: 4 checks (1 automated, 3 manual), 4 stages, 12 steps, 3 rollback steps, 0 triggers, 0 metrics, 0 probes, 3 escalation levels, 1 flag, 1 experiment, 3 troubleshooting entries, 0 secrets',
    );
    expect(r.out[1]).toMatch(/^mapped from \S*release-runbook\.md:$/);
    expect(r.out.slice(2, 11)).toEqual([
      '  4 pre-flight checks (1 automated, 3 manual): lines 32, 33, 34, 35',
      '  4 stages (pre-release 5m, staging 2m, production 3m, post-release 2m): lines 41, 60, 79, 98',
      '  12 steps: lines 47, 50, 53, 64, 67, 70, 83, 86, 89, 102, 105, 108',
      '  3 rollback steps (1 rollback, 1 verify, 1 incident): lines 128, 131, 134',
      '  3 escalation levels: lines 165, 166, 167',
      '  1 flag (new-feature): line 225',
      '  1 experiment (checkout-flow-v2): line 237',
      '  3 troubleshooting entries: lines 175, 185, 195',
      '  3 emergency actions: lines 21, 24, 27',
    ]);
    expect(r.out.filter((l) => /release-runbook\.md:222: /.test(l)).map((l) => l.replace(/^ {2}\S*release-runbook\.md:222: /, ''))).toEqual([
      'flag deploy: ["./scripts/deploy-with-flags.sh","--feature={flag}","--enabled=false"] (the code with a flag off, before its ramp: `d` on the Flags pane, `cockpit flag <name> --deploy`)',
    ]);
    expect(r.out).toContain('not mapped (34: 10 documentation, 11 for people, 9 needs front matter, 4 cockpit does it):');
    const unmapped = unmappedLines(r.out);
    expect(unmapped).toHaveLength(34);
    // documentation, things for people, things cockpit does itself, and what waits for a front matter
    expect(new Set(unmapped.map((u) => u.kind))).toEqual(new Set(['documentation', 'for people', 'needs front matter', 'cockpit does it']));
    expect(unmapped.filter((u) => u.kind === 'needs front matter').map((u) => u.line)).toEqual(['76', '119', '120', '121', '122', '158', '159', '160', '161']);
    expect(unmapped.find((u) => u.line === '248-268')?.text).toBe('Release Success Metrics (Release Velocity, Quality Metrics, Team Confidence): not automatable (targets for people)');
    expect(unmapped.find((u) => u.line === '276-278')?.text).toBe('Release History Log table: written by `cockpit history --markdown` from the journals');
    expect(r.out[r.out.length - 1]).toBe('9 automatable items wait for the front matter (see "needs front matter")');
  });

  it('with a front matter: the 4 triggers, 4 metrics, the probe and 3 escalation levels, nothing waiting', async () => {
    const { dir } = seedCopy();
    const r = await cockpit(['validate', 'release-runbook.md'], dir);
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
    const r = await cockpit(['run', '--dry-run', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(0);
    const commands = r.out.filter((l) => /^ {2}[^[]+: \[/.test(l));
    // 1 automated check, 12 steps, 3 rollback steps; 3 emergency actions, 6 troubleshooting
    // scripts, the flag's set and deploy, the experiment's deploy and conclude
    expect(commands).toHaveLength(16 + 3 + 6 + 2 + 2);
    for (const l of commands.filter((c) => c.includes('["./scripts/'))) expect(l).toMatch(/\(missing: \.\/scripts\/[\w.-]+\.sh \(no such file in /);
    // the argv commands, and the shell-string one whose program is a script (log-release.sh "$(git describe --tags)")
    expect(commands.filter((c) => c.includes('(missing: ./scripts/'))).toHaveLength(15 + 3 + 6 + 2 + 2);
    expect(r.out.slice(r.out.indexOf('flags'))).toEqual([
      'flags',
      `  new-feature set: ["./scripts/enable-feature-flag.sh","--feature=new-feature","--percentage=<percent>"]  (missing: ./scripts/enable-feature-flag.sh (no such file in ${join(ROOT, 'examples', 'seed')}))`,
      `  new-feature deploy (flag off): ["./scripts/deploy-with-flags.sh","--feature=new-feature","--enabled=false"]  (missing: ./scripts/deploy-with-flags.sh (no such file in ${join(ROOT, 'examples', 'seed')}))`,
      'experiment checkout-flow-v2',
      `  deploy: ["./scripts/deploy-ab-test.sh","--experiment=checkout-flow-v2"]  (missing: ./scripts/deploy-ab-test.sh (no such file in ${join(ROOT, 'examples', 'seed')}))`,
      `  conclude: ["./scripts/conclude-experiment.sh","--experiment=checkout-flow-v2"]  (missing: ./scripts/conclude-experiment.sh (no such file in ${join(ROOT, 'examples', 'seed')}))`,
    ]);
    expect(r.out).toContain('stage production: Deploy to Production');
    expect(r.out).toContain('  monitor-deployment: ["./scripts/monitor-deployment.sh","--duration=5m"]  (missing: ./scripts/monitor-deployment.sh (no such file in ' + join(ROOT, 'examples', 'seed').replace(/\/$/, '') + '))');
    expect(r.out).toContain('  git-checkout-b: ["bash","-c","git checkout -b release/$(date +%Y.%m.%d)"]');
    expect(r.out.filter((l) => l.includes('manual:'))).toHaveLength(3);
  });

  it('run --headless --yes fails the first step whose script is missing, with that message, exit 1', async () => {
    const r = await cockpit(['run', '--headless', '--yes', 'examples/seed/release-runbook.md']);
    expectNoStack(r);
    expect(r.code).toBe(1);
    const text = r.out.map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(text).toContain('  ✗ All tests passing FAILED: missing: ./scripts/verify-tests.sh (no such file in ' + join(ROOT, 'examples', 'seed').replace(/\/$/, '') + ')');
    expect(text).toContain('✗ pre-flight FAILED (failed: All tests passing)');
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
    const md = await cockpit(['validate', 'RUNBOOK.md'], dir);
    const imp = await cockpit(['import', 'RUNBOOK.md', '-o', 'cockpit.yml'], dir);
    expect(imp.code).toBe(0);
    expect(imp.err).toEqual(['wrote cockpit.yml (cockpit validate cockpit.yml checks it)']);
    const yml = await cockpit(['validate'], dir);
    expect(yml.code).toBe(0);
    expect(yml.out).toEqual([md.out[0]]);
    const again = await cockpit(['import', 'RUNBOOK.md', '-o', 'cockpit.yml'], dir);
    expect(again.code).toBe(2);
    expect(again.err).toEqual(['cockpit: cockpit.yml exists: not overwritten (--force to replace it)']);
  });
});

describe('cockpit import', () => {
  it('prints the YAML of the seed with a front matter, which validates the same as the Markdown', async () => {
    const { dir } = seedCopy();
    const imp = await cockpit(['import', 'release-runbook.md'], dir);
    expectNoStack(imp);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('  incident: [./scripts/create-incident.sh, "{reason}"]\n');
    expect(imp.stdout).toContain('    - metric: latency_p95\n      above: 2000\n      for: 3m\n');
    writeFileSync(join(dir, 'cockpit.yml'), imp.stdout);
    const [md, yml] = await Promise.all([cockpit(['validate', 'release-runbook.md'], dir), cockpit(['validate', 'cockpit.yml'], dir)]);
    expect(yml.out).toEqual([md.out[0]]);
  });

  it('refuses a file that is not Markdown, and reports a Markdown runbook that does not validate', async () => {
    const notMd = await cockpit(['import', 'examples/quickstart/cockpit.yml']);
    expect(notMd.code).toBe(2);
    expect(notMd.err[0]).toBe('cockpit: examples/quickstart/cockpit.yml is not a Markdown runbook (.md): nothing to import');
    const bad = await cockpit(['import', 'test/fixtures/markdown/invalid.md']);
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
    const r = await cockpit(['validate', 'test/fixtures/markdown/invalid-rules.md']);
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
    const dry = await cockpit(['init'], dir);
    expectNoStack(dry);
    expect(dry.code).toBe(2);
    expect(dry.out[dry.out.length - 2]).toMatch(/^would write cockpit\.yml imported from docs\/ops\/release-runbook\.md \(2 checks/);
    expect(dry.out[dry.out.length - 1]).toBe('nothing written: run cockpit init --yes to do it');
    expect(existsSync(join(dir, 'cockpit.yml'))).toBe(false);

    const yes = await cockpit(['init', '--yes'], dir);
    expect(yes.code).toBe(0);
    expect(yes.out[yes.out.length - 1]).toBe('wrote cockpit.yml: next, cockpit validate, then cockpit run --dry-run');
    const written = readFileSync(join(dir, 'cockpit.yml'), 'utf8');
    const v = await cockpit(['validate'], dir);
    expect(v.code).toBe(0);
    expect(v.out[0]).toMatch(/^ok: Payments API: 2 checks \(1 automated, 1 manual\), 3 stages, 5 steps/);

    const again = await cockpit(['init', '--yes'], dir);
    expect(again.code).toBe(0);
    expect(again.out).toEqual(['cockpit.yml already exists here: nothing written (cockpit validate checks it, cockpit run runs it)']);
    expect(readFileSync(join(dir, 'cockpit.yml'), 'utf8')).toBe(written);
  });

  it('with no Markdown runbook writes the starter, which validates', async () => {
    const dir = tempDir();
    const r = await cockpit(['init', '--yes'], dir);
    expect(r.code).toBe(0);
    const v = await cockpit(['validate'], dir);
    expect(v.out[0]).toMatch(/^ok: my-service: 2 checks \(1 automated, 1 manual\), 2 stages, 5 steps, 3 rollback steps/);
  });
});
