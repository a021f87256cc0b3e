/**
 * Loads a CommonJS bundle with V8's code cache: the first start compiles it and, once the screen
 * has drawn (the functions it needed are compiled by then), keeps V8's compiled code beside the
 * runbook cache; later starts skip most of the compiling. The cache is keyed by the bundle's bytes,
 * the Node version and the architecture; one that V8 rejects (flags differ) is rewritten, one that
 * cannot be read or written is ignored (COCKPIT_NO_CACHE turns it off). Node 22 has this built in
 * (module.enableCompileCache); Node 20 does not.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheDir, writeCacheFile } from '../runbook/cache.js';

/** How long after loading the cache is written: the first frame has been drawn by then. */
const WRITE_AFTER_MS = 1500;

export type CodeCacheLoad = {
  readonly exports: unknown;
  /** hit: compiled code came from the cache; miss: none yet (written shortly); rejected: V8 refused it (rewritten); off: COCKPIT_NO_CACHE. */
  readonly cache: 'hit' | 'miss' | 'rejected' | 'off';
};

export function requireWithCodeCache(file: string, o: { env?: NodeJS.ProcessEnv; writeAfterMs?: number } = {}): CodeCacheLoad {
  const env = o.env ?? process.env;
  const source = readFileSync(file, 'utf8');
  const useCache = !env.COCKPIT_NO_CACHE;
  const stem = `code-${basename(file).replace(/\W/g, '_')}`;
  const name = `${stem}-${createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 24)}.v8`;
  const dir = cacheDir(env);
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(join(dir, name));
    } catch {
      /* none yet */
    }
  }
  const script = new Script((Module as unknown as { wrap(code: string): string }).wrap(source), { filename: file, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const cache = !useCache ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (cache === 'miss' || cache === 'rejected') {
    setTimeout(() => {
      if (!writeCacheFile(name, script.createCachedData(), env)) return;
      // the caches of earlier builds of the same bundle go
      try {
        for (const f of readdirSync(dir)) if (f.startsWith(`${stem}-`) && f !== name) rmSync(join(dir, f), { force: true });
      } catch {
        /* left for next time */
      }
    }, o.writeAfterMs ?? WRITE_AFTER_MS).unref();
  }
  return { exports: module.exports, cache };
}
