/** cockpit schema [--markdown]: the runbook JSON Schema (committed as schema/cockpit.schema.json), or the field reference generated from it (docs/runbook.md). */
import { jsonSchema } from '../runbook/schema.js';
import { runbookMarkdown } from '../runbook/schema-doc.js';
import type { Io } from './io.js';

export function schemaCommand(argv: string[], io: Io): number {
  io.out(argv.includes('--markdown') ? runbookMarkdown().trimEnd() : JSON.stringify(jsonSchema(), null, 2));
  return 0;
}
