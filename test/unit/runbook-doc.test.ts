/** docs/runbook.md is the field reference generated from the schema (`cockpit schema --markdown`), current, and complete. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchema } from '../../src/runbook/schema.js';
import { runbookMarkdown } from '../../src/runbook/schema-doc.js';

const doc = () => readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');

/** Every property name anywhere in the schema. */
function names(s: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(s)) s.forEach((x) => names(x, out));
  else if (s !== null && typeof s === 'object') {
    const o = s as Record<string, unknown>;
    if (o.properties !== null && typeof o.properties === 'object' && o.type === 'object') for (const k of Object.keys(o.properties)) out.add(k);
    for (const [k, v] of Object.entries(o)) if (k !== 'if' && k !== 'then') names(k === 'properties' ? Object.values(v as object) : v, out);
  }
  return out;
}

describe('docs/runbook.md', () => {
  it('is generated from the schema and current', () => {
    expect(doc().trimEnd(), 'docs/runbook.md is stale: run `npm run build && node bin/cockpit.js schema --markdown > docs/runbook.md`').toBe(runbookMarkdown().trimEnd());
  });

  it('has a row for every field of the schema', () => {
    const text = runbookMarkdown();
    const missing = [...names(jsonSchema())].filter((n) => !text.includes(`| \`${n}\` |`));
    expect(missing).toEqual([]);
  });

  it('says the types, defaults, descriptions and constraints', () => {
    const text = runbookMarkdown();
    // a trigger's `for`: a duration, its pattern in words
    expect(text).toContain('| `for` | string \\| 0 |  |  | How long the breach must last before the trigger fires (0: on the first breaching sample) | Expected a duration: a whole number with a unit (ms, s, m, h), largest unit first — 500ms, 90s, 2m, 1h30m — or 0; at most 720h |');
    expect(text).toContain('## `stages[].criteria[]`\n\nExactly one of `below`, `above`.');
    expect(text).toContain('## `preflight[]`\n\nExactly one of `run`, `manual`.');
    expect(text).toContain('## `flags.ramps.<name>`\n');
    expect(text).toContain('| `rollbackTo` | number |  | 0 | The percentage a rollback sets (default 0) | 0–100 |');
    expect(text).toMatch(/\| `steps` \| list of .*? \| yes \| {2}\| What the rollback runs[^|]*\| at least 1 item; no `monitor`, `flag`, `manual` step \|/);
    expect(text).toContain('With source type prometheus, every series needs a non-empty query.');
    // a kind of step the list refuses is not documented as one of its forms
    expect(text).toContain('## `rollback.steps[]` (with run)');
    expect(text).not.toContain('## `rollback.steps[]` (with monitor)');
    expect(text).not.toContain('## `rollback.verify[]` (with choose)');
    // a default stated by the description
    expect(text).toMatch(/\| `holdLimit` \| string \\\| 0 \| {2}\| 10m \|/);
    expect(text).toContain("| `maxErrors` | integer |  | 4 | Consecutive missed samples before a trigger's onNoData applies (default 4) | ≥ 1; whole number |");
  });
});
