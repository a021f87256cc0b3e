/**
 * Writes the demo workspace: the runbook, real executable scripts (bash, plus a small node client
 * for the demo service's admin API), the flagd file, the experiment brief.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flagDefinition } from '../flags/providers/flagd.js';
import { demoRunbook, type DemoRunbookOptions } from './runbook.js';
import { modelineFor } from '../runbook/schema-file.js';

const SH = '#!/usr/bin/env bash\nset -euo pipefail\ncd "$(dirname "$0")/.."\n';

/** The client every script uses to talk to the demo service (DEMO_SERVICE_URL). */
const CLIENT = `// The demo's admin client: node scripts/demo.mjs <health|checkout|deploy VERSION|switch|rollback|state>
// node:http, not fetch: fetch loads undici first, which tripled what each call costs (0.33 s of CPU, not 0.1 s)
import { request } from 'node:http';
const base = process.env.DEMO_SERVICE_URL;
if (!base) { console.error('DEMO_SERVICE_URL is not set: run this through "cockpit demo"'); process.exit(2); }
const [cmd, arg] = process.argv.slice(2);
function send(method, path) {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('error', reject).on('end', () => {
        let body = {};
        try { body = JSON.parse(text); } catch { /* not JSON: no fields */ }
        resolve({ status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, body });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
async function call(method, path) {
  const { status, ok, body } = await send(method, path);
  if (!ok) { console.error(\`\${method} \${path}: HTTP \${status} \${body.error ?? ''}\`); process.exit(1); }
  return body;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  if (cmd === 'health') { const h = await call('GET', '/health'); console.log(\`health: \${h.status}, live slot \${h.live} serves \${h.version}\`); }
  else if (cmd === 'checkout') { await call('GET', '/checkout'); console.log('checkout: 200 OK'); }
  else if (cmd === 'state') console.log(JSON.stringify(await call('GET', '/admin/state')));
  else if (cmd === 'deploy') {
    const r = await call('POST', \`/admin/deploy?version=\${encodeURIComponent(arg)}\`);
    console.log(\`deploying \${arg} to the idle slot (\${r.slot ?? 'idle'})\`);
    for (let i = 0; i < 600; i++) {
      const st = await call('GET', '/admin/state');
      const slot = Object.values(st.slots ?? {}).find((s) => s.version === arg);
      if (slot && slot.status === 'ready') { console.log(\`\${arg} is ready on the idle slot\`); process.exit(0); }
      if (i % 5 === 0) console.log(\`waiting for \${arg}: \${slot?.status ?? 'starting'}\`);
      await sleep(100);
    }
    console.error(\`\${arg} never became ready\`); process.exit(1);
  }
  else if (cmd === 'switch') { const r = await call('POST', '/admin/switch'); console.log(\`traffic switched: \${r.live ?? ''} is live\`); }
  else if (cmd === 'rollback') {
    const { status, ok, body: r } = await send('POST', '/admin/rollback');
    if (status === 409) console.log(\`nothing to roll back: \${r.error ?? 'already on the last known good version'}\`);
    else if (!ok) { console.error(\`rollback: HTTP \${status} \${r.error ?? ''}\`); process.exit(1); }
    else console.log(r.already ? \`already rolled back: \${r.live} is live\` : \`rolled back: \${r.live} serves \${r.version} again\`);
  }
  else { console.error('usage: demo.mjs <health|checkout|deploy VERSION|switch|rollback|state>'); process.exit(2); }
} catch (e) { console.error(\`demo service: \${e.code ?? e.message}\`); process.exit(1); }
`;

const say = (lines: string[], pause = 0.05) => lines.map((l) => `echo ${JSON.stringify(l)}\nsleep ${pause}`).join('\n');

export const SCRIPTS: Record<string, string> = {
  'verify-tests.sh': `${SH}# The test suite. In the flaky-tests scenario it fails on its first attempt (a flaky test).
for suite in unit integration contract e2e; do
  echo "running $suite tests"; sleep 0.1
  if [ "\${DEMO_SCENARIO:-}" = flaky-tests ] && [ "\${COCKPIT_ATTEMPT:-1}" = 1 ] && [ $suite = e2e ]; then
    echo "e2e: 61 passed, 1 FAILED (checkout times out on a cold cache)"; exit 1
  fi
  echo "$suite: all passed"
done`,
  'health-check.sh': `${SH}node scripts/demo.mjs health\nnode scripts/demo.mjs checkout`,
  'pre-release-check.sh': `${SH}${say(['checking the release branch', 'changelog present', 'no blocking issues: ready'])}`,
  'prepare-release.sh': `${SH}${say(['building artifacts for $1', 'web-app-$1.tar.gz (3.1 MB)', 'release artifacts created'])}`.replaceAll('$1', '${1}'),
  'deploy-staging.sh': `${SH}${say(['deploying ${1} to staging', 'staging: 3/3 pods ready'])}`,
  'smoke-test-staging.sh': `${SH}${say(['GET /health 200', 'GET /checkout 200', 'POST /cart 201', 'smoke tests: 12 passed'])}`,
  'verify-critical-paths.sh': `${SH}${say(['verifying critical paths on ${1}', 'login ok', 'checkout ok', 'payment ok'])}`,
  'deploy-production.sh': `${SH}echo "deploying \${1} with token \${DEMO_DEPLOY_TOKEN:-none}"
node scripts/demo.mjs deploy "\${1}"
node scripts/demo.mjs switch`,
  'log-release.sh': `${SH}echo "$(date -u +%FT%TZ) released \${1}" >> release.log\necho "release log updated"`,
  'cleanup-old-releases.sh': `${SH}${say(['removing 3 old artifacts', 'done'])}`,
  'notify-release-complete.sh': `${SH}echo "posting to #releases: \${1} is live"`,
  'rollback-production.sh': `${SH}node scripts/demo.mjs rollback`,
  'verify-rollback.sh': `${SH}node scripts/demo.mjs health\nnode scripts/demo.mjs checkout\necho "error rate back to baseline"`,
  'create-incident.sh': `${SH}printf '%s incident: %s\\n' "$(date -u +%FT%TZ)" "\${1}" >> incidents.log\necho "incident opened: \${1}"`,
  'incident-alert.sh': `${SH}printf '%s alert: %s\\n' "$(date -u +%FT%TZ)" "\${1}" >> escalation.log\necho "alerted #releases: \${1}"`,
  'escalate-leadership.sh': `${SH}printf '%s leadership: %s\\n' "$(date -u +%FT%TZ)" "\${1}" >> escalation.log\necho "escalated to engineering leadership"`,
  'retry-failed-tests.sh': `${SH}echo "re-running the failed tests"\nDEMO_SCENARIO=good COCKPIT_ATTEMPT=2 ./scripts/verify-tests.sh`,
  'check-deployment-status.sh': `${SH}node scripts/demo.mjs state`,
  'deploy-ab-test.sh': `${SH}echo "deploying both variants of \${1#--experiment=}: control and treatment"`,
  'conclude-experiment.sh': `${SH}echo "concluding: $*" | tee -a experiments.log`,
};

export const BRIEF = `# Experiment Brief: checkout-flow-v2

**Hypothesis:** the shorter checkout flow (treatment) converts better than the current one (control).

**Metric:** checkout conversion. **Minimum sample:** 1000 exposures per variant.

## Experiment Log
`;

// the A/B split starts at 50/50, the new checkout off
export const FLAGS = `${JSON.stringify({ $schema: 'https://flagd.dev/schema/v0/flags.json', flags: { 'checkout-v2-split': flagDefinition(50) } }, null, 2)}\n`;

export function writeWorkspace(dir: string, o: DemoRunbookOptions): string {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  // the modeline points at the running cockpit's schema (a file that exists), relative to the workspace
  writeFileSync(join(dir, 'cockpit.yml'), modelineFor(dir) + demoRunbook(o));
  writeFileSync(join(dir, 'scripts', 'demo.mjs'), CLIENT);
  for (const [name, body] of Object.entries(SCRIPTS)) {
    const path = join(dir, 'scripts', name);
    writeFileSync(path, `${body}\n`);
    chmodSync(path, 0o755);
  }
  writeFileSync(join(dir, 'flags.json'), FLAGS);
  writeFileSync(join(dir, 'experiment-brief.md'), BRIEF);
  return join(dir, 'cockpit.yml');
}
