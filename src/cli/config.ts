/** cockpit config set|get|unset|list: user preferences (theme, confirm style). */
import { loadTheme, ThemeError } from '../ui/theme.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { allPreferences, deletePreference, PREFERENCES, readPreference, writePreference, type PreferenceKey } from './prefs.js';

export const USAGE = [usageOf(COMMANDS.config), ...COMMANDS.config.details].join('\n');

function key(k: string | undefined): PreferenceKey {
  if (k === undefined || !(k in PREFERENCES)) throw new UsageError(`unknown preference ${k === undefined ? '' : `"${k}"`}\n${USAGE}`);
  return k as PreferenceKey;
}

function check(k: PreferenceKey, value: string): void {
  if (k === 'theme') {
    try {
      loadTheme(value, { env: {} });
    } catch (e) {
      if (e instanceof ThemeError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (k === 'confirm' && value !== 'press-r' && value !== 'type-name') throw new UsageError(`confirm must be press-r or type-name (got "${value}")`);
}

export async function configCommand(argv: string[], io: Io): Promise<number> {
  const [verb, k, value, ...extra] = parse(argv, COMMANDS.config).positionals;
  switch (verb) {
    case 'set': {
      const name = key(k);
      if (value === undefined || extra.length) throw new UsageError(USAGE);
      check(name, value);
      const path = await writePreference(name, value);
      io.out(`${name} = ${value} (saved in ${path})`);
      return 0;
    }
    case 'get': {
      const v = await readPreference(key(k));
      io.out(v ?? '');
      return v === undefined ? 1 : 0;
    }
    case 'unset':
      await deletePreference(key(k));
      return 0;
    case 'list':
      for (const [name, v] of Object.entries(await allPreferences())) io.out(`${name} = ${v}`);
      return 0;
    default:
      throw new UsageError(USAGE);
  }
}
