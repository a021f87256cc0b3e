/**
 * The build's patches to dependencies (scripts/patches.mjs) change speed, never output: each
 * patched function gives what the original gives, over many generated inputs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, no types
import { patchStyledChars } from '../../scripts/patches.mjs';

type StyledChar = { value: string; styles: unknown[] };
type Tokenize = {
  tokenize(s: string): unknown[];
  styledCharsFromTokens(t: unknown[]): StyledChar[];
  styledCharsToString(c: StyledChar[]): string;
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// the copy Ink itself imports (the one the bundle patches): its own, else the top-level one
const buildDir = [join(ROOT, 'node_modules', 'ink', 'node_modules'), join(ROOT, 'node_modules')]
  .map((d) => join(d, '@alcalzone', 'ansi-tokenize', 'build'))
  .find((d) => existsSync(join(d, 'styledChars.js'))) as string;
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SGR = ['1', '2', '3', '4', '7', '9', '22', '23', '24', '27', '29', '31', '32', '33', '36', '39', '41', '42', '49', '90', '38;5;208', '48;2;10;20;30', '0'];
const TEXT = ['a', 'b', ' ', 'x', '─', '│', '●', '✓', '⟲', '漢', '😀', 'é'];

function randomLine(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 60);
  for (let i = 0; i < n; i++) {
    if (r() < 0.2) s += `\x1b[${SGR[Math.floor(r() * SGR.length)]}m`;
    else s += TEXT[Math.floor(r() * TEXT.length)];
  }
  return s;
}

describe('build patches (scripts/patches.mjs)', () => {
  it('styledCharsToString: the patched function writes exactly what the original writes', async () => {
    const original = (await import(pathToFileURL(join(buildDir, 'index.js')).href)) as Tokenize;
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-patch-'));
    temps.push(dir);
    const text = readFileSync(join(buildDir, 'styledChars.js'), 'utf8');
    const patched = (patchStyledChars(text) as string).replaceAll('from "./', `from "${pathToFileURL(buildDir).href}/`);
    expect(patched).not.toBe(text);
    writeFileSync(join(dir, 'styledChars.mjs'), patched);
    const fast = (await import(pathToFileURL(join(dir, 'styledChars.mjs')).href)) as Pick<Tokenize, 'styledCharsToString'>;

    const r = rng(20261206);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      let chars = original.styledCharsFromTokens(original.tokenize(randomLine(r)));
      // Ink's lines mix characters from several writes (distinct style objects of the same codes)
      if (i % 3 === 0) chars = [...chars.slice(0, 10), ...original.styledCharsFromTokens(original.tokenize(randomLine(r))), ...chars.slice(10)];
      expect(fast.styledCharsToString(chars)).toBe(original.styledCharsToString(chars));
      compared++;
    }
    expect(compared).toBe(3000);
  });

  it('refuses a styledChars.js it does not know, rather than patch it wrongly', () => {
    expect(() => patchStyledChars('export function styledCharsToString(chars) { return ""; }')).toThrow(/styledChars\.js changed/);
  });
});
