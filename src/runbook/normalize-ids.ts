/** Ids and durations as the normalised runbook keeps them (normalize.ts and its parts). */
import { parseDuration } from './duration.js';

export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 40) || 'step';
}

export function ms(d: string | undefined): number | undefined {
  return d === undefined ? undefined : parseDuration(d);
}

export type Unique = (id: string, explicit?: boolean) => string;

/**
 * Makes ids unique within one list: deploy, deploy-2, deploy-3. Ids the runbook wrote (`reserved`)
 * are kept as written; a derived id steps around them, so an explicit `id: deploy` is not renamed
 * to deploy-2 just because an earlier step derived "deploy". (Duplicate explicit ids are rejected by
 * rules.ts where they matter; elsewhere the second one is suffixed so ids stay unique.)
 */
export function uniquer(reserved: Iterable<string> = []): Unique {
  const taken = new Set<string>(reserved);
  const used = new Set<string>();
  // the next suffix to try per id: the sets only grow, so every smaller one is still taken (20 000
  // steps deriving "deploy" cost 20 000 lookups, not 200 million)
  const next = new Map<string, number>();
  return (id, explicit = false) => {
    if (explicit && !used.has(id)) {
      used.add(id);
      return id;
    }
    let candidate = id;
    let n = next.get(id) ?? 2;
    if (taken.has(candidate) || used.has(candidate)) {
      for (candidate = `${id}-${n}`; taken.has(candidate) || used.has(candidate); ) candidate = `${id}-${++n}`;
      next.set(id, n + 1);
    }
    used.add(candidate);
    return candidate;
  };
}

export function explicitIds(list: readonly unknown[] | undefined): string[] {
  return (list ?? []).flatMap((s) => (s !== null && typeof s === 'object' && !Array.isArray(s) && typeof (s as { id?: unknown }).id === 'string' ? [(s as { id: string }).id] : []));
}
