/**
 * The demo's runbook: the seed runbook's release (pre-flight, pre-release, staging, production
 * blue-green with health check and monitor window, post-release) against the demo service, with
 * its four rollback triggers, a critical probe, escalation, a flag ramp, an A/B experiment,
 * troubleshooting, a masked secret, DORA targets and a risk register. Every duration is divided by
 * `speed`.
 */
export type DemoRunbookOptions = {
  readonly serviceUrl: string;
  readonly speed: number;
  /** A Prometheus server scraping the demo service (`--prometheus`); else the service's JSON. */
  readonly prometheusUrl?: string;
  /** Where the service's JSON metrics are read from, when not from the service (scenario blind: a port nothing listens on). */
  readonly metricsUrl?: string;
};

/** A runbook duration, scaled down by the demo speed: 5m at ×20 is 15s. */
export function scaled(demoMs: number, speed: number): string {
  const ms = Math.max(100, Math.round(demoMs / speed));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const m = (n: number) => n * 60_000;
const s = (n: number) => n * 1000;

/**
 * With --prometheus the experiment reads Prometheus too (metrics.source): PromQL has no default, so
 * its per-variant queries are written, over the counters the service exports.
 */
function experimentQueries(o: DemoRunbookOptions): string {
  if (!o.prometheusUrl) return '';
  return `
    exposures: 'sum(demo_experiment_exposures_total{experiment="{experiment}",variant="{variant}"})'
    conversions: 'sum(demo_experiment_conversions_total{experiment="{experiment}",variant="{variant}"})'`;
}

function metricsBlock(o: DemoRunbookOptions): string {
  const interval = scaled(s(10), o.speed);
  if (o.prometheusUrl) {
    return `metrics:
  interval: ${interval}
  source: { type: prometheus, url: ${JSON.stringify(o.prometheusUrl)} }
  series:
    latency_p95: { query: 'max(demo_latency_p95_ms{slot=""})', unit: ms, warn: 500, critical: 1000, label: latency p95 }
    error_rate: { query: 'max(demo_error_rate_percent{slot=""})', unit: '%', warn: 0.1, critical: 0.5, label: error rate }
    throughput: { query: 'max(demo_request_rate{slot=""})', unit: rps, dropWarnPct: 20 }
    memory: { query: 'max(demo_memory_percent{slot=""})', unit: '%', warn: 70, critical: 85 }`;
  }
  return `metrics:
  interval: ${interval}
  source: { type: http-json, url: ${JSON.stringify(o.metricsUrl ?? `${o.serviceUrl}/metrics.json`)} }
  series:
    latency_p95: { pointer: /overall/latency_p95, unit: ms, warn: 500, critical: 1000, label: latency p95 }
    error_rate: { pointer: /overall/error_rate, unit: '%', warn: 0.1, critical: 0.5, label: error rate }
    throughput: { pointer: /overall/throughput, unit: rps, dropWarnPct: 20 }
    memory: { pointer: /overall/memory, unit: '%', warn: 70, critical: 85 }`;
}

/** The header and the pre-flight checks. */
function headerBlock(o: DemoRunbookOptions, d: (ms: number) => string): string {
  return `# The cockpit demo: a whole release of a simulated web app (blue/green) at ×${o.speed} speed.
# Every duration below is the runbook's real one divided by ${o.speed} (5m → ${d(m(5))}).
name: demo-web-app
version: "2.4.0"
environment: production

preflight:
  - title: All tests passing
    run: ./scripts/verify-tests.sh
    retries: 1
  - title: Demo service healthy
    run: [./scripts/health-check.sh, preflight]
  - title: No active incidents
    manual: Check the monitoring dashboard
  - title: Rollback plan ready
    manual: Previous version 2.3.9 is available`;
}

/** The release: pre-release, staging, production (blue-green, monitor, flag ramp), post-release. */
function stagesBlock(o: DemoRunbookOptions, d: (ms: number) => string): string {
  return `stages:
  - id: pre-release
    title: Pre-Release
    budget: ${d(m(5))}
    armed: false
    steps:
      - { id: readiness, title: Verify readiness, run: ./scripts/pre-release-check.sh }
      - { id: prepare, title: Run automated release prep, run: [./scripts/prepare-release.sh, "{version}"] }

  - id: staging
    title: Deploy to Staging
    budget: ${d(m(2))}
    armed: false
    steps:
      - { id: deploy-staging, title: Deploy to staging, run: [./scripts/deploy-staging.sh, "{version}"] }
      - { id: smoke-tests, title: Run smoke tests, run: ./scripts/smoke-test-staging.sh }
      - { id: critical-paths, title: Verify critical paths, run: [./scripts/verify-critical-paths.sh, staging] }

  - id: production
    title: Deploy to Production
    environment: production
    # the seed says 3 minutes, but its own monitor and the ramp watches take 9 minutes, and the
    # scripts' real seconds count ×${o.speed} here: 10 minutes was always over budget in a clean release
    budget: ${d(m(15))}
    confirm: press-r
    steps:
      - { id: blue-green, title: Deploy with blue-green strategy, run: [./scripts/deploy-production.sh, "{version}"], timeout: ${d(m(10))} }
      - { id: health, title: Verify health immediately, run: [./scripts/health-check.sh, production] }
      # the memory trigger needs 5 minutes of breach: the watch outlasts it by a minute
      - { id: monitor, title: Monitor for 6 minutes, monitor: ${d(m(6))} }
      - { id: flag-5, title: Enable new-checkout for 5 %, flag: new-checkout, to: 5 }
      - { id: watch-5, title: Watch the 5 % ramp, monitor: ${d(m(1))} }
      - { id: flag-25, flag: new-checkout, to: 25 }
      - { id: watch-25, title: Watch the 25 % ramp, monitor: ${d(m(1))} }
      - { id: flag-50, flag: new-checkout, to: 50 }
      - { id: watch-50, title: Watch the 50 % ramp, monitor: ${d(m(1))} }
      - { id: flag-100, flag: new-checkout, to: 100 }
    criteria:
      - { metric: latency_p95, below: 1000 }
      - { metric: error_rate, below: 0.5 }

  - id: post-release
    title: Post-Release
    budget: ${d(m(2))}
    steps:
      - { id: log-release, title: Update release log, run: [./scripts/log-release.sh, "{version}"] }
      - { id: cleanup, title: Clean up old artifacts, run: ./scripts/cleanup-old-releases.sh }
      - { id: notify, title: Notify stakeholders, run: [./scripts/notify-release-complete.sh, "{version}"] }`;
}

/** What watches the release: probes, the rollback and its triggers, escalation. */
function guardBlock(o: DemoRunbookOptions, d: (ms: number) => string): string {
  return `probes:
  - { name: checkout, url: ${JSON.stringify(`${o.serviceUrl}/checkout`)}, critical: true, timeout: 2s }
  - { name: health, url: ${JSON.stringify(`${o.serviceUrl}/health`)}, timeout: 2s }

rollback:
  steps:
    - { id: rollback-production, title: Rollback to last known good, run: ./scripts/rollback-production.sh }
  verify:
    - { id: verify-rollback, title: Confirm rollback successful, run: ./scripts/verify-rollback.sh }
  incident: [./scripts/create-incident.sh, "{reason}"]
  grace: 2s
  triggers:
    - { metric: error_rate, above: 1, for: ${d(m(2))} }
    - { metric: latency_p95, above: 2000, for: ${d(m(3))} }
    - { probe: critical, status: 5xx }
    - { metric: memory, above: 85, for: ${d(m(5))} }

escalation:
  - { after: 0m, title: "Level 1: automated alert to #releases", run: [./scripts/incident-alert.sh, "L{level}: {reason}"] }
  - { after: ${d(m(5))}, title: "Level 2: page on-call engineer", notify: { slack: { webhookEnv: DEMO_WEBHOOK_URL } } }
  - { after: ${d(m(15))}, title: "Level 3: escalate to engineering leadership", run: [./scripts/escalate-leadership.sh, "{reason}"] }`;
}

/** The flag ramps and the A/B experiment. */
function flagsBlock(o: DemoRunbookOptions): string {
  return `flags:
  provider: { type: flagd, file: flags.json }
  ramps:
    new-checkout: [5, 25, 50, 100]
    checkout-v2-split: [10, 50, 90]

experiments:
  checkout-flow-v2:
    variants: [control, treatment]
    metric: checkout conversion
    minSample: 1000
    flag: checkout-v2-split${experimentQueries(o)}
    splits: [10, 50, 90]
    deploy: [./scripts/deploy-ab-test.sh, "--experiment={experiment}"]
    conclude: [./scripts/conclude-experiment.sh, "--experiment={experiment}", "--winner={winner}", "--decision={decision}"]
    brief: experiment-brief.md`;
}

/** Troubleshooting, the emergency reference, secrets, DORA targets, the risk register. */
function referenceBlock(): string {
  return `troubleshooting:
  - match: Tests failing
    title: Tests failing in CI/CD
    hint: Quick fix, retry flaky tests; deep dive, check the test environment
    run: ./scripts/retry-failed-tests.sh
  - match: Deployment stuck
    title: Deployment stuck/timing out
    hint: Check the deployment status; force a rollback if needed (R)
    run: ./scripts/check-deployment-status.sh

emergency:
  # the rollback itself: Enter on it opens the rollback dialog (R), never a script beside the release
  - { title: "IMMEDIATE: Stop the bleeding (roll back the last release)", rollback: true }
  - { title: "ASSESS: Check system health", run: [./scripts/health-check.sh, emergency] }
  - { title: "COMMUNICATE: Alert the team", run: [./scripts/incident-alert.sh, "manual alert from the emergency reference"] }

secrets: [DEMO_DEPLOY_TOKEN]

# the seed's "Release Success Metrics" with values: cockpit history compares the four keys with them
targets: { deploymentFrequency: daily, leadTime: 1d, changeFailureRate: 15%, timeToRestore: 1h, rollbackRate: 10% }

# the seed's risk-incident-sync: every rollback appends an entry to this file
riskRegister: { file: risk-register.md }`;
}

export function demoRunbook(o: DemoRunbookOptions): string {
  const d = (ms: number) => scaled(ms, o.speed);
  return `${headerBlock(o, d)}\n\n${stagesBlock(o, d)}\n\n${metricsBlock(o)}\n\n${guardBlock(o, d)}\n\n${flagsBlock(o)}\n\n${referenceBlock()}\n`;
}
