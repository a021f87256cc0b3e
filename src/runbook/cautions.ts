/**
 * What `validate` warns of in a runbook that loads (it still runs): one list, asked by the YAML and
 * the Markdown loader alike, so a new warning is added once.
 */
import { coverageWarnings } from './coverage.js';
import { experimentQueryWarnings } from './experiment-queries.js';
import { checkInnerShells } from './inner-shell.js';
import { notifyEnvCautions } from './notify.js';
import type { RawRunbook } from './schema.js';
import type { Runbook } from './types.js';

export function runbookCautions(raw: RawRunbook, runbook: Runbook) {
  return [...checkInnerShells(raw), ...notifyEnvCautions(raw), ...experimentQueryWarnings(raw), ...coverageWarnings(raw, runbook)];
}
