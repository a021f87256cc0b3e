/** cockpit schema [--markdown]: the runbook JSON Schema (committed as schema/cockpit.schema.json), or the field reference generated from it (docs/runbook.md). */
import { jsonSchema } from '../runbook/schema.js';
import { runbookMarkdown } from '../runbook/schema-doc.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';

export function schemaCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, COMMANDS.schema);
  if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}\n${usageOf(COMMANDS.schema)}`);
  io.out(values.markdown ? runbookMarkdown().trimEnd() : JSON.stringify(jsonSchema(), null, 2));
  return 0;
}
