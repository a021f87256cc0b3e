/** Command-line parsing with clear usage errors (exit 2), never a stack trace. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const raw = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const msg = raw.charAt(0).toLowerCase() + raw.slice(1);
    throw new UsageError(`${msg}\n${usage}`);
  }
}
