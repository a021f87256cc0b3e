/**
 * The flagd provider: writes the flag into a flagd flag-definition file (`flags.<key>` with state,
 * on/off variants, defaultVariant and a `fractional` targeting of [on, p], [off, 100-p]),
 * atomically (temp file + rename), leaving every other flag in the file as it was. What it can
 * confirm is the file: flagd (and the in-process providers reading the file) pick a change up on
 * their own (a file watch or a poll interval), so it never says users are served it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FlagProviderError, type FlagProvider, type FlagReading } from './provider.js';
import { errorMessage } from '../../core/error-message.js';

type FlagdFile = { $schema?: string; flags?: Record<string, unknown>; [k: string]: unknown };

export function flagDefinition(percent: number): Record<string, unknown> {
  // flagd weights must be integers (a fractional weight makes flagd serve the default, i.e. 0 %):
  // whole percentages as [p, 100 - p], others in hundredths of a percent
  const scale = Number.isInteger(percent) ? 1 : 100;
  const on = Math.round(percent * scale);
  return {
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: 'off',
    targeting: { fractional: [['on', on], ['off', 100 * scale - on]] },
  };
}

/** The percentage a flag definition serves `on`, or undefined when it is not one cockpit can read. */
export function percentOf(def: unknown): number | undefined {
  const d = def as { state?: string; defaultVariant?: string; targeting?: { fractional?: unknown[] } };
  if (!d || typeof d !== 'object') return undefined;
  if (d.state === 'DISABLED') return 0;
  const frac = d.targeting?.fractional;
  if (Array.isArray(frac)) {
    const buckets = frac.filter((b): b is [string, number] => Array.isArray(b) && typeof b[0] === 'string');
    const total = buckets.reduce((a, b) => a + (typeof b[1] === 'number' ? b[1] : 1), 0);
    const on = buckets.find((b) => b[0] === 'on');
    if (!on || total === 0) return 0;
    return Math.round(((typeof on[1] === 'number' ? on[1] : 1) / total) * 10000) / 100;
  }
  if (d.targeting === undefined || (typeof d.targeting === 'object' && Object.keys(d.targeting).length === 0)) return d.defaultVariant === 'on' ? 100 : 0;
  return undefined;
}

export class FlagdProvider implements FlagProvider {
  readonly kind = 'flagd';
  readonly path: string;
  constructor(file: string, baseDir: string) {
    this.path = resolve(baseDir, file);
  }

  private load(): FlagdFile {
    if (!existsSync(this.path)) return { $schema: 'https://flagd.dev/schema/v0/flags.json', flags: {} };
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new FlagProviderError(`${this.path} is not valid JSON (${errorMessage(e)}): not touching it`);
    }
    const flags = (doc as FlagdFile | null)?.flags;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc) || (flags !== undefined && (!flags || typeof flags !== 'object' || Array.isArray(flags))))
      throw new FlagProviderError(`${this.path} is not a flagd flag definition file: not touching it`);
    return doc as FlagdFile;
  }

  private percent(flag: string): number {
    const doc = this.load();
    const def = doc.flags?.[flag];
    if (def === undefined) return 0; // not defined: flagd serves the default (off)
    const p = percentOf(def);
    if (p === undefined) throw new FlagProviderError(`flag ${flag} in ${this.path} has targeting cockpit does not manage`);
    return p;
  }

  async read(flag: string): Promise<FlagReading> {
    return { percent: this.percent(flag), says: `read from ${basename(this.path)}; flagd providers serve it once they have re-read the file` };
  }

  async set(flag: string, percent: number): Promise<FlagReading> {
    const doc = this.load();
    const flags = { ...(doc.flags ?? {}) };
    flags[flag] = flagDefinition(percent);
    // the temp file is named after the file, not the flag (a flag name may hold "/"), and sits
    // beside it so the rename is atomic
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(tmp, `${JSON.stringify({ ...doc, flags }, null, 2)}\n`);
      renameSync(tmp, this.path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new FlagProviderError(`could not write ${this.path}: ${errorMessage(e)}`);
    }
    return { percent: this.percent(flag), says: `written to ${basename(this.path)}; providers re-read it within their poll interval` };
  }
}
