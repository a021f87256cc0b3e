/**
 * The layering (ARCHITECTURE.md): arrows point down, `cli → ui → session → {exec, metrics, guard,
 * flags, history} → runbook → core`. Read from the source's import statements, so a new import
 * that breaks the layering fails here, with the file and the import named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** Each file's project imports, as paths relative to src/ (static imports, re-exports and import()). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.push(relative(SRC, resolve(dirname(file), m[1])).replace(/\.js$/, ''));
  }
  return out;
}

const layerOf = (p: string) => p.split('/')[0];
const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

/** Which layers each layer must never import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  core: ['cli', 'ui', 'session', 'exec', 'metrics', 'guard', 'flags', 'history', 'runbook', 'wallboard', 'demo', 'headless', 'share'],
  runbook: ['cli', 'ui', 'session', 'exec', 'metrics', 'guard', 'flags', 'history', 'wallboard', 'demo', 'headless', 'share'],
  exec: ['cli', 'ui', 'session', 'guard', 'flags', 'history', 'wallboard', 'demo', 'headless', 'share'],
  metrics: ['cli', 'ui', 'session', 'guard', 'flags', 'history', 'wallboard', 'demo', 'headless', 'share'],
  guard: ['cli', 'ui', 'session', 'flags', 'history', 'wallboard', 'demo', 'headless', 'share'],
  flags: ['cli', 'ui', 'session', 'history', 'wallboard', 'demo', 'headless', 'share'],
  history: ['cli', 'ui', 'wallboard', 'demo', 'headless', 'share'],
  team: ['cli', 'ui', 'session', 'guard', 'flags', 'history', 'metrics', 'wallboard', 'demo', 'headless', 'share'],
  session: ['cli', 'ui', 'wallboard', 'demo', 'headless', 'share'],
  headless: ['cli', 'ui', 'wallboard', 'demo', 'share'],
  ui: ['cli', 'wallboard'],
  wallboard: ['cli', 'ui', 'share'],
  // the shared session (--share, watch URL, wallboard URL): over session, team and the wallboard's feed
  share: ['cli', 'ui', 'demo', 'headless'],
};

describe('layering', () => {
  it('no layer imports one above it', () => {
    const bad = all.flatMap(({ file, imports }) => imports.filter((i) => (FORBIDDEN[layerOf(file)] ?? []).includes(layerOf(i))).map((i) => `${file} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('session/, guard/, flags/ and metrics/ never import React or Ink', () => {
    const bad = all
      .filter(({ file }) => ['session', 'guard', 'flags', 'metrics', 'core', 'runbook', 'exec', 'team', 'share'].includes(layerOf(file)))
      .filter(({ file }) => /from ['"](react|ink)(\/[^'"]*)?['"]/.test(readFileSync(join(SRC, file), 'utf8')))
      .map(({ file }) => file);
    expect(bad).toEqual([]);
  });

  it('the source has no import cycle', () => {
    const graph = new Map(all.map(({ file, imports }) => [file.replace(/\.tsx?$/, ''), imports]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, path: string[]) => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
        return;
      }
      state.set(n, 'visiting');
      for (const m of graph.get(n) ?? []) if (graph.has(m)) visit(m, [...path, n]);
      state.set(n, 'done');
    };
    for (const n of graph.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });
});
