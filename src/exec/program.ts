/** Checks a step's cwd and program before spawning: missing or non-executable is a clear message, not a crash. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

function executable(path: string): 'ok' | 'missing' | 'directory' | 'not-executable' {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'directory';
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'not-executable';
  }
}

/** Returns why a step cannot run in `cwd` (it is missing, or not a directory), or undefined when it can. */
export function checkCwd(cwd: string): string | undefined {
  let st;
  try {
    st = statSync(cwd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `cwd does not exist: ${cwd}` : `cwd cannot be used: ${cwd} (${code ?? String(e)})`;
  }
  if (!st.isDirectory()) return `cwd is not a directory: ${cwd}`;
  try {
    accessSync(cwd, constants.X_OK);
  } catch {
    return `cwd cannot be entered: ${cwd} (permission denied)`;
  }
  return undefined;
}

/** Returns why the program cannot run in `cwd` (the cwd first), or undefined when it can. */
export function checkProgram(file: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const badCwd = checkCwd(cwd);
  if (badCwd) return badCwd;
  if (file.includes('/')) {
    const abs = isAbsolute(file) ? file : resolve(cwd, file);
    switch (executable(abs)) {
      case 'ok':
        return undefined;
      case 'missing':
        return `missing: ${file} (no such file in ${cwd})`;
      case 'directory':
        return `not a program: ${file} is a directory`;
      case 'not-executable':
        return `not executable: ${file} (chmod +x ${file})`;
    }
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, file)) === 'ok') return undefined;
  }
  return `command not found: ${file} (not on PATH)`;
}
