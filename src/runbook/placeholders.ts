/**
 * Placeholders ({version}, {reason}, …) go into argv elements or environment variables only,
 * never into a string a shell parses.
 */
import type { Command } from './command.js';

export const PLACEHOLDERS = [
  'version',
  'date',
  'git.sha',
  'git.describe',
  'stage',
  'environment',
  'runbook',
  'session',
  'flag',
  'percent',
  'reason',
  'level',
  'winner',
] as const;

export type PlaceholderName = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<PlaceholderName, string>>;

const KNOWN = new Set<string>(PLACEHOLDERS);
const PATTERN = /\{([a-z][a-z0-9_.]*)\}/gi;

/** COCKPIT_GIT_SHA for git.sha, COCKPIT_REASON for reason. */
export function envName(name: string): string {
  return `COCKPIT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Replaces known placeholders in one argv element; unknown {words} stay as written. */
export function substitute(text: string, values: PlaceholderValues): string {
  return text.replace(PATTERN, (whole, name: string) => {
    if (!KNOWN.has(name)) return whole;
    const v = values[name as PlaceholderName];
    return v === undefined ? whole : v;
  });
}

/** The placeholder names a text uses (known ones only). */
export function placeholdersIn(text: string): PlaceholderName[] {
  const found = new Set<PlaceholderName>();
  for (const m of text.matchAll(PATTERN)) if (KNOWN.has(m[1])) found.add(m[1] as PlaceholderName);
  return [...found];
}

/** Every value as COCKPIT_* environment variables. */
export function placeholderEnv(values: PlaceholderValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) env[envName(k)] = v;
  return env;
}

export type Invocation = { readonly file: string; readonly args: readonly string[]; readonly env: Record<string, string> };

/**
 * Resolves a command with values: argv elements get the values substituted; a shell script gets
 * `${COCKPIT_X}` references instead, so the shell expands a variable and never parses a value.
 */
export function resolveInvocation(cmd: Command, values: PlaceholderValues): Invocation {
  const env = placeholderEnv(values);
  if (cmd.kind === 'argv') {
    const [file, ...args] = cmd.argv.map((a) => substitute(a, values));
    return { file, args, env };
  }
  const script = cmd.script.replace(PATTERN, (whole, name: string) => (KNOWN.has(name) ? `\${${envName(name)}}` : whole));
  return { file: 'bash', args: ['-c', script], env };
}
