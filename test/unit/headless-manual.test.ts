/**
 * `cockpit run --headless` with manual steps, in-process through main(argv, io): a checklist
 * release (no commands) is ticked by --confirm or --yes, fails at a step nobody confirmed (exit 1,
 * the step and the flag named, never a hang), and --dry-run lists its manual steps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const CHECKLIST = `
name: checklist-release
version: "1.0.0"
preflight:
  - { title: Change approved, manual: The change ticket is approved }
stages:
  - id: release
    title: Release
    steps:
      - title: Tag the release
        manual: Tag v1.0.0 in GitHub and attach the notes
      - manual: Publish the release notes
  - id: post-release
    steps:
      - { id: announce, manual: 'Announce in #releases' }
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-manual-'));
  writeFileSync(join(dir, 'cockpit.yml'), CHECKLIST);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['run', join(dir, 'cockpit.yml'), '--headless', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  // plain lines start with a time stamp: drop it
  return { code, out: out.join('\n').replace(/^\d\d:\d\d:\d\d /gm, ''), err: err.join('\n') };
}

describe('cockpit run --headless with manual steps', () => {
  it('--confirm by title or id ticks each step: released, exit 0', async () => {
    const r = await run(['--confirm', 'change approved', '--confirm', 'Tag the release', '--confirm', 'publish the release notes', '--confirm', 'ANNOUNCE']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  ☐ Tag the release (manual): Tag v1.0.0 in GitHub and attach the notes\n  ✓ Tag the release (confirmed)');
    expect(r.out).toContain('✓ Announce in #releases (confirmed)');
    expect(r.out).toContain('■ RELEASED');
  });

  it('a manual step nobody confirmed fails its stage: exit 1, the step and the flag named', async () => {
    const r = await run(['--confirm', 'Change approved', '--confirm', 'Tag the release']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ Publish the release notes FAILED: not confirmed: a headless run cannot wait for a tick; pass --confirm "Publish the release notes" (or --yes)');
    expect(r.out).toContain('✗ stage release FAILED at Publish the release notes');
    expect(r.out).not.toContain('▶ stage post-release');
    expect(r.out).toContain('■ FAILED');
  });

  it('--yes ticks everything', async () => {
    const r = await run(['--yes']);
    expect(r.code).toBe(0);
  });

  it('a --confirm that names nothing is said (the run goes on and fails where the step is)', async () => {
    const r = await run(['--yes', '--confirm', 'Tag the relaese']);
    expect(r.err).toBe('cockpit: ⚠ --confirm "Tag the relaese" names no manual item or step of checklist-release (manual: "Change approved", "Tag the release", "Publish the release notes", "Announce in #releases")');
    expect(r.code).toBe(0);
  });

  it('cockpit validate counts the manual steps of an all-manual runbook', async () => {
    const out: string[] = [];
    expect(await main(['validate', join(dir, 'cockpit.yml')], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    expect(out.join('\n')).toContain('2 stages, 3 steps (3 manual), 0 rollback steps');
  });

  it('--dry-run lists the manual steps', async () => {
    const r = await run(['--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('stage release: Release\n  tag-the-release: manual: Tag v1.0.0 in GitHub and attach the notes\n  publish-the-release-notes: manual: Publish the release notes');
  });
});
