/**
 * cockpit init writes a schema modeline that points at a schema file that exists (relative to the
 * runbook, as the YAML language server resolves it) and ignores `.cockpit/` in .gitignore once; the
 * demo workspace's modeline points at a schema that exists too.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initCommand, STARTER } from '../../src/cli/init.js';
import { ignoresCockpit } from '../../src/cli/init-files.js';
import type { Io } from '../../src/cli/io.js';
import { writeWorkspace } from '../../src/demo/workspace.js';
import { parseRunbook } from '../../src/runbook/load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCHEMA = join(ROOT, 'schema', 'cockpit.schema.json');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-init-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const capture = () => {
  const out: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) } satisfies Io, out };
};

/** The schema file the first line of `file` points at, resolved as the YAML language server does (relative to the file). */
function modelineTarget(file: string): { written: string; resolved: string } {
  const first = readFileSync(file, 'utf8').split('\n')[0];
  const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
  if (!m) throw new Error(`no modeline on the first line: ${first}`);
  return { written: m[1], resolved: resolve(dirname(file), m[1]) };
}

describe('cockpit init', () => {
  it('writes the modeline to the running cockpit schema, then the starter; appends .cockpit/ to .gitignore once', async () => {
    writeFileSync(join(dir, '.gitignore'), 'node_modules'); // no newline at the end
    const first = capture();
    expect(await initCommand(['--yes', '--starter'], first.io, { cwd: dir })).toBe(0);
    const file = join(dir, 'cockpit.yml');
    const { resolved } = modelineTarget(file);
    expect(resolved).toBe(SCHEMA);
    expect(JSON.parse(readFileSync(resolved, 'utf8'))).toMatchObject({ title: 'cockpit runbook' });
    expect(readFileSync(file, 'utf8').split('\n').slice(1).join('\n')).toBe(STARTER);
    expect(parseRunbook(readFileSync(file, 'utf8'), file).ok).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.cockpit/\n');
    expect(first.out).toContain("added .cockpit/ to .gitignore (the run's journal, lock and history stay out of git)");

    // again: the runbook exists, nothing changes
    const again = capture();
    expect(await initCommand(['--yes', '--starter'], again.io, { cwd: dir })).toBe(0);
    expect(again.out).toEqual(['cockpit.yml already exists here: nothing written (cockpit validate checks it, cockpit run runs it)']);
    // and after the runbook is removed: written again, .cockpit/ not added twice
    rmSync(file);
    const third = capture();
    expect(await initCommand(['--yes', '--starter'], third.io, { cwd: dir })).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.cockpit/\n');
    expect(third.out.some((l) => l.includes('.gitignore'))).toBe(false);
    expect(readFileSync(file, 'utf8').match(/yaml-language-server/g)).toHaveLength(1);
  });

  it('creates .gitignore when there is none', async () => {
    const o = capture();
    expect(await initCommand(['--yes', '--starter'], o.io, { cwd: dir })).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.cockpit/\n');
    expect(o.out).toContain("wrote .gitignore with .cockpit/ (the run's journal, lock and history stay out of git)");
  });

  it('prefers the schema of release-cockpit installed in the project (the same path in every clone)', async () => {
    const installed = join(dir, 'node_modules', 'release-cockpit', 'schema');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, 'cockpit.schema.json'), readFileSync(SCHEMA));
    expect(await initCommand(['--yes', '--starter'], capture().io, { cwd: dir })).toBe(0);
    const { written, resolved } = modelineTarget(join(dir, 'cockpit.yml'));
    expect(written).toBe('./node_modules/release-cockpit/schema/cockpit.schema.json');
    expect(existsSync(resolved)).toBe(true);
  });

  it('knows .cockpit/ already ignored in any of its spellings', () => {
    for (const line of ['.cockpit/', '.cockpit', '/.cockpit/', '/.cockpit', '  .cockpit/  ']) expect(ignoresCockpit(`dist\n${line}\n`)).toBe(true);
    for (const text of ['', '.cockpit.yml\n', '# .cockpit/\n', 'x/.cockpit/\n']) expect(ignoresCockpit(text)).toBe(false);
  });
});

describe('the demo workspace', () => {
  it("its runbook's modeline points at the schema file that exists", () => {
    const file = writeWorkspace(dir, { serviceUrl: 'http://127.0.0.1:1', speed: 20 });
    const { resolved } = modelineTarget(file);
    expect(resolved).toBe(SCHEMA);
    expect(existsSync(resolved)).toBe(true);
  });
});
