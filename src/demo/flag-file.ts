/** The demo service's flags, read from the flagd file the cockpit's flag steps write. */
import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../core/error-message.js';
import { percentOf } from '../flags/providers/flagd.js';
import { FLAG, SPLIT_FLAG } from './simulation.js';

type FlagValues = { newCheckout: number; split: number | undefined };

/** Reads the flags from the flagd file, again only when its mtime, size or inode changed. */
export class FlagFile {
  private signature: string | undefined;
  values: FlagValues = { newCheckout: 0, split: undefined };
  error: string | undefined;

  constructor(readonly path: string) {}

  private stat(): string {
    try {
      const st = statSync(this.path);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return 'missing';
    }
  }

  /** True when the values changed. */
  refresh(): boolean {
    const sig = this.stat();
    if (sig === this.signature) return false;
    this.signature = sig;
    const before = this.values;
    if (sig === 'missing') {
      this.values = { newCheckout: 0, split: undefined };
      this.error = undefined;
    } else {
      try {
        const doc = JSON.parse(readFileSync(this.path, 'utf8')) as { flags?: Record<string, unknown> };
        const pct = (key: string) => {
          const def = doc?.flags?.[key];
          const p = def === undefined ? undefined : percentOf(def);
          return p === undefined ? undefined : Math.min(100, Math.max(0, p));
        };
        this.values = { newCheckout: pct(FLAG) ?? 0, split: pct(SPLIT_FLAG) };
        this.error = undefined;
      } catch (e) {
        // a half-written or hand-broken file: keep serving the last values read
        this.error = `${this.path}: ${errorMessage(e)}`;
      }
    }
    return before.newCheckout !== this.values.newCheckout || before.split !== this.values.split;
  }
}
