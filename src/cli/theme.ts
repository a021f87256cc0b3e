/** The theme for this run: --theme, else the saved preference, else default; monochrome without colour. */
import { loadTheme, ThemeError, type Theme } from '../ui/theme.js';
import { UsageError } from './args.js';
import { readPreference } from './prefs.js';

export async function resolveTheme(flag: string | undefined): Promise<Theme> {
  const name = flag ?? (await readPreference('theme'));
  try {
    return loadTheme(name, { stream: process.stdout });
  } catch (e) {
    if (e instanceof ThemeError) throw new UsageError(e.message);
    throw e;
  }
}
