/**
 * The guardrail self-test, before stage 1 can run: every metric series an armed trigger or a
 * stage's criteria reads answers once, now, with one finite number, and every probe answers. A dead
 * source (connection refused, wrong URL, timeout), an error, several series or none (an empty
 * vector, NaN) is a finding naming the metric, its query (or pointer, or URL), what came back and
 * the fix. Pure of the session: it reads through the same source and probe function the sampler
 * uses; src/session/self-test.ts runs it as a pre-flight check.
 */
import { parseDuration } from '../runbook/duration.js';
import type { Runbook } from '../runbook/types.js';
import type { ProbeFn } from '../metrics/sampler.js';
import type { MetricSource, SeriesQuery, SeriesResult } from '../metrics/sources/source.js';
import { errorMessage } from '../core/error-message.js';

/** The pre-flight check's id and title (a row of the pre-flight, after the runbook's own checks). */
export const SELF_TEST_ID = 'guardrail-self-test';
export const SELF_TEST_TITLE = 'Guardrail self-test';

export type SeriesTarget = SeriesQuery & { readonly usedBy: readonly string[] };
export type ProbeTarget = { readonly name: string; readonly url: string; readonly method: 'GET' | 'HEAD'; readonly timeoutMs?: number };
export type SelfTestTargets = { readonly series: readonly SeriesTarget[]; readonly probes: readonly ProbeTarget[] };

/** One thing the self-test found wrong: a headline ("error_rate: 2 series") and its detail lines (query, got, fix). */
export type Finding = { readonly subject: string; readonly got: string; readonly details: readonly string[] };

/**
 * What the guardrails read: the series of the rollback triggers (when any stage arms them, by
 * `armed` or a monitor step) and of every stage's criteria, and every probe. Triggers the runbook
 * writes but cannot watch (no source) are not in rollback.triggers: `unarmed` says so elsewhere.
 */
export function selfTestTargets(rb: Runbook): SelfTestTargets {
  const used = new Map<string, string[]>();
  const use = (metric: string, by: string) => used.set(metric, [...(used.get(metric) ?? []), by]);
  const arms = rb.stages.some((s) => s.armed || s.steps.some((x) => x.kind === 'monitor'));
  if (arms) for (const t of rb.rollback?.triggers ?? []) if (t.kind === 'metric') use(t.metric, `trigger ${t.id}`);
  for (const s of rb.stages) for (const c of s.criteria) use(c.metric, `criteria of ${s.id}`);
  const defs = rb.metrics?.series ?? {};
  const series = [...used].filter(([name]) => defs[name] !== undefined && rb.metrics?.source !== undefined).map(([name, usedBy]) => ({ name, query: defs[name].query, pointer: defs[name].pointer, usedBy }));
  const probes = rb.probes.map((p) => ({ name: p.name, url: p.url, method: p.method ?? 'GET', timeoutMs: parseDuration(p.timeout ?? '') ?? undefined }));
  return { series, probes };
}

/** Whether the pre-flight has the self-test row: something to watch, or a rollback pipeline to check. */
export function hasSelfTest(rb: Runbook): boolean {
  const t = selfTestTargets(rb);
  return t.series.length > 0 || t.probes.length > 0 || rb.rollback !== undefined || rb.escalation.some((e) => e.run !== undefined);
}

/** Where the source is, in words: "prometheus http://127.0.0.1:9090". */
export function sourceText(rb: Runbook): string {
  const s = rb.metrics?.source;
  if (!s) return 'no metrics source';
  return s.type === 'command' ? `command source (${typeof s.run === 'string' ? s.run : s.run.join(' ')})` : s.type === 'demo' ? 'demo source' : `${s.type} ${s.url}`;
}

/** "connect ECONNREFUSED 127.0.0.1:9" → "ECONNREFUSED 127.0.0.1:9"; a prefix "prometheus: " dropped. */
function cleanError(e: string): string {
  const conn = /\b(E[A-Z]{3,})\b(?::\s*\w+\s+E[A-Z]+\s+(\S+))?/.exec(e);
  if (conn && /ECONN|ENOTFOUND|EHOST|ENETUNREACH|EAI_AGAIN|ECONNRESET/.test(conn[1])) return conn[2] ? `${conn[1]} ${conn[2]}` : e.replace(/^prometheus: /, '');
  return e.replace(/^prometheus: /, '');
}

/** A failure of the source itself (it did not answer, or not as a metrics API): the same for every series. */
function isSourceDown(error: string): boolean {
  return /ECONN|ENOTFOUND|EHOST|ENETUNREACH|EAI_AGAIN|timed out|HTTP \d|not JSON|fetch failed|ECONNRESET|socket/i.test(error);
}

const what = (s: SeriesTarget) => (s.query !== undefined ? `query: ${s.query}` : s.pointer !== undefined ? `pointer: ${s.pointer}` : `series: ${s.name}`);

/** What came back and its fix, for one series that did not give a number. */
export function seriesFinding(s: SeriesTarget, r: Extract<SeriesResult, { error: string }>): Finding {
  const e = r.error;
  const several = /returned (\d+) series/.exec(e);
  let got = cleanError(e);
  let fix = 'check the query against the source';
  if (several) [got, fix] = [`${several[1]} series`, 'aggregate it to one series with sum()/avg()/max()'];
  else if (/empty result/.test(e)) [got, fix] = ['an empty vector (no series)', 'check the metric name and labels: is the target scraped?'];
  else if (/NaN|Inf/.test(e)) [got, fix] = ['NaN (no finite number)', 'make it return a number, e.g. guard a division with clamp_min()'];
  else if (/unsupported result type matrix/.test(e)) [got, fix] = ['a range vector', 'make it an instant vector: rate(x[5m]), avg_over_time(x[5m])'];
  else if (/bad_data|parse error/.test(e)) fix = 'fix the PromQL (Prometheus said why above)';
  else if (/^no \S+ in the response/.test(e)) fix = `check the pointer: the source's JSON has nothing at ${s.pointer ?? `/${s.name}`}`;
  return { subject: s.name, got, details: [what(s), `fix: ${fix}`] };
}

/**
 * The least time one read of the self-test waits for an answer. Its question is whether the source
 * answers at all, with one number: a live source slower than the sampling timeout (half the
 * interval: 166 ms at the demo's ×30) on one cold read is not a dead one. A source that stays that
 * slow misses samples, and the triggers' no-data policy says so while it runs.
 */
export const SELF_TEST_MIN_TIMEOUT_MS = 2000;

export type TestDeps = {
  readonly source?: MetricSource;
  /** Where the source is, for a finding that says it is down: "prometheus http://127.0.0.1:9". */
  readonly sourceText: string;
  readonly probe: ProbeFn;
  readonly timeoutMs: number;
};

/** Reads every series once (a timeout is tried once more: a cold first connection), then judges. */
async function readSeries(series: readonly SeriesTarget[], d: TestDeps): Promise<Readonly<Record<string, SeriesResult>>> {
  if (!d.source) return Object.fromEntries(series.map((s) => [s.name, { error: 'the metrics source cannot be read here (no source)' }]));
  const timeoutMs = Math.max(d.timeoutMs, SELF_TEST_MIN_TIMEOUT_MS);
  const once = async (list: readonly SeriesTarget[]) => {
    try {
      return await d.source!.fetch(list, timeoutMs, new AbortController().signal);
    } catch (e) {
      return Object.fromEntries(list.map((s) => [s.name, { error: errorMessage(e) }]));
    }
  };
  const first = await once(series);
  const slow = series.filter((s) => { const r = first[s.name]; return r !== undefined && 'error' in r && /timed out/.test(r.error); });
  return slow.length ? { ...first, ...(await once(slow)) } : first;
}

/** The findings for the metric series and probes: empty when every one answered with a number. */
export async function testGuardrails(t: SelfTestTargets, d: TestDeps): Promise<Finding[]> {
  const [read, probes] = await Promise.all([
    t.series.length ? readSeries(t.series, d) : Promise.resolve({} as Record<string, SeriesResult>),
    Promise.all(t.probes.map(async (p) => [p, await d.probe(p.url, p.timeoutMs ?? Math.max(d.timeoutMs, SELF_TEST_MIN_TIMEOUT_MS), p.method)] as const)),
  ]);
  const out: Finding[] = [];
  // a value that is not finite is no number (the sampler records it as a miss)
  const judged = (r: SeriesResult | undefined): SeriesResult => (!r ? { error: 'no result' } : 'value' in r && !Number.isFinite(r.value) ? { error: `no data (${r.value})`, noData: true } : r);
  const failed = t.series.map((s) => [s, judged(read[s.name])] as const).filter((x): x is [SeriesTarget, Extract<SeriesResult, { error: string }>] => 'error' in x[1]);
  const down = failed.filter(([, r]) => isSourceDown(r.error));
  if (down.length > 0) {
    // the source itself did not answer: one finding for every series it left blind
    const errors = [...new Set(down.map(([, r]) => cleanError(r.error)))];
    out.push({ subject: 'metrics source down', got: errors.join('; '), details: [`blind: ${down.map(([s]) => s.name).join(', ')}`, `url: ${d.sourceText}`, 'fix: check metrics.source.url: is the server up there?'] });
  }
  for (const [s, r] of failed) if (!isSourceDown(r.error)) out.push(seriesFinding(s, r));
  for (const [p, r] of probes) {
    if (r.error === undefined) continue;
    out.push({ subject: `probe ${p.name}`, got: `no answer (${cleanError(r.error)})`, details: [`url: ${p.url}`, `fix: check the probe's url: is the service up there?`] });
  }
  return out;
}

/** The lines of the self-test's log: each finding's headline and details, or what answered. */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => [`✗ ${f.subject}: ${f.got}`, ...f.details.map((d) => `  ${d}`)]);
}

/** The check's reason in one line: the first finding, and how many more. */
export function findingsReason(findings: readonly Finding[]): string {
  const [first, ...more] = findings;
  return `${first.subject}: ${first.got}${more.length ? ` (+${more.length} more)` : ''}`;
}
