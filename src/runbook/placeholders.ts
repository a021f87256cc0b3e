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
  'decision',
  'experiment',
  // a rollback's risk-register entry (riskRegister.run)
  'trigger',
  'outcome',
  'restore',
  'journal',
] as const;

export type PlaceholderName = (typeof PLACEHOLDERS)[number] | `input.${string}`;
export type PlaceholderValues = Partial<Record<PlaceholderName, string>>;

const KNOWN_NAMES = new Set<string>(PLACEHOLDERS);
/** The runbook's own inputs (`inputs:`) are placeholders too: {input.commit_hash}. */
const INPUT_NAME = /^input\.[a-z][a-z0-9_]*$/;
const KNOWN = { has: (name: string): boolean => KNOWN_NAMES.has(name) || INPUT_NAME.test(name) };

/** The placeholder for an input: {input.NAME}. */
export function inputPlaceholder(name: string): string {
  return `{input.${name}}`;
}

/** Input values as placeholder values (input.NAME). */
export function inputValuesOf(values: Readonly<Record<string, string>>): PlaceholderValues {
  const out: PlaceholderValues = {};
  for (const [k, v] of Object.entries(values)) out[`input.${k}`] = v;
  return out;
}
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
  return { file: 'bash', args: ['-c', shellReferences(cmd.script)], env };
}

/**
 * Rewrites known placeholders in a shell script as quoted variable references, aware of the
 * quoting they stand in: `"${COCKPIT_X}"` outside quotes, `${COCKPIT_X}` inside double quotes,
 * `'"${COCKPIT_X}"'` inside single quotes. The value is expanded once, never split, globbed or parsed.
 */
export function shellReferences(script: string): string {
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\\' && quote !== "'") {
      out += c + (script[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '{') {
      const m = /^\{([a-z][a-z0-9_.]*)\}/i.exec(script.slice(i));
      if (m && KNOWN.has(m[1])) {
        const ref = `\${${envName(m[1])}}`;
        out += quote === '"' ? ref : quote === "'" ? `'"${ref}"'` : `"${ref}"`;
        i += m[0].length - 1;
        continue;
      }
    }
    if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (quote === c) quote = undefined;
    out += c;
  }
  return out;
}
