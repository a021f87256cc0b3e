/**
 * What a flag change means for its users, decided once: a change is confirmed only when what
 * users are served is what the backend holds (or the backend cannot tell, and its words say so).
 * The CLI, the screen's notices, the run's flag steps, the flags pane and the wallboard all ask
 * here and show the provider's own words, never a wording of their own.
 */
import type { FlagReading } from './providers/provider.js';

/** A flag as the session state knows it (what the backend holds, serves, and said). */
type Held = { readonly percent?: number; readonly served?: number; readonly says?: string };

/** Whether users are served something else than the backend holds (Unleash: environment disabled). */
export function notServed(r: Held): boolean {
  return r.percent !== undefined && r.served !== undefined && r.served !== r.percent;
}

/** The percentage to show for a flag: what users are served where the backend can tell. */
export function shownPercent(r: Held): number | undefined {
  return r.served ?? r.percent;
}

/** The state words for a flag users are not served as written, or undefined. */
export function notServedState(r: Held): string | undefined {
  return notServed(r) ? `NOT SERVED: ${r.says ?? `${r.percent} % written, users are served ${r.served} %`}` : undefined;
}

/** The one line that reports a change: "new-checkout: 0 % → 25 % (written to flags.json; …)". */
export function changeLine(flag: string, from: number | undefined, r: FlagReading, forced = false): string {
  return `${flag}: ${from ?? '?'} % → ${r.percent} % (${r.says}${forced ? '; FORCED' : ''})`;
}
