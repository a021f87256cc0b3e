/**
 * The published JSON Schema says every rule `validate` enforces that JSON Schema can express, checked
 * with a real validator (ajv, draft 2020-12, in node_modules through conf): each rule with an example
 * the loader refuses (the schema must refuse it too) and the fixed one both accept; the whole invalid
 * corpus refused except the rules JSON Schema cannot say (listed, and proved accepted so the list
 * stays honest); every valid runbook accepted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRunbook } from '../../src/runbook/load.js';
import { jsonSchema } from '../../src/runbook/schema.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
ajv.addVocabulary(['errorMessage']); // an editor keyword (VS Code, the YAML language server): the message, not validation
addFormats(ajv);
const schemaValid = ajv.compile(jsonSchema() as object);

const base = { name: 'svc', stages: [{ id: 's', steps: ['true'] }] };
/** A runbook: the base with these top-level keys. */
const rb = (extra: Record<string, unknown>) => ({ ...base, ...extra });
const loads = (data: unknown) => parseRunbook(JSON.stringify(data), join(ROOT, 'x.json'), 'x.json');
const loaderErrors = (data: unknown) => {
  const r = loads(data);
  return r.ok ? [] : r.errors.map((e) => e.message);
};

const series = { metrics: { series: { m: {} } } };
const rollback = (more: Record<string, unknown>) => ({ rollback: { steps: ['./rollback.sh'], ...more } });
const ramps = (r: unknown) => ({ flags: { provider: { type: 'command', run: 'flag-set' }, ramps: { f: r } } });

/** rule → [an example the loader refuses (with this message), the same fixed]. */
const RULES: Record<string, { bad: unknown; message: string; good: unknown }> = {
  'criterion: both above and below': {
    bad: rb({ ...series, stages: [{ id: 's', steps: ['true'], criteria: [{ metric: 'm', above: 1, below: 2 }] }] }),
    message: 'a criterion needs exactly one of "below" or "above", not both',
    good: rb({ ...series, stages: [{ id: 's', steps: ['true'], criteria: [{ metric: 'm', above: 1 }] }] }),
  },
  'criterion: neither above nor below': {
    bad: rb({ ...series, stages: [{ id: 's', steps: ['true'], criteria: [{ metric: 'm' }] }] }),
    message: 'a criterion needs exactly one of "below" or "above"',
    good: rb({ ...series, stages: [{ id: 's', steps: ['true'], criteria: [{ metric: 'm', below: 1 }] }] }),
  },
  'pre-flight: run and manual': {
    bad: rb({ preflight: [{ title: 'x', run: 'true', manual: 'look' }] }),
    message: 'has both "run" and "manual"',
    good: rb({ preflight: [{ title: 'x', manual: 'look' }] }),
  },
  'pre-flight: neither run nor manual': {
    bad: rb({ preflight: [{ title: 'x' }] }),
    message: 'needs "run" (an automated check) or "manual"',
    good: rb({ preflight: [{ title: 'x', run: 'true' }] }),
  },
  'metric trigger: above and below': {
    bad: rb({ ...series, ...rollback({ triggers: [{ metric: 'm', above: 1, below: 0 }] }) }),
    message: 'a metric trigger needs exactly one of "above" or "below", not both',
    good: rb({ ...series, ...rollback({ triggers: [{ metric: 'm', above: 1, for: 0 }] }) }),
  },
  'metric trigger: neither above nor below': {
    bad: rb({ ...series, ...rollback({ triggers: [{ metric: 'm', for: '1m' }] }) }),
    message: 'a metric trigger needs exactly one of "above" or "below"',
    good: rb({ ...series, ...rollback({ triggers: [{ metric: 'm', below: 5, for: '1m' }] }) }),
  },
  'rollback: a monitor step': { bad: rb(rollback({ steps: ['./rb.sh', { monitor: '1m' }] })), message: 'a rollback cannot contain a monitor step', good: rb(rollback({ steps: ['./rb.sh', './wait.sh'] })) },
  'rollback: a flag step': { bad: rb({ ...ramps([10, 50]), ...rollback({ steps: [{ flag: 'f', to: 0 }] }) }), message: 'a rollback cannot contain a flag step', good: rb({ ...ramps([10, 50]), ...rollback({}) }) },
  'rollback: a manual step': { bad: rb(rollback({ steps: [{ manual: 'page someone' }] })), message: 'a rollback cannot contain a manual step', good: rb(rollback({ steps: [{ run: './page.sh' }] })) },
  'rollback verify: a manual step': { bad: rb(rollback({ verify: [{ manual: 'look' }] })), message: 'a rollback cannot contain a manual step', good: rb(rollback({ verify: ['./check.sh'] })) },
  'rollback verify: a choice': {
    bad: rb(rollback({ verify: [{ choose: { title: 'how', options: [{ title: 'a', steps: ['a'] }, { title: 'b', steps: ['b'] }] } }] })),
    message: 'rollback.verify cannot hold a choice',
    good: rb(rollback({ steps: [{ choose: { title: 'how', options: [{ title: 'a', steps: ['a'] }, { title: 'b', steps: ['b'] }] } }] })),
  },
  'troubleshooting: a manual step': {
    bad: rb({ troubleshooting: [{ match: 'x', steps: [{ manual: 'do it' }] }] }),
    message: 'troubleshooting steps are commands to offer',
    good: rb({ troubleshooting: [{ match: 'x', hint: 'do it', steps: ['./fix.sh'] }] }),
  },
  'prometheus series without a query': {
    bad: rb({ metrics: { source: { type: 'prometheus', url: 'http://p:9090' }, series: { m: { unit: 'ms' } } } }),
    message: 'series "m" needs a "query" (PromQL) for the prometheus source',
    good: rb({ metrics: { source: { type: 'prometheus', url: 'http://p:9090' }, series: { m: { query: 'up' } } } }),
  },
  'http-json series without a pointer': {
    bad: rb({ metrics: { source: { type: 'http-json', url: 'http://s/m.json' }, series: { m: { pointer: '' } } } }),
    message: 'series "m" needs a "pointer" (JSON pointer) for the http-json source',
    good: rb({ metrics: { source: { type: 'http-json', url: 'http://s/m.json' }, series: { m: { pointer: '/m' } } } }),
  },
  'a JSON pointer not starting with /': { bad: rb({ metrics: { series: { m: { pointer: 'a/b' } } } }), message: 'bad JSON pointer "a/b"', good: rb({ metrics: { series: { m: { pointer: '/a/b' } } } }) },
  'an empty escalation level': { bad: rb({ escalation: [{ after: '5m' }] }), message: 'an escalation level needs "run", "notify", or a "title"', good: rb({ escalation: [{ after: '5m', title: 'Call the lead' }] }) },
  'an escalation level with a blank title': { bad: rb({ escalation: [{ after: 0, title: '  ' }] }), message: 'an escalation level needs "run", "notify", or a "title"', good: rb({ escalation: [{ after: 0, run: './page.sh' }] }) },
  'a ramp above 100': { bad: rb(ramps([10, 150])), message: 'ramp "f": 150 is outside 0–100', good: rb(ramps([10, 100])) },
  'a ramp below 0 (object form)': { bad: rb(ramps({ steps: [-5, 50] })), message: 'ramp "f": -5 is outside 0–100', good: rb(ramps({ steps: [0, 50], hold: '10m' })) },
  'a ramp with no steps': { bad: rb(ramps([])), message: 'ramp "f" has no steps', good: rb(ramps([25])) },
  'rollbackTo outside 0–100': { bad: rb(ramps({ steps: [50], rollbackTo: 101 })), message: 'rollbackTo 101 is outside 0–100', good: rb(ramps({ steps: [50], rollbackTo: 5 })) },
  'a secret that is not a variable name': { bad: rb({ secrets: ['deploy-token'] }), message: '"deploy-token" is not an environment variable name', good: rb({ secrets: ['DEPLOY_TOKEN'] }) },
  'an emergency item without run': { bad: rb({ emergency: [{ title: 'Page the lead' }] }), message: 'an emergency item needs `run`', good: rb({ emergency: [{ title: 'Stop', rollback: true }] }) },
  'an emergency item with rollback: false and no run': { bad: rb({ emergency: [{ title: 'x', rollback: false }] }), message: 'an emergency item needs `run`', good: rb({ emergency: [{ title: 'x', run: './x.sh', rollback: false }] }) },
  'a webhook with url and urlEnv': { bad: rb({ notify: [{ webhook: { url: 'http://h/x', urlEnv: 'HOOK' } }] }), message: 'a webhook needs exactly one of "url" or "urlEnv"', good: rb({ notify: [{ webhook: { urlEnv: 'HOOK' } }] }) },
  'a webhook with neither url nor urlEnv': { bad: rb({ notify: [{ webhook: {} }] }), message: 'a webhook needs exactly one of "url" or "urlEnv"', good: rb({ notify: [{ webhook: { url: 'http://h/x' } }] }) },
  'a trigger on critical probes, none critical': {
    bad: rb({ probes: [{ name: 'home', url: 'http://h/' }], ...rollback({ triggers: [{ probe: 'critical', status: '5xx' }] }) }),
    message: 'trigger watches "critical" probes but no probe is marked critical: true',
    good: rb({ probes: [{ name: 'home', url: 'http://h/', critical: true }], ...rollback({ triggers: [{ probe: 'critical', status: '5xx' }] }) }),
  },
  'a duration in words': { bad: rb({ stages: [{ id: 's', budget: '5 minutes', steps: ['true'] }] }), message: 'bad duration "5 minutes"', good: rb({ stages: [{ id: 's', budget: '5m', steps: ['true'] }] }) },
  'a numeric duration other than 0': { bad: rb({ stages: [{ id: 's', steps: [{ run: 'x', timeout: 10 }] }] }), message: 'expected a duration like 90s, 2m or 1h30m', good: rb({ stages: [{ id: 's', steps: [{ run: 'x', timeout: 0 }] }] }) },
};

describe('the JSON Schema says each rule validate enforces', () => {
  for (const [rule, { bad, message, good }] of Object.entries(RULES)) {
    it(rule, () => {
      expect(loaderErrors(bad).join('\n')).toContain(message);
      expect(schemaValid(bad), `the schema accepts what validate refuses (${message})`).toBe(false);
      expect(loaderErrors(good)).toEqual([]);
      expect(schemaValid(good), JSON.stringify(schemaValid.errors)).toBe(true);
    });
  }
});

/** Invalid fixtures whose rule JSON Schema cannot say: names that must exist, uniqueness, order, sums, the file system. */
const CANNOT: Record<string, string> = {
  'trigger-unknown-metric.yml': 'a name that must exist (no cross-reference in JSON Schema)',
  'criterion-unknown-metric.yml': 'a name that must exist',
  'trigger-unknown-probe.yml': 'a name that must exist',
  'experiment-unknown-flag.yml': 'a name that must exist',
  'duplicate-stage-id.yml': 'unique ids (uniqueItems compares whole items)',
  'duplicate-step-id.yml': 'unique ids',
  'duplicate-preflight-id.yml': 'unique ids',
  'ramp-not-ascending.yml': 'order between items',
  'escalation-out-of-order.yml': 'order between items (of durations)',
  'warn-above-critical.yml': 'comparing two values',
  'duration-too-long.yml': 'a sum of units at most 720h (a pattern can only say the units)',
  'cwd-missing.yml': 'the file system',
};
/** Not a schema question: the text is not a YAML/JSON document. */
const UNPARSED = new Set(['yaml-syntax.yml', 'unclosed-quote.yml', 'json-syntax.json', 'duplicate-yaml-key.yml', 'alias-bomb.yml']);

describe('the invalid corpus (test/fixtures/invalid)', () => {
  const dir = join(ROOT, 'test/fixtures/invalid');
  for (const name of readdirSync(dir).filter((n) => !UNPARSED.has(n))) {
    const data: unknown = parse(readFileSync(join(dir, name), 'utf8'), { maxAliasCount: 100 });
    it(`${name}: ${CANNOT[name] ? `accepted by the schema (${CANNOT[name]}), refused by validate` : 'refused by the schema'}`, () => {
      expect(schemaValid(data)).toBe(CANNOT[name] !== undefined);
    });
  }
});

describe('valid runbooks', () => {
  for (const file of ['test/fixtures/valid/full.yml', 'examples/quickstart/cockpit.yml']) {
    it(`${file} is valid against the schema`, () => {
      expect(schemaValid(parse(readFileSync(join(ROOT, file), 'utf8'))), JSON.stringify(schemaValid.errors)).toBe(true);
    });
  }
});

describe('durations', () => {
  it('`for: 0` (a number, as the docs write it) loads, as 0 ms', () => {
    const r = parseRunbook(
      'name: svc\nstages: [{ id: s, steps: ["true"] }]\nmetrics: { series: { m: {} } }\nrollback:\n  steps: [./rollback.sh]\n  triggers: [{ metric: m, above: 1, for: 0 }]\n',
      join(ROOT, 'x.yml'),
    );
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    expect(r.raw?.rollback?.triggers?.[0]).toMatchObject({ for: '0' });
  });

  it('the schema describes a duration in words for editors, not as the raw pattern', () => {
    const props = (jsonSchema() as { properties: { stages: { items: { properties: { budget: Record<string, unknown> } } } } }).properties.stages.items.properties.budget;
    expect(props.description).toBe('Time budget: shown as elapsed / budget, warns when over');
    const text = (props.anyOf as Record<string, unknown>[]).find((a) => a.type === 'string');
    expect(text?.errorMessage).toBe('Expected a duration: a whole number with a unit (ms, s, m, h), largest unit first — 500ms, 90s, 2m, 1h30m — or 0; at most 720h');
    expect(props.anyOf).toContainEqual({ type: 'number', const: 0 });
  });
});
