/**
 * `$NAME` in a metric source's header values (`Authorization: Bearer $PROM_TOKEN`): the value comes
 * from the environment, so a token stays out of the runbook. A variable that is not set is an error
 * where the header is written (validate, and a run before it starts), never a header sent empty.
 */
import type { Path, RuleError } from './rules.js';

/** A variable a header value names: `$` then upper-case letters, digits and `_`. */
export const HEADER_VAR = /\$([A-Z_][A-Z0-9_]*)/g;

type Source = { readonly type: string; readonly headers?: Readonly<Record<string, string>> };
type WithSources = {
  readonly metrics?: { readonly source?: Source };
  readonly experiments?: Readonly<Record<string, { readonly source?: Source }>>;
};

/** Every header value that names a variable `env` does not set, with where it is written. */
export function unsetHeaderVars(rb: WithSources, env: NodeJS.ProcessEnv): RuleError[] {
  const sources: { at: Path; source: Source | undefined }[] = [
    { at: ['metrics', 'source'], source: rb.metrics?.source },
    ...Object.entries(rb.experiments ?? {}).map(([id, ex]) => ({ at: ['experiments', id, 'source'] as Path, source: ex.source })),
  ];
  const out: RuleError[] = [];
  for (const { at, source } of sources)
    for (const [header, value] of Object.entries(source?.headers ?? {}))
      for (const m of value.matchAll(HEADER_VAR))
        if (env[m[1]] === undefined)
          out.push({ path: [...at, 'headers', header], message: `header "${header}" uses $${m[1]}, which is not set in the environment: export ${m[1]} (the header would be sent without it)` });
  return out;
}

/**
 * The same as lines for a run, which may have no positions (a cached runbook skips the YAML parser):
 * `cockpit.yml: metrics.source.headers.Authorization: …`. (Not locate.ts: it loads yaml and zod, which a cached run never does.)
 */
export function unsetHeaderLines(rb: WithSources, env: NodeJS.ProcessEnv, display: string): string[] {
  return unsetHeaderVars(rb, env).map((e) => `${display}: ${e.path.join('.')}: ${e.message}`);
}
