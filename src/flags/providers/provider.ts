/** A feature-flag backend: reads and sets a flag's rollout percentage, returning what it confirmed. */

export interface FlagProvider {
  readonly kind: string;
  /** The percentage the backend has now, or undefined when it cannot say (no read command). */
  read(flag: string): Promise<number | undefined>;
  /** Sets the percentage and returns the one the backend confirmed (read back where it can). */
  set(flag: string, percent: number): Promise<number>;
}

/** A provider failure in words (shown on screen and journalled). */
export class FlagProviderError extends Error {}

/** Parses a percentage a backend printed or returned: "25", "25%", 25. */
export function parsePercent(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim().replace(/%$/, '')) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : undefined;
}
