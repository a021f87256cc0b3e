/** cockpit experiment <id>: the experiment's current figures (--json for machines). */
import { jsonLine } from '../core/json-line.js';
import { detailLines, fetchFigures } from '../flags/experiment.js';
import { shownPercent } from '../flags/served.js';
import { providerFor } from '../flags/providers/index.js';
import { sourceFor } from '../metrics/sources/index.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';

export const USAGE = usageOf(COMMANDS.experiment);

export async function experimentCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.experiment);
  const [id, ...rest] = positionals;
  if (!id || rest.length) throw new UsageError(USAGE);
  const rb = loadOrExit(values.runbook, io.err);
  if (typeof rb === 'number') return rb;
  const ex = rb.experiments[id];
  if (!ex) throw new UsageError(`no experiment "${id}" in ${rb.name} (experiments: ${Object.keys(rb.experiments).join(', ') || 'none'})`);
  const source = ex.source ? sourceFor({ ...rb, metrics: { source: ex.source, series: {} } }) : sourceFor(rb);
  if (!source) throw new UsageError(`experiment ${id} has no metric source (give it a source, or the runbook a metrics.source)`);
  let flagPercent: number | undefined;
  if (ex.flag) {
    const provider = providerFor(rb);
    const r = await provider?.read(ex.flag).catch(() => undefined);
    flagPercent = r ? shownPercent(r) : undefined;
  }
  const f = await fetchFigures(id, ex, source, flagPercent);
  if (values.json) io.out(jsonLine(f));
  else for (const line of detailLines(f)) io.out(line);
  return f.variants.some((v) => v.error) ? 1 : 0;
}
