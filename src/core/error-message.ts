/**
 * What went wrong, in words, for anything thrown: an Error's message, else the value as text. The
 * project's one way to read a caught `unknown` (no casts of it to Error).
 */
export function errorMessage(e: unknown): string {
  const message = (e as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(e);
}

/** A Node error's code ("ENOENT", "ENOSPC"), else its message: the word a log or status keeps. */
export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : errorMessage(e);
}
