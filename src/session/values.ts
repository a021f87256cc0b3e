/** Placeholder values known at session start: version (from its template), date, git. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { inputValuesOf, substitute, type PlaceholderValues } from '../runbook/placeholders.js';
import type { Runbook } from '../runbook/types.js';

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function usesGit(rb: Runbook): boolean {
  if (rb.versionTemplate.includes('{git.')) return true;
  try {
    return readFileSync(rb.file, 'utf8').includes('{git.');
  } catch {
    return true;
  }
}

export function sessionValues(rb: Runbook, sessionId: string, now = new Date()): PlaceholderValues {
  const values: PlaceholderValues = {
    date: now.toISOString().slice(0, 10),
    runbook: rb.name,
    session: sessionId,
    environment: rb.environment,
    ...inputValuesOf(rb.inputValues),
  };
  // git is asked once per session, and only when the runbook uses it (it costs two processes);
  // outside a repository the values say so
  if (usesGit(rb)) {
    values['git.sha'] = git(['rev-parse', '--short', 'HEAD'], rb.dir) ?? 'unknown';
    values['git.describe'] = git(['describe', '--tags', '--always', '--dirty'], rb.dir) ?? values['git.sha'];
  }
  values.version = substitute(rb.versionTemplate, values);
  return values;
}

export function newSessionId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
