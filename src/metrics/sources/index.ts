/** The metric source a runbook names. */
import { parseCommand } from '../../runbook/command.js';
import { HEADER_VAR } from '../../runbook/header-env.js';
import type { Runbook } from '../../runbook/types.js';
import { CommandSource } from './command.js';
import { HttpJsonSource } from './http-json.js';
import { PrometheusSource } from './prometheus.js';
import type { MetricSource } from './source.js';

export function headerValues(headers: Record<string, string> | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  // header values may name an environment variable as $NAME (tokens stay out of the runbook); one unset is refused before a run (runbook/header-env.ts)
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, v.replace(HEADER_VAR, (_, n: string) => env[n] ?? '')]));
}

export function sourceFor(rb: Runbook, env: NodeJS.ProcessEnv = process.env): MetricSource | undefined {
  const src = rb.metrics?.source;
  if (!src) return undefined;
  switch (src.type) {
    case 'prometheus':
      return new PrometheusSource(src.url, headerValues(src.headers, env));
    case 'http-json':
      return new HttpJsonSource(src.url, headerValues(src.headers, env));
    case 'command':
      return new CommandSource(parseCommand(src.run), rb.dir);
    case 'demo':
      return undefined;
  }
}
