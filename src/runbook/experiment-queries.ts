/**
 * Why an experiment reading Prometheus cannot be queried: PromQL has no default (the default JSON
 * pointer means nothing to Prometheus), so both per-variant queries must be written. Undefined
 * when it can. `validate` (a warning: the release itself can run, the experiment gets no figures)
 * and the experiment sampler (flags/experiment.ts) both ask here.
 */
import type { RuleError } from './rules.js';
import type { RawRunbook } from './schema.js';

type Experiment = NonNullable<RawRunbook['experiments']>[string];

export function missingPromql(ex: Pick<Experiment, 'exposures' | 'conversions'>): string | undefined {
  const missing = (['exposures', 'conversions'] as const).filter((k) => ex[k] === undefined);
  if (missing.length === 0) return undefined;
  return `reads Prometheus but has no ${missing.join(' or ')} query: write one per variant, e.g. exposures: 'sum(my_exposures_total{experiment="{experiment}",variant="{variant}"})'`;
}

/** Every experiment that reads Prometheus (its own source, or metrics.source) without its queries. */
export function experimentQueryWarnings(rb: RawRunbook): RuleError[] {
  const out: RuleError[] = [];
  for (const [id, ex] of Object.entries(rb.experiments ?? {})) {
    const why = (ex.source ?? rb.metrics?.source)?.type === 'prometheus' ? missingPromql(ex) : undefined;
    if (why) out.push({ path: ['experiments', id], atKey: true, message: `experiment "${id}" ${why}; until then it gets no figures` });
  }
  return out;
}
