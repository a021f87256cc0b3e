/**
 * Markdown runbooks: the seed (examples/seed/release-runbook.md, the seed as the team wrote it), six runbooks
 * in other styles (test/fixtures/markdown/), the single-line readers, located errors, the YAML
 * round trip (loading the imported YAML gives the same Runbook), and `cockpit init`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { initCommand, STARTER } from '../../src/cli/init.js';
import type { Io } from '../../src/cli/io.js';
import { formatError } from '../../src/runbook/locate.js';
import { loadRunbook, parseRunbook } from '../../src/runbook/load.js';
import { bandOf, blockCommands, comparison, escalationAfter, fenceAttributes, headingBudget, looksLikeCommand, metricOf, percentileOf, windowOf } from '../../src/runbook/markdown-lines.js';
import { matchOf, stageIdentity } from '../../src/runbook/markdown/helpers.js';
import { formatReport, parseMarkdownRunbook, toYaml, type MarkdownLoad, type Unmapped } from '../../src/runbook/markdown.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEED = join(ROOT, 'examples', 'seed', 'release-runbook.md');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'markdown');

/** A small front matter for the seed: what its prose cannot say (a metrics source, a probe, a webhook). */
const SEED_FRONT_MATTER = readFileSync(join(FIXTURES, 'seed-front-matter.md'), 'utf8');
const FRONT_LINES = SEED_FRONT_MATTER.split('\n').length - 1;

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-md-'));
  temps.push(d);
  return d;
}

function load(text: string, file = join(tempDir(), 'RUNBOOK.md')): MarkdownLoad {
  return parseMarkdownRunbook(text, file, 'RUNBOOK.md');
}

/**
 * Fixtures are read from a copy outside this repository: a Markdown runbook inside a git repository
 * runs its commands from the repository's root (run-dir.ts), and these tests are about the mapping.
 */
const COPIES = mkdtempSync(join(tmpdir(), 'cockpit-md-fixtures-'));
afterAll(() => rmSync(COPIES, { recursive: true, force: true }));
function copyOf(file: string): string {
  const copy = join(COPIES, file.split('/').at(-1)!);
  copyFileSync(file, copy);
  return copy;
}

function loadFixture(name: string): MarkdownLoad {
  const file = copyOf(join(FIXTURES, name));
  return parseMarkdownRunbook(readFileSync(file, 'utf8'), file, name);
}

/** The seed with the front matter above it: every line number moves down by FRONT_LINES. */
function seedWithFrontMatter(): MarkdownLoad {
  const dir = tempDir();
  const file = join(dir, 'release-runbook.md');
  writeFileSync(file, SEED_FRONT_MATTER + readFileSync(SEED, 'utf8'));
  return loadRunbook(file, dir) as MarkdownLoad;
}

const brief = (u: readonly Unmapped[]) => u.map((x) => `${x.line}${x.endLine ? `-${x.endLine}` : ''} ${x.kind}: ${x.what}`);

/**
 * Loading the imported YAML (beside the Markdown) gives the same Runbook, apart from the file path:
 * the triggers that are not armed too (the YAML keeps them), and the same not-armed warnings.
 */
function expectRoundTrip(r: MarkdownLoad): void {
  if (!r.ok || !r.raw) throw new Error(`not ok: ${r.ok ? '' : r.errors.map(formatError).join('\n')}`);
  // beside where the Markdown runs its commands (its directory, or its repository's root): .cockpit/ aside, the same runbook
  const yamlFile = join(r.runbook.dir, 'cockpit.yml');
  const y = parseRunbook(toYaml(r.raw, r.report, r.display, r.lineOf), yamlFile, 'cockpit.yml');
  if (!y.ok) throw new Error(y.errors.map(formatError).join('\n'));
  expect({ ...y.runbook, file: r.runbook.file }).toEqual({ ...r.runbook, home: undefined });
  expect(y.warnings?.map((w) => w.message)).toEqual(r.warnings?.map((w) => w.message));
}

// ── the seed ────────────────────────────────────────────────────────────────────────────────

const SEED_PREFLIGHT = [
  { title: 'All tests passing', run: './scripts/verify-tests.sh' },
  { title: 'No active incidents', manual: 'Check monitoring dashboard' },
  { title: 'Rollback plan ready', manual: 'Confirm previous version available' },
  { title: 'Team aware', manual: 'Release announced in #releases channel' },
];

const SEED_STAGES = [
  {
    id: 'pre-release',
    title: 'Pre-Release',
    budget: '5m',
    steps: [
      { title: 'Verify readiness', run: './scripts/pre-release-check.sh' },
      { title: 'Create release branch', run: 'git checkout -b release/$(date +%Y.%m.%d)' },
      { title: 'Run automated release prep', run: './scripts/prepare-release.sh' },
    ],
  },
  {
    id: 'staging',
    title: 'Deploy to Staging',
    budget: '2m',
    steps: [
      { title: 'Deploy to staging', run: './scripts/deploy-staging.sh' },
      { title: 'Run smoke tests', run: './scripts/smoke-test-staging.sh' },
      { title: 'Verify critical paths', run: './scripts/verify-critical-paths.sh staging' },
    ],
    // "Response times < 500ms": no percentile named, so the product's latency_p95 (PRODUCT.md §1)
    criteria: [{ metric: 'latency_p95', below: 500 }],
  },
  {
    id: 'production',
    title: 'Deploy to Production',
    budget: '3m',
    steps: [
      { title: 'Deploy with blue-green strategy', run: './scripts/deploy-production.sh' },
      { title: 'Verify health immediately', run: './scripts/production-health-check.sh' },
      { title: 'Monitor for 5 minutes', run: './scripts/monitor-deployment.sh --duration=5m' },
    ],
  },
  {
    id: 'post-release',
    title: 'Post-Release',
    budget: '2m',
    steps: [
      { title: 'Update release log', run: './scripts/log-release.sh "$(git describe --tags)"' },
      { title: 'Clean up old artifacts', run: './scripts/cleanup-old-releases.sh' },
      { title: 'Notify stakeholders', run: './scripts/notify-release-complete.sh' },
    ],
  },
];

const SEED_ROLLBACK = {
  steps: [{ title: 'IMMEDIATE: Rollback to last known good', run: './scripts/rollback-production.sh' }],
  verify: [{ title: 'VERIFY: Confirm rollback successful', run: './scripts/verify-rollback.sh' }],
  incident: ['./scripts/create-incident.sh', '{reason}'],
  // the Automatic Rollback Triggers as written ("Response time > 2 seconds": latency_p95, in ms), front matter or not
  triggers: [
    { metric: 'error_rate', above: 1, for: '2m' },
    { metric: 'latency_p95', above: 2000, for: '3m' },
    { probe: 'critical', status: '5xx' },
    { metric: 'memory', above: 85, for: '5m' },
  ],
};

/** The Critical Thresholds as bands, front matter or not (without one: no query, not watched). */
const SEED_SERIES = {
  latency_p95: { unit: 'ms', warn: 500, critical: 1000 },
  error_rate: { unit: '%', warn: 0.1, critical: 0.5 },
  throughput: { unit: 'rps', dropWarnPct: 20 },
  memory: { unit: '%', warn: 70, critical: 85 },
};

const SEED_REST = {
  flags: {
    provider: { type: 'command', run: ['./scripts/enable-feature-flag.sh', '--feature={flag}', '--percentage={percent}'] },
    ramps: { 'new-feature': [5, 25, 50, 100] },
    deploy: ['./scripts/deploy-with-flags.sh', '--feature={flag}', '--enabled=false'],
  },
  experiments: {
    'checkout-flow-v2': {
      variants: ['control', 'treatment'],
      metric: 'conversion',
      deploy: ['./scripts/deploy-ab-test.sh', '--experiment={experiment}'],
      conclude: ['./scripts/conclude-experiment.sh', '--experiment={experiment}'],
    },
  },
  troubleshooting: [
    {
      match: 'Tests failing',
      title: 'Tests failing in CI/CD',
      steps: [
        { title: 'Quick fix: Retry flaky tests', run: './scripts/retry-failed-tests.sh' },
        { title: 'Deep dive: Check test environment', run: './scripts/diagnose-test-environment.sh' },
      ],
    },
    {
      match: 'Deployment stuck',
      title: 'Deployment stuck/timing out',
      steps: [
        { title: 'Check deployment status', run: './scripts/check-deployment-status.sh' },
        { title: 'Force rollback if needed', run: './scripts/force-rollback.sh --confirm' },
      ],
    },
    {
      match: 'Database migration failed',
      title: 'Database migration failed',
      steps: [
        { title: 'Check migration status', run: './scripts/check-migration-status.sh' },
        { title: 'Rollback migration if safe', run: './scripts/rollback-migration.sh --dry-run' },
      ],
    },
  ],
  emergency: [
    { title: 'IMMEDIATE: Stop the bleeding', run: './scripts/rollback-last-release.sh' },
    { title: 'ASSESS: Check system health', run: './scripts/health-check.sh' },
    { title: 'COMMUNICATE: Alert the team', run: './scripts/incident-alert.sh "[brief description]"' },
  ],
};

/** What the seed leaves unmapped whatever the front matter says (line numbers of the seed itself). */
const SEED_ALWAYS_UNMAPPED = [
  '3-5 documentation: Release Runbook: Guardrails, Not Handcuffs',
  '7-13 documentation: Our Philosophy',
  '30 for-people: Pre-Flight Checklist (30 seconds): time budget',
  '43-58 documentation: Pre-Release (5 minutes) (Experiment Brief driving this release, Expected Output, If Failed)',
  '75 for-people: Deploy to Staging criterion "All smoke tests pass"',
  '77 for-people: Deploy to Staging criterion "No error spikes in logs"',
  '94 for-people: Deploy to Production criterion "Zero 5xx errors"',
  '95 for-people: Deploy to Production criterion "Response times within SLA"',
  '96 for-people: Deploy to Production criterion "All key metrics stable"',
  '117 documentation: Automatic Rollback Triggers',
  '124 for-people: Manual Rollback (30 seconds): time budget',
  '137 elsewhere: Manual Rollback (30 seconds): automation note',
  '141-144 for-people: Rollback Verification Checklist: 4 manual checks (Application responding normally; Error rates back to baseline; Database integrity confirmed; External integrations working)',
  '152-154 documentation: Key Metrics Dashboard (Location)',
  '207-210 for-people: Escalation Path: 4 steps (Self-service: Use troubleshooting scripts above; Team Help: Ask in #engineering-help; On-Call: Page if production impacted; Leadership: Escalate if customer-facing impact)',
  '218 documentation: Feature Flag Deployments',
  '228 elsewhere: `./scripts/monitor-feature-flag.sh --feature=new-feature`',
  '233 documentation: A/B Test Deployments',
  '240 elsewhere: `./scripts/monitor-experiment.sh --experiment=checkout-flow-v2`',
  '248-268 for-people: Release Success Metrics (Release Velocity, Quality Metrics, Team Confidence)',
  '274 documentation: Release History Log',
  '276-278 elsewhere: Release History Log table',
  '280-300 documentation: Runbook Evolution',
  '302-309 documentation: Related Documents',
  '311-333 for-people: Release Celebration (When We Ship Successfully, When We Rollback)',
];

/** …and, without a front matter, what is kept but not armed: located at the prose, the same messages as its imported YAML's. */
const SEED_NOT_ARMED = [
  'RUNBOOK.md:76:1: stages[1].criteria[0] (latency_p95 < 500 ms): not checked: no metrics source',
  'RUNBOOK.md:119:1: rollback.triggers[0] (error_rate > 1 % for 2m): not armed: no metrics source',
  'RUNBOOK.md:120:1: rollback.triggers[1] (latency_p95 > 2000 ms for 3m): not armed: no metrics source',
  'RUNBOOK.md:121:1: rollback.triggers[2] (critical probes 5xx): not armed: no probes',
  'RUNBOOK.md:122:1: rollback.triggers[3] (memory > 85 % for 5m): not armed: no metrics source',
];

describe('the seed runbook as it is', () => {
  const r = loadRunbook(copyOf(SEED), COPIES) as MarkdownLoad;

  it('loads into a valid runbook', () => {
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.runbook.name).toBe('Release Runbook');
  });

  it('maps the pre-flight checklist: 4 items, 1 automated (verify-tests)', () => {
    expect(r.raw?.preflight).toEqual(SEED_PREFLIGHT);
    if (!r.ok) return;
    expect(r.runbook.preflight.map((p) => [p.kind, p.id])).toEqual([
      ['auto', 'all-tests-passing'],
      ['manual', 'no-active-incidents'],
      ['manual', 'rollback-plan-ready'],
      ['manual', 'team-aware'],
    ]);
  });

  it('maps the release process: 4 stages with budgets 5, 2, 3, 2 minutes and 3 steps each, one per command line', () => {
    expect(r.raw?.stages).toEqual(SEED_STAGES);
    if (!r.ok) return;
    expect(r.runbook.stages.map((s) => [s.id, s.budgetMs, s.steps.length, s.armed])).toEqual([
      ['pre-release', 300_000, 3, false],
      ['staging', 120_000, 3, false],
      ['production', 180_000, 3, true],
      ['post-release', 120_000, 3, true],
    ]);
    // a shell-syntax line runs under bash; a plain one is argv
    const steps = r.runbook.stages.flatMap((s) => s.steps);
    expect(steps.map((s) => (s.kind === 'command' ? s.command.kind : s.kind))).toEqual(['argv', 'shell', 'argv', 'argv', 'argv', 'argv', 'argv', 'argv', 'argv', 'shell', 'argv', 'argv']);
    expect(steps[8]).toMatchObject({ kind: 'command', command: { kind: 'argv', argv: ['./scripts/monitor-deployment.sh', '--duration=5m'] } });
  });

  it('maps the manual rollback: steps, verify, incident with the reason, and the automatic triggers as written', () => {
    expect(r.raw?.rollback).toEqual(SEED_ROLLBACK);
  });

  it('maps the emergency reference, troubleshooting, the feature flag and the A/B test', () => {
    expect(r.raw?.emergency).toEqual(SEED_REST.emergency);
    expect(r.raw?.troubleshooting).toEqual(SEED_REST.troubleshooting);
    expect(r.raw?.flags).toEqual(SEED_REST.flags);
    expect(r.raw?.experiments).toEqual(SEED_REST.experiments);
  });

  it('without a front matter: the series, bands, criterion and triggers are kept as written, not armed, and left out of the run', () => {
    // (this was the bug: they were dropped, so the imported YAML lost them)
    expect(r.raw?.metrics).toEqual({ series: SEED_SERIES });
    expect(brief(r.report.unmapped)).toEqual(SEED_ALWAYS_UNMAPPED);
    if (!r.ok) throw new Error('not ok');
    expect(r.warnings?.map((w) => formatError({ ...w, file: 'RUNBOOK.md' }))).toEqual(SEED_NOT_ARMED);
    expect(r.runbook.unarmed).toEqual(['error_rate > 1 % for 2m', 'latency_p95 > 2000 ms for 3m', 'critical probes 5xx', 'memory > 85 % for 5m']);
    expect(r.runbook.rollback?.triggers).toEqual([]);
    expect(r.runbook.metrics).toBeUndefined();
    expect(r.runbook.stages.map((s) => s.criteria)).toEqual([[], [], [], []]);
  });

  it('without a front matter: the escalation levels are reminders at their times (for people to act on)', () => {
    expect(r.raw?.escalation).toEqual([
      { after: '0m', title: 'Level 1: Automated alerts to #releases' },
      { after: '5m', title: 'Level 2: Page on-call engineer' },
      { after: '15m', title: 'Level 3: Escalate to engineering leadership' },
    ]);
    expect(r.report.notes.filter((n) => n.line >= 165 && n.line <= 167).map((n) => n.text)).toEqual([
      'escalation "Level 1 (0-5 min): Automated alerts to #releases": a reminder on screen at 0m into an incident (a command in the item, or a webhook in the front matter, would act instead)',
      'escalation "Level 2 (5-15 min): Page on-call engineer": a reminder on screen at 5m into an incident (a command in the item, or a webhook in the front matter, would act instead)',
      'escalation "Level 3 (15+ min): Escalate to engineering leadership": a reminder on screen at 15m into an incident (a command in the item, or a webhook in the front matter, would act instead)',
    ]);
  });

  it('reports the mapped counts with their lines, and the assumptions', () => {
    expect(r.report.mapped.map((m) => `${m.count} ${m.what}: ${m.lines.join(',')}`)).toEqual([
      '4 pre-flight checks (1 automated, 3 manual): 32,33,34,35',
      '4 stages (pre-release 5m, staging 2m, production 3m, post-release 2m): 41,60,79,98',
      '12 steps: 47,50,53,64,67,70,83,86,89,102,105,108',
      '1 criterion: 76',
      '3 rollback steps (1 rollback, 1 verify, 1 incident): 128,131,134',
      '4 triggers: 119,120,121,122',
      '4 metrics (latency_p95, error_rate, throughput, memory): 158,159,160,161',
      '3 escalation levels: 165,166,167',
      '1 flag (new-feature): 225',
      '1 experiment (checkout-flow-v2): 237',
      '3 troubleshooting entries: 175,185,195',
      '3 emergency actions: 21,24,27',
    ]);
    expect(r.report.notes.map((n) => n.line)).toEqual([1, 134, 165, 166, 167, 222, 225, 225, 237]);
  });

  it('the flag deploy ("Deploy code with feature disabled") is the flags\' deploy template', () => {
    expect(r.raw?.flags?.deploy).toEqual(['./scripts/deploy-with-flags.sh', '--feature={flag}', '--enabled=false']);
    expect(r.report.notes.find((n) => n.line === 222)?.text).toBe(
      'flag deploy: ["./scripts/deploy-with-flags.sh","--feature={flag}","--enabled=false"] (the code with a flag off, before its ramp: `d` on the Flags pane, `cockpit flag <name> --deploy`)',
    );
  });

  it('nothing a person would automate is left out', () => {
    const automatable = r.report.unmapped.filter((u) => u.kind === 'no-place' || u.kind === 'unreadable' || u.kind === 'unsupported');
    expect(brief(automatable)).toEqual([]);
  });

  it('every latency mention maps to the percentile it names: none names one, so latency_p95 (PRODUCT.md), or is for people', () => {
    const lines = readFileSync(SEED, 'utf8').split('\n');
    const mentions = lines.flatMap((l, i) => (/response time|latenc|\bp\d\d/i.test(l) ? [i + 1] : []));
    expect(mentions).toEqual([76, 95, 120, 158]);
    expect(mentions.map((n) => percentileOf(lines[n - 1]))).toEqual([undefined, undefined, undefined, undefined]);
    // 76: the staging criterion; 120: the second trigger; 158: the first band; 95: a check for people
    const mapped = Object.fromEntries(r.report.mapped.map((m) => [m.what.split(' ')[0], m.lines]));
    expect([mapped.criterion, r.raw?.stages[1].criteria]).toEqual([[76], [{ metric: 'latency_p95', below: 500 }]]);
    expect([mapped.triggers?.[1], r.raw?.rollback?.triggers?.[1]]).toEqual([120, { metric: 'latency_p95', above: 2000, for: '3m' }]);
    expect([mapped.metrics?.[0], Object.entries(r.raw?.metrics?.series ?? {})[0]]).toEqual([158, ['latency_p95', { unit: 'ms', warn: 500, critical: 1000 }]]);
    expect(brief(r.report.unmapped.filter((u) => u.line === 95))).toEqual(['95 for-people: Deploy to Production criterion "Response times within SLA"']);
  });

  it('round-trips through cockpit import', () => expectRoundTrip(r));
});

describe('the seed with a small front matter (metrics source, critical probe, webhook)', () => {
  const r = seedWithFrontMatter();
  const at = (line: number) => line + FRONT_LINES;

  it('adds the staging criterion, the 4 triggers, the 4 banded metrics and 3 escalation levels', () => {
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.raw?.name).toBe('web-app');
    expect(r.raw?.stages[1].criteria).toEqual([{ metric: 'latency_p95', below: 500 }]);
    expect(r.raw?.rollback).toEqual(SEED_ROLLBACK);
    expect(r.raw?.metrics?.series).toEqual({
      latency_p95: { query: expect.any(String), unit: 'ms', warn: 500, critical: 1000 },
      error_rate: { query: expect.any(String), unit: '%', warn: 0.1, critical: 0.5 },
      throughput: { query: expect.any(String), unit: 'rps', dropWarnPct: 20 },
      memory: { query: expect.any(String), unit: '%', warn: 70, critical: 85 },
    });
    expect(r.raw?.metrics?.source).toEqual({ type: 'prometheus', url: 'http://127.0.0.1:9090' });
    expect(r.raw?.probes).toEqual([{ name: 'checkout', url: 'http://127.0.0.1:8080/checkout', critical: true }]);
    const notify = { slack: { webhookEnv: 'SLACK_WEBHOOK_URL' } };
    expect(r.raw?.escalation).toEqual([
      { after: '0m', title: 'Level 1: Automated alerts to #releases', notify },
      { after: '5m', title: 'Level 2: Page on-call engineer', notify },
      { after: '15m', title: 'Level 3: Escalate to engineering leadership', notify },
    ]);
    expect(r.runbook.rollback?.triggers.map((t) => (t.kind === 'metric' ? [t.metric, t.op, t.threshold, t.forMs] : [t.probe, t.status, t.forMs]))).toEqual([
      ['error_rate', 'above', 1, 120_000],
      ['latency_p95', 'above', 2000, 180_000],
      ['critical', '5xx', 0],
      ['memory', 'above', 85, 300_000],
    ]);
  });

  it('leaves nothing waiting for the front matter', () => {
    expect(r.report.unmapped.filter((u) => u.kind === 'needs-front-matter')).toEqual([]);
    expect(brief(r.report.unmapped)).toEqual(SEED_ALWAYS_UNMAPPED.map((l) => l.replace(/^(\d+)(?:-(\d+))?/, (_, a: string, b?: string) => `${at(Number(a))}${b ? `-${at(Number(b))}` : ''}`)));
    expect(r.report.mapped.find((m) => m.what.startsWith('trigger'))?.lines).toEqual([119, 120, 121, 122].map(at));
    expect(r.report.mapped.find((m) => m.what.startsWith('metric'))?.lines).toEqual([158, 159, 160, 161].map(at));
  });

  it('round-trips through cockpit import', () => expectRoundTrip(r));
});

// ── runbooks in other styles ──────────────────────────────────────────────────────────────

describe('numbered.md: numbered steps with inline commands, headings in other words, no front matter', () => {
  const r = loadFixture('numbered.md');
  it('maps to this runbook', () => {
    expect(r.ok).toBe(true);
    expect(r.raw).toEqual({
      name: 'Payments API',
      preflight: [
        { title: 'Make sure CI is green', run: 'make check' },
        { title: 'On-call aware', manual: 'ping the on-call in #payments' },
      ],
      stages: [
        {
          id: 'build',
          title: 'Build',
          budget: '10m',
          steps: [
            { title: 'Build the image', run: 'make image TAG=v1' },
            { title: 'Push it', run: 'docker push registry.local/payments:v1' },
          ],
        },
        {
          id: 'canary',
          title: 'Canary rollout',
          budget: '15m',
          steps: [
            { title: 'Roll out to the canary', run: 'kubectl rollout restart deploy/payments-canary' },
            // a numbered step with no command is a manual step of its stage
            { title: 'Watch the dashboards for errors', manual: 'Watch the dashboards for errors' },
            { title: 'Check the canary', run: './bin/canary-check.sh --min-success=99.5' },
          ],
        },
        {
          id: 'production',
          title: 'Production rollout',
          steps: [{ title: 'Promote', run: './bin/promote.sh production' }],
          criteria: [
            { metric: 'latency_p95', below: 300 },
            { metric: 'error_rate', below: 0.5 },
          ],
        },
      ],
      // kept without a metrics source (they used to be dropped): not armed, and said so
      metrics: { series: { latency_p95: { unit: 'ms' }, error_rate: { unit: '%' } } },
      rollback: {
        steps: ['./bin/promote.sh --revert'],
        verify: [{ title: 'Confirm', run: './bin/canary-check.sh --min-success=99' }],
        triggers: [
          { metric: 'error_rate', above: 2, for: '3m' },
          { metric: 'latency_p95', above: 1500, for: '2m' },
        ],
      },
    });
  });
  it('reports the manual step; the criteria and triggers are mapped, and not armed without a metrics source', () => {
    expect(brief(r.report.unmapped)).toEqual(['3 documentation: Payments API — Release Checklist']);
    expect(r.report.mapped.map((m) => `${m.count} ${m.what}: ${m.lines.join(',')}`)).toEqual([
      '2 pre-flight checks (1 automated, 1 manual): 7,8',
      '3 stages (build 10m, canary 15m, production): 12,17,23',
      '6 steps: 14,15,19,20,21,25',
      '2 criteria: 29,30',
      '2 rollback steps (1 rollback, 1 verify, 0 incident): 34,35',
      '2 triggers: 39,40',
      '2 metrics (latency_p95, error_rate): 29,30',
    ]);
    if (!r.ok) throw new Error('not ok');
    expect(r.warnings?.map(formatError)).toEqual([
      'numbered.md:29:1: stages[2].criteria[0] (latency_p95 < 300 ms): not checked: no metrics source',
      'numbered.md:30:1: stages[2].criteria[1] (error_rate < 0.5 %): not checked: no metrics source',
      'numbered.md:39:1: rollback.triggers[0] (error_rate > 2 % for 3m): not armed: no metrics source',
      'numbered.md:40:1: rollback.triggers[1] (latency_p95 > 1500 ms for 2m): not armed: no metrics source',
    ]);
  });
  it('with a metrics source the same prose gives criteria and triggers, units converted', () => {
    const text = `---\nmetrics: { source: { type: command, run: ./metrics.sh } }\n---\n${readFileSync(join(FIXTURES, 'numbered.md'), 'utf8')}`;
    const m = load(text);
    expect(m.ok).toBe(true);
    expect(m.raw?.stages[2].criteria).toEqual([
      { metric: 'latency_p95', below: 300 },
      { metric: 'error_rate', below: 0.5 },
    ]);
    expect(m.raw?.rollback?.triggers).toEqual([
      { metric: 'error_rate', above: 2, for: '3m' },
      { metric: 'latency_p95', above: 1500, for: '2m' },
    ]);
    expect(m.raw?.metrics?.series).toEqual({ latency_p95: { unit: 'ms' }, error_rate: { unit: '%' } });
  });
  it('round-trips', () => expectRoundTrip(r));
});

describe('nested.md: code blocks nested in list items, sh and console fences, cd, prose-only troubleshooting', () => {
  const r = loadFixture('nested.md');
  it('maps to this runbook', () => {
    expect(r.ok).toBe(true);
    expect(r.raw).toEqual({
      name: 'search-indexer',
      stages: [
        {
          id: 'release-steps',
          title: 'Release steps',
          steps: [
            { title: 'Stop the ingest workers', run: './ops/ingest.sh stop' },
            // a block whose lines share shell state (set, cd) is one script in one shell
            { title: 'Migrate the schema (it can take a while)', run: 'set -euo pipefail\ncd db\n# apply, then check\n./migrate.sh --apply\n./migrate.sh --verify' },
            { title: 'Start the workers again', run: './ops/ingest.sh start' },
          ],
        },
      ],
      rollback: { steps: ['./ops/migrate.sh --down', './ops/ingest.sh start'] },
      troubleshooting: [
        { match: 'Migration locks a table', title: 'Migration locks a table', hint: 'Kill the blocking query from the DBA console, then retry the step.' },
        { match: 'Workers do not start', title: 'Workers do not start', steps: ['./ops/ingest.sh status'] },
      ],
    });
  });
  it('notes that the block with set and cd runs as one script', () => {
    expect(brief(r.report.unmapped)).toEqual([]);
    expect(r.report.notes.map((n) => n.line)).toEqual([18]);
    expect(r.report.notes[0].text).toMatch(/one script in one shell \(4 commands/);
    expect(r.report.mapped.map((m) => `${m.count} ${m.what}: ${m.lines.join(',')}`)).toEqual([
      '1 stage (release-steps): 7',
      '3 steps: 12,18,28',
      '2 rollback steps (2 rollback, 0 verify, 0 incident): 34,35',
      '2 troubleshooting entries: 40,44',
    ]);
  });
  it('round-trips', () => expectRoundTrip(r));
});

describe('runme.md: Runme fence attributes and front matter (metrics, probes, secrets, webhook)', () => {
  const r = loadFixture('runme.md');
  it('maps to this runbook', () => {
    expect(r.ok).toBe(true);
    expect(r.raw).toEqual({
      name: 'checkout-web',
      stages: [
        {
          id: 'staging',
          title: 'Staging',
          budget: '5m',
          steps: [
            { id: 'deploy-staging', run: './deploy.sh staging', timeout: '10m' },
            { id: 'smoke', run: './smoke.sh staging' },
          ],
        },
        {
          id: 'production',
          title: 'Production',
          budget: '10m',
          steps: [
            { id: 'deploy-prod-1', run: './deploy.sh production', timeout: '15m' },
            { id: 'deploy-prod-2', run: './smoke.sh production', timeout: '15m' },
          ],
        },
      ],
      metrics: {
        source: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
        series: {
          error_rate: { query: '100 * sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))', unit: '%' },
          latency_p95: { query: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le)) * 1000', unit: 'ms' },
        },
      },
      probes: [{ name: 'checkout', url: 'http://127.0.0.1:8080/checkout', critical: true }],
      rollback: {
        steps: [{ id: 'undo', run: './deploy.sh rollback' }],
        triggers: [
          { metric: 'error_rate', above: 2, for: '1m' },
          { metric: 'latency_p95', above: 800, for: '90s' },
          { probe: 'checkout', status: '5xx' },
        ],
      },
      escalation: [
        { after: '0m', run: './alert.sh "release in trouble"' },
        { after: '10m', title: 'page the on-call lead', notify: { slack: { webhookEnv: 'SLACK_WEBHOOK_URL' } } },
      ],
      secrets: ['DEPLOY_TOKEN'],
    });
  });
  it('reports the Runme attributes and keys it does not support', () => {
    expect(brief(r.report.unmapped)).toEqual([
      '3 unsupported: front matter "runme"',
      '5 unsupported: front matter "shell"',
      '28 unsupported: Staging (5 minutes): interactive=true',
      '34 unsupported: Production (10 minutes): background=true',
      '39-41 documentation: Production (10 minutes): bash block',
    ]);
    expect(r.report.notes).toEqual([]);
  });
  it('round-trips', () => expectRoundTrip(r));
});

describe('frontmatter.md: no release heading, front matter over the prose (flag provider, ramps, experiment)', () => {
  const r = loadFixture('frontmatter.md');
  it('maps to this runbook', () => {
    expect(r.ok).toBe(true);
    expect(r.raw).toEqual({
      name: 'Mobile backend',
      version: '{git.sha}',
      environment: 'prod',
      stages: [{ id: 'prod', title: 'Ship to prod', budget: '20m', steps: [{ title: 'Deploy', run: './scripts/deploy.sh prod' }] }],
      flags: { provider: { type: 'flagd', file: 'flags.json' }, ramps: { 'dark-mode': [10, 50, 100] } },
      experiments: {
        'onboarding-v3': {
          variants: ['control', 'treatment'],
          metric: 'signup',
          minSample: 500,
          deploy: ['./scripts/exp.sh', 'deploy', '--experiment={experiment}', '--metric=signup'],
          conclude: ['./scripts/exp.sh', 'conclude', '--experiment={experiment}'],
        },
      },
    });
  });
  it('reports nothing unmapped, and no assumption the front matter overrode', () => {
    expect(r.report.unmapped).toEqual([]);
    expect(r.report.notes.map((n) => n.text)).toEqual(['name "Mobile backend" from the title (set name: in the front matter to change it)']);
  });
  it('without the front matter the prose gives the command provider and a ramp from 10 %', () => {
    const text = readFileSync(join(FIXTURES, 'frontmatter.md'), 'utf8').split('---\n').slice(2).join('---\n');
    const m = load(text);
    expect(m.raw?.flags).toEqual({ provider: { type: 'command', run: ['./scripts/flag.sh', '--flag={flag}', '--percent={percent}'] }, ramps: { 'dark-mode': [10, 25, 50, 100] } });
  });
  it('round-trips', () => expectRoundTrip(r));
});

describe('prose.md: prose with no automation at all', () => {
  const r = loadFixture('prose.md');
  it('is not a runbook: says where stages come from, and lists the prose as documentation', () => {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatError)).toEqual([
      'prose.md:1:1: no release stages found: cockpit runs the ```bash (or ```sh) blocks under a heading like "## Release Process" (each sub-heading a stage, "(5 minutes)" its budget), or of any section with commands',
    ]);
    expect(brief(r.report.unmapped)).toEqual(['1-12 documentation: How we think about releases (Principles, Who to ask)']);
    expect(r.report.mapped).toEqual([]);
  });
});

describe('located errors point into the Markdown', () => {
  it('schema errors: a bad Runme timeout at its fence, an unknown front matter key at the key', () => {
    const r = loadFixture('invalid.md');
    expect(r.ok ? [] : r.errors.map(formatError)).toEqual([
      'invalid.md:4:1: unknown key "metrcs" at the top level (did you mean "metrics"?)',
      'invalid.md:13:9: stages[0].steps[0].timeout: bad duration "10": expected a duration like 90s, 2m or 1h30m',
    ]);
  });
  it('rule errors: a series without a query and an inverted band at the threshold line', () => {
    const r = loadFixture('invalid-rules.md');
    expect(r.ok ? [] : r.errors.map(formatError)).toEqual([
      'invalid-rules.md:21:1: series "latency_p95" needs a "query" (PromQL) for the prometheus source',
      'invalid-rules.md:21:1: warn (1000) must be below critical (500) for a series breached above',
    ]);
  });
  it('front matter syntax errors, and a front matter that is not a map', () => {
    const bad = load('---\nname: [x\n---\n# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n');
    expect(bad.ok ? [] : bad.errors.map(formatError)).toEqual([expect.stringMatching(/^RUNBOOK\.md:2:\d+: front matter: syntax error: /)]);
    const list = load('---\n- a\n---\n# T\n\n```bash\n./go.sh\n```\n');
    expect(list.ok ? [] : list.errors.map(formatError)).toEqual(['RUNBOOK.md:2:1: front matter: expected a map of runbook keys (name, metrics, probes, …)']);
  });
  it('a step id from a Runme name that is not an id, and a duplicate one', () => {
    const bad = load('# T\n\n## Release process\n\n### Go\n\n```bash { name="bad name" }\n./a.sh\n```\n');
    expect(bad.ok ? [] : bad.errors.map(formatError)).toEqual(['RUNBOOK.md:7:9: stages[0].steps[0].id: bad id "bad name": use letters, digits, "-", "_" and "."']);
    const dup = load('# T\n\n## Release process\n\n### Go\n\n```bash { name=dup }\n./b.sh\n```\n\n```bash { name=dup }\n./c.sh\n```\n');
    expect(dup.ok ? [] : dup.errors.map(formatError)).toEqual(['RUNBOOK.md:11:9: duplicate step id "dup" in stage "go" (first used at index 0)']);
  });
});

// ── percentiles: each one its own series ──────────────────────────────────────────────────

/** A runbook naming latency at five percentiles, and once with none: p99 in a trigger and a band, p95 in a criterion, a band and (by default) a trigger. */
const PERCENTILES_MD = `# Checkout

## Release process

### Deploy to production

\`\`\`bash
./deploy.sh
\`\`\`

**Success Criteria:**

- p95 latency below 300 ms
- Median latency < 80ms

## Rollback

\`\`\`bash
./undo.sh
\`\`\`

### Automatic rollback triggers

- Latency p99 > 2000ms for 3 minutes
- P99.9 latency above 5 seconds for 1 minute
- Response time > 2 seconds for 5 minutes
- Latency > 900ms at p90 for 2 minutes

## Monitoring

**Critical Thresholds:**

- **Latency (p99):** < 1s (Warning), < 2s (Critical)
- **p95 latency:** < 250ms (Warning), < 400ms (Critical)
`;

/** p99 in a trigger, p95 in a criterion: the smallest runbook that mixes them. */
const P99_AND_P95_MD = readFileSync(join(FIXTURES, 'p99-and-p95.md'), 'utf8');

const P95_QUERY = 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le)) * 1000';
const P99_QUERY = 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[1m])) by (le)) * 1000';

describe('percentiles: "p99 latency" is the p99 series, never the p95 one', () => {
  it('each percentile in the prose maps to its own series; latency with none named is latency_p95', () => {
    const r = load(PERCENTILES_MD);
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.raw?.metrics).toEqual({
      series: {
        latency_p99: { unit: 'ms', warn: 1000, critical: 2000 },
        latency_p95: { unit: 'ms', warn: 250, critical: 400 },
        latency_p50: { unit: 'ms' },
        latency_p999: { unit: 'ms' },
        latency_p90: { unit: 'ms' },
      },
    });
    expect(r.raw?.stages[0].criteria).toEqual([
      { metric: 'latency_p95', below: 300 },
      { metric: 'latency_p50', below: 80 },
    ]);
    expect(r.raw?.rollback?.triggers).toEqual([
      { metric: 'latency_p99', above: 2000, for: '3m' },
      { metric: 'latency_p999', above: 5000, for: '1m' },
      { metric: 'latency_p95', above: 2000, for: '5m' },
      { metric: 'latency_p90', above: 900, for: '2m' },
    ]);
    expect(r.runbook.unarmed).toEqual(['latency_p99 > 2000 ms for 3m', 'latency_p999 > 5000 ms for 1m', 'latency_p95 > 2000 ms for 5m', 'latency_p90 > 900 ms for 2m']);
    expectRoundTrip(r);
  });

  it('p99 in one place and p95 in another, with a command source: two series, both armed', () => {
    const r = load(`---\nmetrics: { source: { type: command, run: ./metrics.sh } }\n---\n${P99_AND_P95_MD}`);
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.raw?.metrics?.series).toEqual({ latency_p95: { unit: 'ms' }, latency_p99: { unit: 'ms' } });
    expect(r.raw?.stages[0].criteria).toEqual([{ metric: 'latency_p95', below: 300 }]);
    expect(r.raw?.rollback?.triggers).toEqual([{ metric: 'latency_p99', above: 2000, for: '3m' }]);
    expect(r.runbook.rollback?.triggers.map((t) => (t.kind === 'metric' ? [t.metric, t.threshold, t.forMs] : []))).toEqual([['latency_p99', 2000, 180_000]]);
    expect(r.runbook.unarmed).toBeUndefined();
    expect(r.warnings).toEqual([]);
    expect(r.report.unmapped).toEqual([]);
  });

  it('a prometheus front matter with only a p95 query: the p99 trigger needs a latency_p99 series, located at its line (not the p95 one)', () => {
    const r = load(`---\nmetrics:\n  source: { type: prometheus, url: "http://127.0.0.1:9090" }\n  series:\n    latency_p95: { query: '${P95_QUERY}' }\n---\n${P99_AND_P95_MD}`);
    expect(r.ok ? [] : r.errors.map(formatError)).toEqual(['RUNBOOK.md:29:1: series "latency_p99" needs a "query" (PromQL) for the prometheus source']);
    expect(r.report.unmapped).toEqual([
      {
        line: 29,
        what: 'trigger "Latency p99 > 2000ms for 3 minutes" (latency_p99)',
        why: 'a latency_p99 series: add metrics.series.latency_p99 with its query (PromQL for the prometheus source) to the front matter',
        kind: 'needs-front-matter',
      },
    ]);
    expect(formatReport(r.report, 'RUNBOOK.md').slice(-3)).toEqual([
      'not mapped (1: 1 needs front matter):',
      '  RUNBOOK.md:29: [needs front matter] trigger "Latency p99 > 2000ms for 3 minutes" (latency_p99): a latency_p99 series: add metrics.series.latency_p99 with its query (PromQL for the prometheus source) to the front matter',
      '1 automatable item waits for the front matter (see "needs front matter")',
    ]);
  });

  it('…and with both queries in the front matter: p99 watches latency_p99, the criterion latency_p95, both armed', () => {
    const r = load(`---\nmetrics:\n  source: { type: prometheus, url: "http://127.0.0.1:9090" }\n  series:\n    latency_p95: { query: '${P95_QUERY}' }\n    latency_p99: { query: '${P99_QUERY}' }\n---\n${P99_AND_P95_MD}`);
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.raw?.metrics?.series).toEqual({ latency_p95: { query: P95_QUERY, unit: 'ms' }, latency_p99: { query: P99_QUERY, unit: 'ms' } });
    expect(r.raw?.stages[0].criteria).toEqual([{ metric: 'latency_p95', below: 300 }]);
    expect(r.raw?.rollback?.triggers).toEqual([{ metric: 'latency_p99', above: 2000, for: '3m' }]);
    expect(r.report.unmapped).toEqual([]);
    expect(r.warnings).toEqual([]);
    expectRoundTrip(r);
  });

  it('a front matter naming its p99 series differently is used for p99 only; its p95 one is never used for p99', () => {
    const r = load(`---\nmetrics:\n  source: { type: command, run: ./metrics.sh }\n  series:\n    http_latency_p95: { unit: ms }\n    http_latency_p99: { unit: ms }\n---\n${P99_AND_P95_MD}`);
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.raw?.stages[0].criteria).toEqual([{ metric: 'http_latency_p95', below: 300 }]);
    expect(r.raw?.rollback?.triggers).toEqual([{ metric: 'http_latency_p99', above: 2000, for: '3m' }]);
    const only95 = load(`---\nmetrics:\n  source: { type: command, run: ./metrics.sh }\n  series:\n    http_latency_p95: { unit: ms }\n---\n${P99_AND_P95_MD}`);
    expect(only95.raw?.rollback?.triggers).toEqual([{ metric: 'latency_p99', above: 2000, for: '3m' }]);
    expect(Object.keys(only95.raw?.metrics?.series ?? {})).toEqual(['http_latency_p95', 'latency_p99']);
  });
});

// ── kept but not armed: the Markdown and its imported YAML ────────────────────────────────

describe('guardrails without a metrics source or probe: kept, not armed, the same in the imported YAML', () => {
  it('the seed imported: the top comment says exactly what to fill in, and the places carry a pointer', () => {
    const r = loadRunbook(copyOf(SEED), COPIES) as MarkdownLoad;
    const yaml = toYaml(r.raw!, r.report, 'release-runbook.md');
    expect(yaml.split('\n').slice(0, 11)).toEqual([
      '# Imported from release-runbook.md by `cockpit import`: the same release as the Markdown runs.',
      '# cockpit validate lists what each part does; the JSON Schema is `cockpit schema`.',
      '#',
      '# NOT ARMED YET: 4 rollback triggers and 1 stage criterion are kept below as the Markdown wrote them,',
      '# but nothing watches them until you fill in:',
      '#   - metrics.source: where the metrics come from: {type: prometheus, url: …}, {type: http-json, url: …}, {type: command, run: …} or {type: demo}',
      '#   - a query (PromQL, for prometheus) or a pointer (JSON pointer, for http-json) for each series: latency_p95, error_rate, throughput, memory',
      '#   - probes: a probe marked critical: true, e.g. {name: checkout, url: http://…, critical: true} (for "critical probes 5xx")',
      '# Until then `cockpit validate` lists them as not armed and a run shows "⚠ AUTO-ROLLBACK OFF".',
      '',
      'name: Release Runbook',
    ]);
    expect(yaml).toContain(
      '# no source yet: add source: {type: prometheus, url: …} here, and a query to each series (a pointer for http-json)\nmetrics:\n  series:\n    latency_p95:\n      unit: ms\n      warn: 500\n      critical: 1000\n',
    );
    expect(yaml).toContain(
      '  # not armed yet: see the top of this file\n  triggers:\n    - metric: error_rate\n      above: 1\n      for: 2m\n    - metric: latency_p95\n      above: 2000\n      for: 3m\n    - probe: critical\n      status: 5xx\n    - metric: memory\n      above: 85\n      for: 5m\n',
    );
  });

  it('a cockpit.yml with series but no source validates: the triggers and criteria are warnings, left out of the run', () => {
    const yaml = [
      'name: web-app',
      'stages:',
      '  - id: production',
      '    steps: [./deploy.sh]',
      '    criteria: [{ metric: latency_p99, below: 800 }]',
      'metrics:',
      '  series:',
      '    latency_p99: { unit: ms, warn: 500, critical: 1000 }',
      'rollback:',
      '  steps: [./undo.sh]',
      '  triggers:',
      '    - { metric: latency_p99, above: 2000, for: 3m }',
      '    - { probe: critical, status: 5xx }',
      '',
    ].join('\n');
    const r = parseRunbook(yaml, '/x/cockpit.yml', 'cockpit.yml');
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.warnings?.map(formatError)).toEqual([
      'cockpit.yml:5:16: stages[0].criteria[0] (latency_p99 < 800 ms): not checked: no metrics source',
      'cockpit.yml:12:7: rollback.triggers[0] (latency_p99 > 2000 ms for 3m): not armed: no metrics source',
      'cockpit.yml:13:7: rollback.triggers[1] (critical probes 5xx): not armed: no probes',
    ]);
    expect(r.runbook.unarmed).toEqual(['latency_p99 > 2000 ms for 3m', 'critical probes 5xx']);
    expect(r.runbook.rollback?.triggers).toEqual([]);
    expect(r.runbook.stages[0].criteria).toEqual([]);
    expect(r.runbook.metrics).toBeUndefined();
    // a trigger naming a series that is not there is still an error, source or not
    const typo = parseRunbook(yaml.replace('{ metric: latency_p99, above', '{ metric: latency_p9, above'), '/x/cockpit.yml', 'cockpit.yml');
    expect(typo.ok ? [] : typo.errors.map(formatError)).toEqual(['cockpit.yml:12:17: trigger names unknown metric "latency_p9" (did you mean "latency_p99"?)']);
  });

  it('with a source and probes everything is armed: no warnings, the triggers in the run', () => {
    const r = seedWithFrontMatter();
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    expect(r.warnings).toEqual([]);
    expect(r.runbook.unarmed).toBeUndefined();
    expect(r.runbook.rollback?.triggers).toHaveLength(4);
  });
});

// ── smaller behaviours ────────────────────────────────────────────────────────────────────

describe('mapping details', () => {
  it('a release section with commands of its own is one stage', () => {
    const r = load('# Ship\n\n## Release\n\n```bash\n./a.sh\n./b.sh\n```\n');
    expect(r.raw?.stages).toEqual([{ id: 'release', title: 'Release', steps: ['./a.sh', './b.sh'] }]);
  });
  it('a pre-flight code block gives automated checks; several commands in one item are several checks', () => {
    const r = load('# T\n\n## Pre-flight\n\n- [ ] **Build:** `make lint` and `make test`\n- [ ] Release notes reviewed\n\n```bash\n# Disk space\n./check-disk.sh\n```\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n');
    expect(r.raw?.preflight).toEqual([
      { title: 'Build', run: 'make lint' },
      { title: 'Build (2)', run: 'make test' },
      { title: 'Release notes reviewed', manual: 'Release notes reviewed' },
      { title: 'Disk space', run: './check-disk.sh' },
    ]);
  });
  it('commands outside any section cockpit maps are reported, never dropped', () => {
    const r = load('# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n\n## Notes\n\n```bash\n./cleanup.sh\n```\n\n```\n./unlabelled.sh\n```\n');
    expect(brief(r.report.unmapped)).toEqual(['13-15 no-place: Notes: bash block', '17-19 no-place: Notes: code block without a language']);
  });
  it('a trigger it cannot read is reported as such', () => {
    const r = load('# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n\n## Rollback triggers\n\n- When customers complain\n');
    expect(brief(r.report.unmapped)).toEqual(['13 unreadable: trigger "When customers complain"']);
  });
  it('an incident without a quoted argument keeps its argv; one with shell syntax stays a string', () => {
    const a = load('# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n\n## Rollback\n\n```bash\n./undo.sh\n./open-incident.sh --sev 2\n```\n');
    expect(a.raw?.rollback).toEqual({ steps: ['./undo.sh'], incident: ['./open-incident.sh', '--sev', '2'] });
    const b = load('# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n\n## Rollback\n\n```bash\n./undo.sh\n./open-incident.sh "$(hostname)"\n```\n');
    expect(b.raw?.rollback).toEqual({ steps: ['./undo.sh'], incident: './open-incident.sh "$(hostname)"' });
  });
  it('a critical-probe trigger with no probe in the front matter is kept, not armed; with probes none of which is critical it is an error, as in YAML', () => {
    const md = '# T\n\n## Release process\n\n### Go\n\n```bash\n./go.sh\n```\n\n## Rollback\n\n```bash\n./undo.sh\n```\n\n### Automatic rollback triggers\n\n- Any 5xx error on critical endpoints\n';
    const r = load(md);
    expect(r.report.unmapped).toEqual([]);
    expect(r.raw?.rollback?.triggers).toEqual([{ probe: 'critical', status: '5xx' }]);
    if (!r.ok) throw new Error('not ok');
    expect(r.warnings?.map(formatError)).toEqual(['RUNBOOK.md:19:1: rollback.triggers[0] (critical probes 5xx): not armed: no probes']);
    expect([r.runbook.rollback?.triggers, r.runbook.unarmed]).toEqual([[], ['critical probes 5xx']]);
    const slip = load(`---\nprobes: [{ name: checkout, url: "http://127.0.0.1:8080/" }]\n---\n${md}`);
    expect(slip.ok ? [] : slip.errors.map(formatError)).toEqual(['RUNBOOK.md:22:1: trigger watches "critical" probes but no probe is marked critical: true']);
  });
  it('formats the report: mapped, assumed, not mapped, and a closing verdict', () => {
    const r = loadFixture('nested.md');
    expect(formatReport(r.report, 'nested.md')).toEqual([
      'mapped from nested.md:',
      '  1 stage (release-steps): line 7',
      '  3 steps: lines 12, 18, 28',
      '  2 rollback steps (2 rollback, 0 verify, 0 incident): lines 34, 35',
      '  2 troubleshooting entries: lines 40, 44',
      'assumed:',
      '  nested.md:18: "Migrate the schema (it can take a while)": one script in one shell (4 commands: variables, cd and functions carry from line to line; it stops at the first failing command)',
      'not mapped (0):',
      'nothing automatable is left unmapped',
    ]);
  });
  it('the imported YAML says what was not mapped, in comments', () => {
    const r = loadFixture('nested.md');
    const yaml = toYaml(r.raw!, r.report, 'nested.md');
    expect(yaml.split('\n').slice(0, 3)).toEqual([
      '# Imported from nested.md by `cockpit import`: the same release as the Markdown runs.',
      '# cockpit validate lists what each part does; the JSON Schema is `cockpit schema`.',
      '',
    ]);
    expect(yaml).toContain('  steps: [./ops/migrate.sh --down, ./ops/ingest.sh start]\n');
    // nothing is left unmapped, so the YAML ends with the runbook
    expect(yaml).not.toContain('# Not mapped from nested.md:');
  });
});

describe('single-line readers', () => {
  it('budgets in headings', () => {
    expect(headingBudget('Deploy to Staging (2 minutes)')).toEqual({ title: 'Deploy to Staging', budget: '2m', budgetText: '(2 minutes)' });
    expect(headingBudget('Pre-Flight Checklist (30 seconds)')).toMatchObject({ title: 'Pre-Flight Checklist', budget: '30s' });
    expect(headingBudget('Soak (1.5 hours)')).toMatchObject({ budget: '1h30m' });
    expect(headingBudget('Build (~10 min)')).toMatchObject({ title: 'Build', budget: '10m' });
    expect(headingBudget('Deploy (blue/green)')).toEqual({ title: 'Deploy (blue/green)' });
  });
  it('fence attributes, Runme style and JSON style', () => {
    expect(fenceAttributes('{ name=deploy timeout=10m interactive=true }')).toEqual({ name: 'deploy', timeout: '10m', interactive: 'true' });
    expect(fenceAttributes('{"name":"smoke","interactive":false}')).toEqual({ name: 'smoke', interactive: 'false' });
    expect(fenceAttributes('{ name="two words" cwd=app }')).toEqual({ name: 'two words', cwd: 'app' });
    expect(fenceAttributes(null)).toEqual({});
  });
  it('shell blocks: comments title the next command; continuations, heredocs and compound commands stay whole', () => {
    const block = [
      '#!/bin/bash',
      '# 1. Build',
      'make build \\',
      '  --release',
      '',
      '# Step 2: Tag',
      'cat <<EOF > notes.txt',
      'release notes',
      'EOF',
      'if [ -f x ]; then',
      '  echo yes',
      'fi',
      'export STAGE=prod',
      './deploy.sh',
    ].join('\n');
    const { commands, skipped } = blockCommands(block, 'bash');
    // every line is a command of the one shell lexer: export is one too (the block runs as one script)
    expect(commands.map((c) => [c.index, c.title, c.text])).toEqual([
      [2, 'Build', 'make build \\\n  --release'],
      [6, 'Tag', 'cat <<EOF > notes.txt\nrelease notes\nEOF'],
      [9, undefined, 'if [ -f x ]; then\n  echo yes\nfi'],
      [12, undefined, 'export STAGE=prod'],
      [13, undefined, './deploy.sh'],
    ]);
    expect(skipped).toEqual([]);
    expect(blockCommands('$ ./a.sh\nok\n$ ./b.sh --x\n', 'console').commands.map((c) => c.text)).toEqual(['./a.sh', './b.sh --x']);
  });
  it('comparisons, windows and metric names', () => {
    expect(comparison('Error rate > 1% for 2 consecutive minutes')).toEqual({ subject: 'Error rate', op: 'above', value: 1, unit: '%', rest: 'for 2 consecutive minutes' });
    expect(comparison('Response time > 2 seconds for 3 consecutive minutes')).toMatchObject({ value: 2, unit: 'seconds' });
    expect(comparison('Response times < 500ms')).toMatchObject({ subject: 'Response times', op: 'below', value: 500, unit: 'ms' });
    expect(comparison('Zero 5xx errors')).toBeUndefined();
    expect(windowOf('for 2 consecutive minutes')).toBe('2m');
    expect(windowOf('for 90 seconds')).toBe('90s');
    expect(windowOf('sustained')).toBeUndefined();
    expect(metricOf('Response Time')?.name).toBe('latency_p95');
    expect(metricOf('Memory usage')?.name).toBe('memory');
    expect(metricOf('Error Rate')?.name).toBe('error_rate');
    expect(metricOf('Throughput')?.name).toBe('throughput');
    expect(metricOf('queue depth', ['queue_depth'])?.name).toBe('queue_depth');
  });
  it('percentiles, exactly: p50, p90, p95, p99 and p999 each their own, never rounded to a neighbour', () => {
    const cases: [string, string | undefined][] = [
      ['p50 latency', 'p50'],
      ['Median latency', 'p50'],
      ['P90 response time', 'p90'],
      ['p95 latency', 'p95'],
      ['Latency p99', 'p99'],
      ['99th percentile response time', 'p99'],
      ['tp99 latency', 'p99'],
      ['P99.9 latency', 'p999'],
      ['p999 latency', 'p999'],
      ['latency_p90', 'p90'],
      ['Response time', undefined],
      ['P1 incidents', undefined],
      ['stop after 99 requests', undefined],
    ];
    expect(cases.map(([t]) => [t, percentileOf(t)])).toEqual(cases);
    expect(['p50 latency', 'P90 response time', 'p95 latency', 'Latency p99', 'P99.9 latency', 'Response time', 'p99'].map((t) => metricOf(t))).toEqual([
      { name: 'latency_p50', unit: 'ms' },
      { name: 'latency_p90', unit: 'ms' },
      { name: 'latency_p95', unit: 'ms' },
      { name: 'latency_p99', unit: 'ms' },
      { name: 'latency_p999', unit: 'ms' },
      { name: 'latency_p95', unit: 'ms' },
      { name: 'latency_p99', unit: 'ms' },
    ]);
    // the front matter's series: used only for the same percentile
    expect(metricOf('Latency p99', ['latency_p95'])).toEqual({ name: 'latency_p99', unit: 'ms' });
    expect(metricOf('p99 latency', ['latency'])).toEqual({ name: 'latency_p99', unit: 'ms' });
    expect(metricOf('Latency p99', ['latency_p95', 'latency_p99'])).toEqual({ name: 'latency_p99', unit: 'ms' });
    expect(metricOf('p99 latency', ['http_latency_p95', 'http_latency_p99'])).toEqual({ name: 'http_latency_p99', unit: 'ms' });
    expect(metricOf('Response time', ['http_latency_p95', 'http_latency_p99'])).toEqual({ name: 'http_latency_p95', unit: 'ms' });
    // the percentile after the value, when the subject names none ("Latency > 900ms at p90 for 2 minutes")
    expect(metricOf('Latency', [], 'at p90 for 2 minutes')).toEqual({ name: 'latency_p90', unit: 'ms' });
    expect(metricOf('Error rate', [], 'at p99')).toEqual({ name: 'error_rate', unit: '%' });
    expect(metricOf('Throughput p50')).toEqual({ name: 'throughput', unit: 'rps' });
    // a percentile of something else is not a latency: a series of its own (the known one, or the trigger's slug)
    expect(metricOf('Queue depth p99')).toBeUndefined();
    expect(metricOf('Queue depth p99', ['queue_depth'])).toEqual({ name: 'queue_depth', unit: undefined });
    expect(metricOf('the P99.9')).toEqual({ name: 'latency_p999', unit: 'ms' });
  });
  it('threshold bands', () => {
    expect(bandOf('< 500ms (Warning), < 1s (Critical)')).toEqual({ warn: 500, warnUnit: 'ms', critical: 1, criticalUnit: 's' });
    expect(bandOf('> [baseline] (Warning if drops 20%)')).toEqual({ dropWarnPct: 20 });
    expect(bandOf('> 99.9% (Warning), > 99% (Critical)')).toEqual({ warn: 99.9, warnUnit: '%', critical: 99, criticalUnit: '%', direction: 'below' });
    expect(bandOf('warning at 70%, critical at 85%')).toEqual({ warn: 70, warnUnit: '%', critical: 85, criticalUnit: '%' });
    expect(bandOf('see the dashboard')).toBeUndefined();
  });
  it('escalation times', () => {
    expect(escalationAfter('Level 1 (0-5 min): Automated alerts')).toEqual({ after: '0m', match: '(0-5 min)' });
    expect(escalationAfter('Level 3 (15+ min): Escalate')).toEqual({ after: '15m', match: '(15+ min)' });
    expect(escalationAfter('After 10 minutes: page')).toEqual({ after: '10m', match: 'After 10 minutes' });
    expect(escalationAfter('Self-service: use the scripts')).toBeUndefined();
  });
  it('inline code that is a command, and what a troubleshooting heading matches', () => {
    expect(looksLikeCommand('./scripts/verify-tests.sh')).toBe(true);
    expect(looksLikeCommand('kubectl get pods')).toBe(true);
    expect(looksLikeCommand('scripts/check.sh')).toBe(true);
    expect(looksLikeCommand('#releases')).toBe(false);
    expect(looksLikeCommand('cockpit.yml')).toBe(false);
    expect(looksLikeCommand('git')).toBe(false);
    expect(matchOf('Tests failing in CI/CD')).toBe('Tests failing');
    expect(matchOf('"Deployment stuck/timing out"')).toBe('Deployment stuck');
    expect(matchOf('Database migration failed')).toBe('Database migration failed');
  });
  it('stage ids: the environment a deploy goes to, else the slug', () => {
    const taken = new Set<string>();
    expect(stageIdentity('Deploy to Production', taken)).toEqual({ id: 'production' });
    expect(stageIdentity('Production', taken)).toEqual({ id: 'production-2', environment: 'production' });
    expect(stageIdentity('Pre-Release', taken)).toEqual({ id: 'pre-release' });
    expect(stageIdentity('Verify production', taken)).toEqual({ id: 'verify-production', environment: 'production' });
  });
});

// ── cockpit init ──────────────────────────────────────────────────────────────────────────

describe('cockpit init', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } satisfies Io, out, err };
  };

  it('the starter validates', () => {
    const r = parseRunbook(STARTER, '/x/cockpit.yml');
    expect(r.ok).toBe(true);
  });

  it('with --yes writes the starter when there is no Markdown runbook', async () => {
    const dir = tempDir();
    const o = io();
    expect(await initCommand(['--yes'], o.io, { cwd: dir, interactive: false })).toBe(0);
    // after the schema modeline (test/unit/init-files.test.ts)
    expect(readFileSync(join(dir, 'cockpit.yml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\S+\n/);
    expect(readFileSync(join(dir, 'cockpit.yml'), 'utf8').split('\n').slice(1).join('\n')).toBe(STARTER);
  });

  it('not on a terminal and without --yes: says what it would do, writes nothing, exits 2', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docs', 'ops'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'ops', 'release-runbook.md'), readFileSync(join(FIXTURES, 'numbered.md')));
    const o = io();
    expect(await initCommand([], o.io, { cwd: dir, interactive: false })).toBe(2);
    expect(o.out.find((l) => l.startsWith('would '))).toBe(
      // its 2 triggers are in the YAML now (they were lost); init's summary has no raw runbook, so it counts armed metrics only
      'would write cockpit.yml imported from docs/ops/release-runbook.md (2 checks (1 automated, 1 manual), 3 stages, 6 steps (1 manual), 2 rollback steps, 2 triggers (2 not armed), 2 metrics (no source), 0 probes, 0 escalation levels, 0 flags, 0 experiments, 0 troubleshooting entries, 0 secrets)',
    );
    expect(existsSync(join(dir, 'cockpit.yml'))).toBe(false);
  });

  it('on a terminal asks y/N: y imports the RUNBOOK.md it found, anything else writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'RUNBOOK.md'), readFileSync(join(FIXTURES, 'nested.md')));
    mkdirSync(join(dir, 'db')); // its "cd db" (a cwd must exist)
    const asked: string[] = [];
    const no = io();
    expect(await initCommand([], no.io, { cwd: dir, interactive: true, ask: async (q) => (asked.push(q), 'n') })).toBe(1);
    expect(existsSync(join(dir, 'cockpit.yml'))).toBe(false);
    const yes = io();
    expect(await initCommand([], yes.io, { cwd: dir, interactive: true, ask: async () => 'y' })).toBe(0);
    expect(asked[0]).toMatch(/^Write cockpit\.yml imported from RUNBOOK\.md \(.*\)\? \[y\/N\] $/);
    const written = parseRunbook(readFileSync(join(dir, 'cockpit.yml'), 'utf8'), join(dir, 'cockpit.yml'));
    const md = loadRunbook(join(dir, 'RUNBOOK.md'), dir);
    expect(written.ok && md.ok && { ...written.runbook, file: md.runbook.file }).toEqual(md.ok && md.runbook);
  });

  it('never overwrites an existing runbook', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cockpit.yml'), 'name: mine\n');
    writeFileSync(join(dir, 'RUNBOOK.md'), readFileSync(join(FIXTURES, 'nested.md')));
    const o = io();
    expect(await initCommand(['--yes'], o.io, { cwd: dir })).toBe(0);
    expect(o.out).toEqual(['cockpit.yml already exists here: nothing written (cockpit validate checks it, cockpit run runs it)']);
    expect(readFileSync(join(dir, 'cockpit.yml'), 'utf8')).toBe('name: mine\n');
  });

  it('a Markdown runbook that does not map to a valid one: its errors, nothing written, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'RUNBOOK.md'), readFileSync(join(FIXTURES, 'prose.md')));
    const o = io();
    expect(await initCommand(['--yes'], o.io, { cwd: dir })).toBe(2);
    expect(o.err[0]).toMatch(/^RUNBOOK\.md:1:1: no release stages found/);
    expect(existsSync(join(dir, 'cockpit.yml'))).toBe(false);
  });
});
