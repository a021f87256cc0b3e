/**
 * A/B experiments: per-variant exposures and conversions from a metric source, the figures
 * (rate, lift with a 95 % CI, two-sided p, SRM), no verdict before `minSample` per variant, and
 * the conclusion: the decision recorded in the journal and appended to the experiment brief.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MetricSource, SeriesQuery } from '../metrics/sources/source.js';
import type { Runbook } from '../runbook/types.js';
import { compare, srm } from './stats.js';
import { missingPromql } from '../runbook/experiment-queries.js';

export type ExperimentDef = NonNullable<Runbook['experiments']>[string];

export type { ExperimentFigures, VariantFigures } from '../core/figures.js';
import type { ExperimentFigures, VariantFigures } from '../core/figures.js';
import { errorMessage } from '../core/error-message.js';

export const DECISIONS = ['keep', 'kill', 'iterate', 'scale'] as const;
export type Decision = (typeof DECISIONS)[number];

function fill(template: string, id: string, variant: string): string {
  return template.replaceAll('{experiment}', id).replaceAll('{variant}', variant);
}

/**
 * The series to fetch: `<variant>.exposures` and `<variant>.conversions` for every variant. As
 * PromQL when the source the experiment reads is Prometheus (its own, or metrics.source).
 */
export function experimentSeries(id: string, ex: ExperimentDef, promql = ex.source?.type === 'prometheus'): SeriesQuery[] {
  const exp = ex.exposures ?? '/experiments/{experiment}/{variant}/exposures';
  const conv = ex.conversions ?? '/experiments/{experiment}/{variant}/conversions';
  return ex.variants.flatMap((v) => [
    { name: `${v}.exposures`, ...(promql ? { query: fill(exp, id, v) } : { pointer: fill(exp, id, v) }) },
    { name: `${v}.conversions`, ...(promql ? { query: fill(conv, id, v) } : { pointer: fill(conv, id, v) }) },
  ]);
}

/** The intended split: the flag's percentage to the treatment when a flag splits traffic, else equal. */
export function intendedWeights(ex: ExperimentDef, flagPercent?: number): number[] {
  if (ex.flag !== undefined && flagPercent !== undefined && ex.variants.length === 2) return [100 - flagPercent, flagPercent];
  return ex.variants.map(() => 100 / ex.variants.length);
}

/** "p = 0.0312", and "p < 0.0001" below what four decimals show (never "p = 0.0000"). */
export function pText(p: number, digits = 4): string {
  const floor = 10 ** -digits;
  return p < floor ? `p < ${floor.toFixed(digits)}` : `p = ${p.toFixed(digits)}`;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

export function figures(id: string, ex: ExperimentDef, values: Record<string, { value?: number; error?: string }>, flagPercent?: number): ExperimentFigures {
  const minSample = ex.minSample ?? 1000;
  const variants = ex.variants.map((v): VariantFigures => {
    const e = values[`${v}.exposures`];
    const c = values[`${v}.conversions`];
    const exposures = e?.value;
    const conversions = c?.value;
    const error = e?.error ?? c?.error;
    return { variant: v, exposures, conversions, rate: exposures && conversions !== undefined ? conversions / exposures : undefined, error };
  });
  const [control, ...treatments] = variants;
  const arm = (f: VariantFigures) => (f.exposures !== undefined && f.conversions !== undefined ? { exposures: f.exposures, conversions: f.conversions } : undefined);
  const comparisons = treatments.map((t) => {
    const a = arm(control);
    const b = arm(t);
    return { variant: t.variant, result: a && b ? compare(a, b) : undefined };
  });
  const weights = intendedWeights(ex, flagPercent);
  const observed = variants.map((v) => v.exposures ?? 0);
  const srmResult = variants.every((v) => v.exposures !== undefined) ? srm(observed, weights) : undefined;
  const ready = variants.every((v) => (v.exposures ?? 0) >= minSample);
  let verdict: string;
  if (variants.some((v) => v.error)) verdict = `no data: ${variants.find((v) => v.error)!.error}`;
  else if (srmResult?.mismatch) verdict = `SAMPLE RATIO MISMATCH (p = ${srmResult.p.toExponential(1)}): the split is broken, do not trust the figures`;
  else if (!ready) verdict = `collecting: ${Math.min(...observed)} of ${minSample} exposures per variant before any verdict`;
  else {
    const best = comparisons.filter((c) => c.result).sort((a, b) => a.result!.p - b.result!.p)[0];
    if (!best?.result) verdict = 'no comparison yet (the control has no conversion)';
    else if (best.result.p < 0.05) verdict = `${best.result.lift > 0 ? `${best.variant} wins` : `${best.variant} loses`}: ${pct(best.result.lift)} (95 % CI ${pct(best.result.ci95[0])} … ${pct(best.result.ci95[1])}), ${pText(best.result.p)}`;
    else verdict = `no significant difference yet: ${pct(best.result.lift)}, ${pText(best.result.p, 3)}`;
  }
  return { id, variants, comparisons, srm: srmResult, weights, minSample, ready, verdict };
}

export async function fetchFigures(id: string, ex: ExperimentDef, source: MetricSource, flagPercent?: number, timeoutMs = 5000): Promise<ExperimentFigures> {
  const promql = source.kind === 'prometheus';
  const series = experimentSeries(id, ex, promql);
  const unqueryable = promql ? missingPromql(ex) : undefined;
  // never an empty query: the figures say what is missing instead
  if (unqueryable) return figures(id, ex, Object.fromEntries(series.map((s) => [s.name, { error: `experiment ${id} ${unqueryable}` }])), flagPercent);
  let values: Record<string, { value?: number; error?: string }>;
  try {
    values = (await source.fetch(series, timeoutMs, AbortSignal.timeout(timeoutMs))) as Record<string, { value?: number; error?: string }>;
  } catch (e) {
    values = Object.fromEntries(series.map((s) => [s.name, { error: errorMessage(e) }]));
  }
  return figures(id, ex, values, flagPercent);
}

/** One line for the flags pane: "A/B checkout-v2 50/50 +3.1 % p=.04". */
export function summaryLine(f: ExperimentFigures): string {
  const split = f.weights.map((w) => Math.round(w)).join('/');
  const c = f.comparisons[0]?.result;
  if (f.variants.some((v) => v.error)) return `A/B ${f.id} ${split} no data`;
  if (f.srm?.mismatch) return `A/B ${f.id} ${split} SRM!`;
  if (!f.ready) return `A/B ${f.id} ${split} ${Math.min(...f.variants.map((v) => v.exposures ?? 0))}/${f.minSample}`;
  return c ? `A/B ${f.id} ${split} ${pct(c.lift)} p=${c.p < 0.001 ? '<.001' : c.p.toFixed(3).replace(/^0/, '')}` : `A/B ${f.id} ${split}`;
}

/** Every figure as lines (the experiment overlay, `cockpit experiment`). */
export function detailLines(f: ExperimentFigures): string[] {
  const lines = [`experiment ${f.id}: intended split ${f.weights.map((w) => `${Math.round(w)} %`).join(' / ')}, min sample ${f.minSample} per variant`];
  for (const v of f.variants) {
    const progress = v.exposures !== undefined ? ` (${Math.min(100, Math.round((v.exposures / f.minSample) * 100))} % of min sample)` : '';
    lines.push(`  ${v.variant.padEnd(12)} ${v.error ? `no data: ${v.error}` : `${v.conversions ?? '?'} / ${v.exposures ?? '?'} = ${v.rate !== undefined ? `${(v.rate * 100).toFixed(2)} %` : '?'}${progress}`}`);
  }
  for (const c of f.comparisons) {
    if (!c.result) continue;
    const r = c.result;
    lines.push(`  ${c.variant} vs ${f.variants[0].variant}: lift ${pct(r.lift)} (95 % CI ${pct(r.ci95[0])} … ${pct(r.ci95[1])}), z = ${r.z.toFixed(2)}, ${pText(r.p)}`);
  }
  if (f.srm) lines.push(`  sample ratio: chi² = ${f.srm.chi2.toFixed(2)}, ${pText(f.srm.p)}${f.srm.mismatch ? '  MISMATCH (p < 0.001)' : ' ok'}`);
  lines.push(`  verdict: ${f.verdict}`);
  return lines;
}

/**
 * Appends the decision to the brief's "Experiment Log" section (created at the end when missing),
 * keeping everything else in the file as it was.
 */
export function appendToBrief(briefPath: string, baseDir: string, entry: string): string {
  const path = resolve(baseDir, briefPath);
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^#{1,6}\s+experiment log\s*$/i.test(l.trim()));
  if (at < 0) {
    const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    writeFileSync(path, `${text}${sep}## Experiment Log\n\n${entry}\n`);
    return path;
  }
  const level = (/^(#+)/.exec(lines[at].trim()) ?? ['', '##'])[1].length;
  let end = lines.length;
  for (let i = at + 1; i < lines.length; i++) {
    const m = /^(#+)\s/.exec(lines[i]);
    if (m && m[1].length <= level) {
      end = i;
      break;
    }
  }
  while (end > at + 1 && lines[end - 1].trim() === '') end--;
  lines.splice(end, 0, ...(end === at + 1 ? ['', entry] : [entry]));
  writeFileSync(path, lines.join('\n'));
  return path;
}
