/** cockpit schema: prints the runbook JSON Schema (committed as schema/cockpit.schema.json). */
import { jsonSchema } from '../runbook/schema.js';
import type { Io } from './io.js';

export function schemaCommand(_argv: string[], io: Io): number {
  io.out(JSON.stringify(jsonSchema(), null, 2));
  return 0;
}
