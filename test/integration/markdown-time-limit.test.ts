/**
 * The Markdown parser's time limit (src/runbook/markdown-parse.ts): micromark takes time that grows
 * with the square of some texts (200 KB of "*a*a…", under the 2 MiB cap, took minutes), and cannot
 * be stopped from inside; a large text is parsed in a worker thread that is ended at the limit. The
 * runbook then fails, located (file:line:col of the paragraph that slowed it) with exit 2, never a
 * hang. In-process through main(argv, io); the worker is the built dist/markdown-worker.js.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { limitMs, parseTree, slowSpot } from '../../src/runbook/markdown-parse.js';
import { parseTreeHere } from '../../src/runbook/markdown-micromark.js';

let dir: string;
beforeAll(() => {
  if (!existsSync(join(__dirname, '../../dist/markdown-worker.js'))) throw new Error('dist/markdown-worker.js is missing: run "npm run build" first');
  dir = mkdtempSync(join(tmpdir(), 'cockpit-md-limit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(file: string) {
  const out: string[] = [];
  const code = await main(['validate', file], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, out: out.join('\n') };
}

const HEAD = ['# Release', '', '## Release Process', '', '### Production', '', '```bash', './deploy.sh', '```', '', 'Some notes:', ''].join('\n');

describe('a time limit on Markdown parsing', () => {
  it('200 KB of "*a*a…": a located error and exit 2, well within the limit (was minutes)', async () => {
    const file = join(dir, 'stars.md');
    writeFileSync(file, `${HEAD}${'*a'.repeat(100_000)}\n`);
    // the CLI's modules loaded first (a cold in-process import takes seconds on a loaded machine)
    const small = join(dir, 'small.md');
    writeFileSync(small, `${HEAD}*a*\n`);
    await validate(small);
    const limit = limitMs(200_000 + HEAD.length, {});
    expect(limit).toBe(7000);
    const t0 = Date.now();
    const r = await validate(file);
    const took = Date.now() - t0;
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(
      `${file}:12:1: the Markdown parser did not finish within 7 s (its limit), slowed by the paragraph here: 100000 emphasis, link, code or table markers (* _ ~ [ \` < | …) in one paragraph; split it up or put it in a code block`,
    );
    expect(r.out).not.toMatch(/\n\s+at /);
    expect(took).toBeLessThan(limit + 3000);
  }, 30_000);

  it('the limit is the environment\'s when set (COCKPIT_MARKDOWN_PARSE_MS): 100 KB of "~a~a" stops at 0.3 s + 1 s for its 100 KB', () => {
    const text = `${HEAD}intro\n\n${'~a'.repeat(50_000)}\n`;
    const t0 = Date.now();
    expect(() => parseTree(text, { COCKPIT_MARKDOWN_PARSE_MS: '300' })).toThrow(/did not finish within 1\.3 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a large ordinary runbook parses through the worker to the same tree as here', async () => {
    const section = (i: number) => `### Step ${i}\n\nRun the *deploy* for [region ${i}](https://example.com/${i}) with \`--fast\`:\n\n\`\`\`bash\n./deploy.sh ${i}\n\`\`\`\n\n| a | b |\n|---|---|\n| ${i} | **x** |\n\n`;
    const text = `# Release\n\n## Release Process\n\n${Array.from({ length: 100 }, (_, i) => section(i)).join('')}`;
    expect(text.length).toBeGreaterThan(12_000);
    expect(parseTree(text)).toEqual(parseTreeHere(text));
    const file = join(dir, 'big.md');
    writeFileSync(file, text);
    const r = await validate(file);
    expect(r.out).not.toContain('did not finish');
  });

  it('slowSpot: the paragraph with the most markers, at its first one; code fences do not count', () => {
    expect(slowSpot('# T\n\nplain text\n\nsome *a* and *b*\nmore `c`\n\n```\n*****************\n```\n')).toEqual({ line: 5, col: 6, markers: 6 });
  });
});
