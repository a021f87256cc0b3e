/** cockpit schema: prints the runbook JSON Schema (committed as schema/cockpit.schema.json). */
import { jsonSchema } from '../runbook/schema.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';

export function schemaCommand(argv: string[], io: Io): number {
  const { positionals } = parse(argv, COMMANDS.schema);
  if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}\n${usageOf(COMMANDS.schema)}`);
  io.out(JSON.stringify(jsonSchema(), null, 2));
  return 0;
}
