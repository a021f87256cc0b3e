/**
 * The README as a new user meets it: its first lines are the two set-up commands, exactly; every
 * link to a file of the repository (in the README and the docs it links) points at a file that
 * exists, and every #anchor at a heading of that file; the picture of the screen is the one
 * `npm run screenshot` wrote to docs/screen.txt, a real 100×30 screen of the demo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/**
 * Files other helpers of issue 20 add on their own branches (the runbook and events references,
 * the per-command reference, the licence): linked now, allowed to be missing until they land.
 */
const PENDING = new Set<string>();

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Relative links of a Markdown file outside fenced code: [text](target). */
function links(md: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^[a-z]+:/i.test(m[1]!)) out.push(m[1]!);
  }
  return out;
}

function anchors(md: string): Set<string> {
  return new Set(md.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
}

/** Every broken link of `file` (a repository path), as "file: target (why)". */
function broken(file: string): string[] {
  const bad: string[] = [];
  for (const target of links(read(file))) {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const to = path === '' ? file : normalize(join(dirname(file), path));
    if (relative(ROOT, join(ROOT, to)).startsWith('..')) bad.push(`${file}: ${target} (outside the repository)`);
    else if (!existsSync(join(ROOT, to))) {
      if (!PENDING.has(to)) bad.push(`${file}: ${target} (no such file)`);
    } else if (anchor !== undefined && to.endsWith('.md') && !anchors(read(to)).has(anchor)) bad.push(`${file}: ${target} (no such heading)`);
  }
  return bad;
}

const SCREEN = /<!-- screen:start -->\n([\s\S]*?)<!-- screen:end -->/;

describe('README', () => {
  it('starts with the two set-up commands, exactly as written', () => {
    expect(read('README.md').split('\n').slice(0, 6)).toEqual([
      '# cockpit',
      '',
      '```sh',
      'npm install && npx cockpit demo     # a whole release against a local demo service (add --scenario bad-release)',
      'npm test                            # build, then every test (needs tmux and prometheus: .ci/run installs them)',
      '```',
    ]);
  });

  it('links only to files and headings that exist (README, docs/behaviour.md, docs/architecture.md)', () => {
    expect([...broken('README.md'), ...broken('docs/behaviour.md'), ...broken('docs/architecture.md')]).toEqual([]);
  });

  it('links to every document of docs/', () => {
    const readme = read('README.md');
    for (const doc of ['docs/keys.md', 'docs/history.md', 'docs/runbook.md', 'docs/events.md', 'docs/cli.md', 'docs/behaviour.md', 'docs/architecture.md', 'bench/RESULTS.md'])
      expect(readme).toContain(`](${doc})`);
  });

  it('shows the screen npm run screenshot took: docs/screen.txt, a real 100×30 demo screen', () => {
    const block = SCREEN.exec(read('README.md'))?.[1];
    const shot = read('docs/screen.txt');
    expect(block).toBe(shot);
    const rows = shot.replace(/^```text\n/, '').replace(/```\n$/, '').split('\n').slice(0, -1);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(Math.max(...rows.map((r) => [...r].length))).toBeLessThanOrEqual(100);
    expect(rows[0]).toMatch(/^ cockpit · demo-web-app 2\.4\.0 → .* R ROLLBACK$/);
    expect(shot).toMatch(/◐ PENDING \d:\d\d of/);
  });
});
