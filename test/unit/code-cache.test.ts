/**
 * The screen bundle's V8 code cache (src/cli/code-cache.ts), on real files: a first load compiles
 * and writes the cache, the next one is served from it, a damaged cache is rejected by V8 and
 * rewritten, a new build of the bundle replaces the old cache, COCKPIT_NO_CACHE turns it off.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireWithCodeCache } from '../../src/cli/code-cache.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * V8 keeps what it compiled in this process (keyed by the source and the script's name): each load
 * here uses a copy of the bundle in a directory of its own, so the disk cache is what serves it.
 */
function copyOf(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-code-cache-copy-'));
  dirs.push(dir);
  const to = join(dir, 'bundle.cjs');
  writeFileSync(to, readFileSync(file));
  return to;
}

function setup(version = 1): { file: string; env: NodeJS.ProcessEnv; cacheFiles: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-code-cache-'));
  dirs.push(dir);
  const file = join(dir, 'bundle.cjs');
  const write = (v: number) =>
    writeFileSync(file, `const path = require('node:path');\nfunction area(w, h) { return w * h; }\nmodule.exports = { version: ${v}, base: path.basename(__filename), area, self: this === module.exports };\n${'// padding\n'.repeat(200)}`);
  write(version);
  const cache = join(dir, 'cache');
  return { file, env: { COCKPIT_CACHE_DIR: cache }, cacheFiles: () => (existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith('.v8')) : []) };
}

const written = (probe: () => string[], n: number) =>
  new Promise<void>((resolve, reject) => {
    const end = Date.now() + 5000;
    const tick = () => (probe().length === n ? resolve() : Date.now() > end ? reject(new Error('the cache was not written')) : setTimeout(tick, 10));
    tick();
  });

describe('requireWithCodeCache', () => {
  it('loads a CommonJS file like require (exports, require, __filename, this), compiles it, then serves it from the cache', async () => {
    const t = setup();
    const first = requireWithCodeCache(t.file, { env: t.env, writeAfterMs: 0 });
    expect(first.cache).toBe('miss');
    expect(first.exports).toMatchObject({ version: 1, base: 'bundle.cjs', self: true });
    expect((first.exports as { area: (w: number, h: number) => number }).area(6, 7)).toBe(42);
    await written(t.cacheFiles, 1);
    expect(t.cacheFiles()[0]).toMatch(/^code-bundle_cjs-[0-9a-f]{24}\.v8$/);
    const second = requireWithCodeCache(copyOf(t.file), { env: t.env, writeAfterMs: 0 });
    expect(second.cache).toBe('hit');
    expect(second.exports).toMatchObject({ version: 1 });
  });

  it('a damaged cache is rejected by V8 and rewritten; the bundle still loads', async () => {
    const t = setup();
    requireWithCodeCache(t.file, { env: t.env, writeAfterMs: 0 });
    await written(t.cacheFiles, 1);
    const cacheFile = join(t.env.COCKPIT_CACHE_DIR!, t.cacheFiles()[0]);
    writeFileSync(cacheFile, Buffer.alloc(4096, 7));
    const r = requireWithCodeCache(copyOf(t.file), { env: t.env, writeAfterMs: 0 });
    expect(r.cache).toBe('rejected');
    expect(r.exports).toMatchObject({ version: 1 });
    await new Promise((res) => setTimeout(res, 100));
    expect(requireWithCodeCache(copyOf(t.file), { env: t.env }).cache).toBe('hit');
  });

  it('a new build of the bundle gets a new cache and the old one goes', async () => {
    const t = setup();
    requireWithCodeCache(t.file, { env: t.env, writeAfterMs: 0 });
    await written(t.cacheFiles, 1);
    const old = t.cacheFiles()[0];
    writeFileSync(t.file, `module.exports = { version: 2 };\n`);
    const r = requireWithCodeCache(t.file, { env: t.env, writeAfterMs: 0 });
    expect(r.cache).toBe('miss');
    expect(r.exports).toEqual({ version: 2 });
    await new Promise((res) => setTimeout(res, 100));
    expect(t.cacheFiles()).toHaveLength(1);
    expect(t.cacheFiles()[0]).not.toBe(old);
  });

  it('COCKPIT_NO_CACHE: compiled every time, nothing written', async () => {
    const t = setup();
    const r = requireWithCodeCache(t.file, { env: { ...t.env, COCKPIT_NO_CACHE: '1' }, writeAfterMs: 0 });
    expect(r.cache).toBe('off');
    expect(r.exports).toMatchObject({ version: 1 });
    await new Promise((res) => setTimeout(res, 100));
    expect(t.cacheFiles()).toEqual([]);
  });
});
