/** A file of the build (dist/<name>), found from wherever the calling code runs: dist/, dist/chunks/, or src/ under tests. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function distFile(name: string, callerUrl: string): string | undefined {
  const here = dirname(fileURLToPath(callerUrl));
  return [join(here, name), join(here, '..', name), join(here, '../../dist', name)].find((p) => existsSync(p));
}
