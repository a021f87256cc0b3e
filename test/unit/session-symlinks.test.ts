/**
 * Symlinks planted in a session directory are never followed (safe-open.ts): a session whose
 * cockpit died is resumed (`cockpit run --headless`, in-process through main) after each of its
 * files was replaced by a symlink to a file elsewhere. The target keeps its content byte for byte,
 * and the cockpit says which file it refused ("refusing to follow a symlink: <path>"), never a stack
 * trace. Real files, real symlinks, the real step supervisor (dist/supervisor.js: npm run build).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const RUNBOOK = `
name: symlink-release
version: "1.0.0"
environment: production
stages:
  - id: deploy
    steps:
      - id: ship
        run: [sh, -c, "echo shipped; echo ran >> ran"]
rollback:
  steps:
    - [sh, -c, "echo rolled back"]
`;
const TARGET = 'the target: nobody may write here\n';
const ID = '20261207-000000-planted';

let root: string;
let dir: string;
let sessionDir: string;
let target: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cockpit-symlinks-'));
  dir = join(root, 'repo');
  mkdirSync(dir);
  writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
  sessionDir = join(dir, '.cockpit', 'sessions', ID);
  mkdirSync(sessionDir, { recursive: true });
  target = join(root, 'elsewhere.txt');
  writeFileSync(target, TARGET);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The journal of a session whose cockpit died right after it started (nothing ran). */
function journalText(torn = false): string {
  const started = { type: 'session.started', sessionId: ID, runbook: 'symlink-release', file: join(dir, 'cockpit.yml'), version: '1.0.0', environment: 'production', mode: 'headless', at: Date.now() - 1000, t: 0 };
  return `${JSON.stringify(started)}\n${torn ? '{"type":"stage.sta' : ''}`;
}

async function run() {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['run', join(dir, 'cockpit.yml'), '--headless'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), all: [...out, ...err].join('\n') };
}

describe('a symlink planted in a session directory is refused by name; its target is untouched', () => {
  it('the journal: neither truncated nor appended to', async () => {
    // the target is a journal this runbook would resume, torn: a followed symlink would be cut and continued
    writeFileSync(target, journalText(true));
    const before = readFileSync(target, 'utf8');
    symlinkSync(target, join(sessionDir, 'journal.jsonl'));
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refusing to follow a symlink: ${join(sessionDir, 'journal.jsonl')}`);
    expect(r.all).not.toMatch(/\n\s+at /);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it("the session's folder itself", async () => {
    const real = join(root, 'real-session');
    mkdirSync(real);
    writeFileSync(join(real, 'journal.jsonl'), journalText(true));
    const before = readFileSync(join(real, 'journal.jsonl'), 'utf8');
    rmSync(sessionDir, { recursive: true });
    symlinkSync(real, sessionDir);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refusing to follow a symlink: ${sessionDir}`);
    expect(readFileSync(join(real, 'journal.jsonl'), 'utf8')).toBe(before);
    expect(readdirSync(real)).toEqual(['journal.jsonl']);
  });

  // each file the step's supervisor and the runner write beside the journal
  for (const name of ['deploy.ship.log', 'deploy.ship.spec.json', 'deploy.ship.status.json', 'deploy.ship.status.json.tmp']) {
    it(`the step's ${name.slice('deploy.ship.'.length)}: the step is not started, the target keeps its content`, async () => {
      writeFileSync(join(sessionDir, 'journal.jsonl'), journalText());
      const link = join(sessionDir, name);
      symlinkSync(target, link);
      const r = await run();
      expect(r.out).toContain('↻ resumed this session');
      expect(r.code).toBe(1);
      expect(r.all).toContain(`refusing to follow a symlink: ${link}`);
      expect(r.all).not.toMatch(/\n\s+at /);
      expect(readFileSync(target, 'utf8')).toBe(TARGET);
      expect(existsSync(join(dir, 'ran'))).toBe(false);
      const journal = readFileSync(join(sessionDir, 'journal.jsonl'), 'utf8');
      expect(journal).toContain(`"reason":"refusing to follow a symlink: ${link}"`);
    });
  }

  it('the lock: refused by name, the target untouched', async () => {
    symlinkSync(target, join(dir, '.cockpit', 'lock'));
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`refusing to follow a symlink: ${join(dir, '.cockpit', 'lock')}`);
    expect(readFileSync(target, 'utf8')).toBe(TARGET);
  });

  it('(control) the same session with real files resumes and runs the step', async () => {
    writeFileSync(join(sessionDir, 'journal.jsonl'), journalText(true));
    const r = await run();
    expect(r.code, r.all).toBe(0);
    expect(r.out).toContain('↻ resumed this session');
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('ran\n');
  });
});
