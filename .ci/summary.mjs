// Reads vitest's JSON report (.ci/results.json): prints each test file's duration (slowest first),
// each tier's total (test/<tier>/…), and last exactly one line "N passed, N failed".
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// a file's time: its start-to-end span, or the sum of its tests' durations where the report's span
// is shorter (vitest's JSON report stamps some files' end before their tests' time is counted)
const spent = (f) => Math.max(0, (f.endTime ?? 0) - (f.startTime ?? 0), (f.assertionResults ?? []).reduce((n, a) => n + (a.duration ?? 0), 0));
const files = r.testResults.map((f) => ({ name: relative(process.cwd(), f.name), ms: spent(f), ok: f.status === 'passed' }));
files.sort((a, b) => b.ms - a.ms);
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`.padStart(7);
console.log('test file durations:');
for (const f of files) console.log(`${secs(f.ms)}  ${f.ok ? ' ' : '✗'} ${f.name}`);
const tiers = new Map();
for (const f of files) {
  const tier = /^test\/([^/]+)\//.exec(f.name)?.[1] ?? 'other';
  const t = tiers.get(tier) ?? { ms: 0, n: 0 };
  tiers.set(tier, { ms: t.ms + f.ms, n: t.n + 1 });
}
for (const [tier, t] of [...tiers].sort((a, b) => b[1].ms - a[1].ms)) console.log(`tier ${tier}: ${t.n} files, ${secs(t.ms).trim()} of test time`);
// a file that failed without a failed test (it did not load, a hook threw) counts as one failure
const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = r.numFailedTests + brokenFiles;
console.log(`${r.numPassedTests} passed, ${failed} failed`);
