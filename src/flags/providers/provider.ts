/**
 * A feature-flag backend: reads and sets a flag's rollout percentage and says what its clients
 * get. Each provider decides, in its own words, how far its answer goes: Unleash reads back the
 * strategy and whether the environment is enabled (users served 0 % while it is disabled); flagd
 * only writes a file its providers re-read on their own; a command is as good as its read command.
 */

/** What a backend says about a flag after a read or a write. */
export type FlagReading = {
  /** The rollout percentage the backend holds (read back where it can). */
  readonly percent: number;
  /**
   * The percentage users are served now, when the backend can tell (Unleash: 0 % while the
   * environment is disabled); undefined when it cannot (flagd's providers poll; a command without
   * a read command).
   */
  readonly served?: number;
  /** The provider's confirmation in words, shown as is wherever the change is reported. */
  readonly says: string;
};

export interface FlagProvider {
  readonly kind: string;
  /** What the backend holds now, or undefined when it cannot say (no read command). */
  read(flag: string): Promise<FlagReading | undefined>;
  /** Sets the percentage and returns what the backend holds and serves afterwards. */
  set(flag: string, percent: number): Promise<FlagReading>;
}

/** A provider failure in words (shown on screen and journalled). */
export class FlagProviderError extends Error {}

/** Parses a percentage a backend printed or returned: "25", "25%", 25. */
export function parsePercent(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim().replace(/%$/, '')) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}
