/**
 * Where a runbook's commands run. A cockpit.yml runs them from its own directory. A Markdown runbook
 * inside a git repository runs them from the repository root: its commands (`./scripts/deploy.sh`)
 * were written to be pasted at the root, wherever the document sits (docs/runbooks/release.md).
 * Found by walking up for `.git` (a directory, or a file in a worktree); no git process. Small on
 * purpose: the compiled-runbook cache keys on it before any parser is loaded.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Whether a path is a Markdown runbook (loaded by markdown.ts rather than as YAML). */
export function isMarkdown(file: string): boolean {
  return /\.(md|markdown)$/i.test(file);
}

/** The nearest directory at or above `dir` holding a `.git` (a directory, or a worktree's file), or undefined. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      const st = statSync(join(d, '.git'));
      if (st.isDirectory() || st.isFile()) return d;
    } catch {
      // not here: one level up
    }
    if (dirname(d) === d) return undefined;
  }
}

/** The directory a runbook's steps run in: the repository root for a Markdown runbook in one, else the runbook's directory. */
export function runDirOf(file: string): string {
  const own = dirname(resolve(file));
  return isMarkdown(file) ? (repositoryRoot(own) ?? own) : own;
}
