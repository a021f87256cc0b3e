/** User preferences (theme, confirm style, key overrides) through conf: preferences only, no data. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Conf from 'conf';

export const PREFERENCES = {
  theme: 'the colour theme: default, light, high-contrast, monochrome, or a path to a theme .json',
  confirm: 'how a rollback is confirmed when the stage does not say: press-r or type-name',
} as const;
export type PreferenceKey = keyof typeof PREFERENCES;

let store: Conf<Record<string, string>> | undefined;

async function conf(): Promise<Conf<Record<string, string>>> {
  if (!store) {
    const { default: ConfClass } = await import('conf');
    store = new ConfClass<Record<string, string>>({ projectName: 'cockpit', cwd: process.env.COCKPIT_CONFIG_DIR || undefined });
  }
  return store;
}

/** Where conf keeps the file: COCKPIT_CONFIG_DIR, else $XDG_CONFIG_HOME (or ~/.config)/cockpit-nodejs. */
export function preferencesPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COCKPIT_CONFIG_DIR) return join(env.COCKPIT_CONFIG_DIR, 'config.json');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'cockpit-nodejs', 'config.json');
}

/**
 * Reads a preference straight from conf's file (conf, with its schema validator, loads only to
 * write: reading is on the way to the first frame). An unreadable file never stops a release.
 */
export async function readPreference(key: PreferenceKey): Promise<string | undefined> {
  try {
    const v = (JSON.parse(readFileSync(preferencesPath(), 'utf8')) as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function writePreference(key: PreferenceKey, value: string): Promise<string> {
  const c = await conf();
  c.set(key, value);
  return c.path;
}

export async function allPreferences(): Promise<Record<string, string>> {
  return { ...(await conf()).store };
}

export async function deletePreference(key: PreferenceKey): Promise<void> {
  (await conf()).delete(key);
}
