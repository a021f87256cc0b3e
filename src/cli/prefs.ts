/** User preferences (theme, confirm style, key overrides) through conf: preferences only, no data. */
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

export async function readPreference(key: PreferenceKey): Promise<string | undefined> {
  try {
    return (await conf()).get(key);
  } catch {
    return undefined; // an unreadable preferences file never stops a release
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
