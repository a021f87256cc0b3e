/** The decisions before a run: --set/--choose checked, what is still needed in words, the acceptance record per content hash. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMarkdownRunbook } from '../../src/runbook/markdown.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { normalize } from '../../src/runbook/normalize.js';
import type { Runbook } from '../../src/runbook/types.js';
import { newPlanRecord, readPlanRecord, writePlanRecord } from '../../src/session/plan-record.js';
import {
  checkGiven,
  choiceNeeded,
  choicesAndInputs,
  inputNeeded,
  inputRefusal,
  neededBeforeRun,
  parseAssignments,
  planAcceptedEvent,
  planText,
  sanitize,
  screensNeeded,
} from '../../src/session/plan-review.js';
import { initialReview, reduceReview } from '../../src/ui/plan/review-state.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/plan/release.md', import.meta.url));

function markdown(text = readFileSync(FIXTURE, 'utf8')) {
  const r = parseMarkdownRunbook(text, FIXTURE, 'release.md');
  if (!r.ok || !r.raw) throw new Error('fixture does not load');
  return { rb: r.runbook, raw: r.raw, hash: r.report.hash };
}

const YAML = `
name: yaml-app
secrets: [api_token]
inputs:
  version: { prompt: "vX.Y.Z", pattern: "v[0-9]+\\\\.[0-9]+\\\\.[0-9]+" }
  api_token: { prompt: token }
stages:
  - id: production
    steps:
      - choose:
          id: deploy-method
          title: Deploy method
          options:
            - { id: helm, title: helm upgrade, steps: ["echo helm {input.version}"] }
            - { title: kubectl apply, steps: ["echo kubectl"] }
`;

function yaml(opts: Parameters<typeof normalize>[2] = {}): Runbook {
  const r = parseRunbook(YAML, '/srv/app/cockpit.yml', 'cockpit.yml');
  if (!r.ok || !r.raw) throw new Error(r.ok ? 'no raw' : r.errors.map((e) => e.message).join('\n'));
  return normalize(r.raw, '/srv/app/cockpit.yml', opts);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('--set and --choose', () => {
  it('reads NAME=VALUE items, refusing one without = or given twice', () => {
    expect(parseAssignments(['a=1', 'b=x=y'], '--set')).toEqual({ a: '1', b: 'x=y' });
    expect(parseAssignments(['a'], '--set')).toBe('--set expects NAME=VALUE (got "a")');
    expect(parseAssignments(['c=1', 'c=2'], '--choose')).toBe('--choose c is given twice');
  });

  it('names an option by id, number or title, and lists what exists for unknown names and options', () => {
    const { rb } = markdown();
    expect(checkGiven(rb, { commit_hash: 'abc1234' }, { 'rollback-method': 'Blue-Green Switch' })).toEqual({ choices: { 'rollback-method': 'option-3' }, inputs: { commit_hash: 'abc1234' } });
    expect(checkGiven(rb, {}, { 'rollback-method': '2' })).toEqual({ choices: { 'rollback-method': 'option-2' }, inputs: {} });
    expect(checkGiven(rb, { foo: '1' }, { nope: '1', 'rollback-method': '4' })).toEqual([
      '--set: no input "foo" (inputs: commit_hash)',
      '--choose: no choice "nope" (choices: rollback-method)',
      '--choose rollback-method: no option "4": 1|2|3 (1 helm rollback, 2 kubectl rollout undo, 3 blue-green switch)',
    ]);
  });
});

describe('what a run still needs', () => {
  it('names each unmade choice and input without a value, with the flag that gives it and the line when known', () => {
    const { rb } = markdown();
    expect(neededBeforeRun(rb, 'release.md')).toEqual([
      'release.md: choice "rollback-method" (Rollback method) is not made: --choose rollback-method=1|2|3 (1 helm rollback, 2 kubectl rollout undo, 3 blue-green switch)',
      'release.md: input commit_hash (<commit-hash>) has no value: --set commit_hash=…',
    ]);
    expect(choiceNeeded(rb.choices[0], 'release.md', 42)).toMatch(/^release\.md:42: choice "rollback-method"/);
    expect(inputNeeded(rb.inputs[0], 'no value', 'release.md', 17)).toBe('release.md:17: input commit_hash (<commit-hash>) has no value: --set commit_hash=…');
    expect(neededBeforeRun(rb, 'release.md', (kind) => (kind === 'input' ? 17 : undefined))[1]).toMatch(/^release\.md:17: input/);
  });

  it('says when a value does not match the pattern, and nothing once all is given', () => {
    expect(neededBeforeRun(yaml({ inputs: { version: '2.0', api_token: 't' }, choices: { 'deploy-method': 'helm' } }), 'cockpit.yml')).toEqual([
      'cockpit.yml: input version (vX.Y.Z) does not match v[0-9]+\\.[0-9]+\\.[0-9]+: --set version=…',
    ]);
    expect(neededBeforeRun(yaml({ inputs: { version: 'v2.0.1', api_token: 't' }, choices: { 'deploy-method': 'helm' } }), 'cockpit.yml')).toEqual([]);
  });

  it('refuses a typed value that is empty or off-pattern, with the reason', () => {
    const [version] = yaml().inputs;
    expect(inputRefusal(version, '')).toBe('a value is needed (empty is not a value)');
    expect(inputRefusal(version, '2')).toBe('the value does not match v[0-9]+\\.[0-9]+\\.[0-9]+');
    expect(inputRefusal(version, 'v1.2.3')).toBeUndefined();
    // whole escape sequences go, not only their ESC: '[31m' or '[2J' left on the screen is a broken row
    expect(sanitize('ab\u001b[31mc\u0007\n')).toBe('abc ');
    expect(sanitize('a\u001b[2Jb\u001b]52;c;cm0gLXJmIH4=\u0007c')).toBe('abc');
  });

  it('the dry run lists the choices (the chosen one marked), the inputs and what is still needed', () => {
    expect(choicesAndInputs(yaml({ choices: { 'deploy-method': '1' }, inputs: { api_token: 'sekret' } }), 'cockpit.yml')).toEqual([
      'choices',
      '  deploy-method (Deploy method, in production): ● 1 helm upgrade  ○ 2 kubectl apply',
      'inputs',
      '  version (vX.Y.Z): (no value)',
      '  api_token (token): "••••"',
      'needed before a run',
      '  cockpit.yml: input version (vX.Y.Z) has no value: --set version=…',
    ]);
  });
});

describe('the plan accepted', () => {
  it('journals the hash, the choices and the input values, masking those secrets: names', () => {
    const rb = yaml({ choices: { 'deploy-method': '2' }, inputs: { version: 'v1.0.0', api_token: 'sekret' } });
    const e = planAcceptedEvent(rb, undefined, 'given');
    expect(e).toEqual({ type: 'plan.accepted', how: 'given', choices: { 'deploy-method': 'option-2' }, inputs: { version: 'v1.0.0', api_token: '••••' } });
    expect(planText({ ...e, hash: 'ab'.repeat(32) })).toBe('▸ plan as given (sha256 abababababab): choices deploy-method=option-2; inputs version=v1.0.0, api_token=••••');
  });

  it('is written whole under plans/<hash>.json and read back for the same hash only', () => {
    const state = mkdtempSync(join(tmpdir(), 'cockpit-plan-'));
    dirs.push(state);
    const { hash } = markdown();
    expect(readPlanRecord(state, hash)).toBeUndefined();
    const path = writePlanRecord(state, newPlanRecord(hash, { 'rollback-method': 'option-2' }, new Date('2026-12-01T10:00:00Z')));
    expect(path).toBe(join(state, 'plans', `${hash}.json`));
    expect(readdirSync(join(state, 'plans'))).toEqual([`${hash}.json`]);
    expect(readPlanRecord(state, hash)).toMatchObject({ hash, acceptedAt: '2026-12-01T10:00:00.000Z', choices: { 'rollback-method': 'option-2' } });
    writeFileSync(join(state, 'plans', `${'0'.repeat(64)}.json`), '{not json');
    expect(readPlanRecord(state, '0'.repeat(64))).toBeUndefined();
  });

  it('a changed text is a new hash: the review is asked again; the same text skips it', () => {
    const state = mkdtempSync(join(tmpdir(), 'cockpit-plan-'));
    dirs.push(state);
    const first = markdown();
    writePlanRecord(state, newPlanRecord(first.hash, {}));
    const same = markdown();
    expect(screensNeeded(same.rb, { hash: same.hash, recorded: readPlanRecord(state, same.hash) !== undefined })).toEqual({ review: false, pick: true, inputs: true });
    const changed = markdown(readFileSync(FIXTURE, 'utf8').replace('deploying to production', 'deploying to prod'));
    expect(changed.hash).not.toBe(first.hash);
    expect(screensNeeded(changed.rb, { hash: changed.hash, recorded: readPlanRecord(state, changed.hash) !== undefined })).toEqual({ review: true, pick: false, inputs: true });
    // a YAML runbook has no review: the picker asks for its choices
    expect(screensNeeded(yaml(), { recorded: false })).toEqual({ review: false, pick: true, inputs: true });
  });

  it('accepting is refused until every choice is made', () => {
    const { rb } = markdown();
    let s = initialReview(rb.choices);
    s = reduceReview(rb.choices, s, { type: 'accept' });
    expect(s.done).toBeUndefined();
    expect(s.message).toBe('cannot accept yet: choose "Rollback method" first (Tab to it, then 1–3)');
    s = reduceReview(rb.choices, s, { type: 'pick', n: 4 });
    expect(s.message).toBe('Rollback method has 3 options: press 1–3');
    s = reduceReview(rb.choices, reduceReview(rb.choices, s, { type: 'pick', n: 1 }), { type: 'accept' });
    expect(s).toMatchObject({ done: 'accepted', picks: { 'rollback-method': 'option-1' } });
  });
});
