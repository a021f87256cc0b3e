/**
 * A multi-command shell step runs as one wrapped script in one bash (src/exec/block-script.ts):
 * what the author wrote carries from command to command, each start lands in the progress file,
 * a failing command stops the block with its status; then the same through the real runner and
 * a Controller (the journal's step.command events, the state).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockInvocation, parseProgress, PROGRESS_ENV, ProgressReader, wrapBlock } from '../../src/exec/block-script.js';
import { ProcessRunner } from '../../src/exec/runner.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { blockOf } from '../../src/runbook/normalize.js';
import { splitCommands } from '../../src/runbook/shell-lexer.js';
import type { CommandStep } from '../../src/runbook/types.js';
import { Controller } from '../../src/session/controller.js';
import { FileJournal, readJournal } from '../../src/session/journal.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-block-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs a script's commands wrapped, in bash: its status, output and the indices its progress file recorded. */
function runWrapped(script: string): { status: number | null; out: string; started: number[] } {
  const dir = tmp();
  const progress = join(dir, 'p.progress');
  const commands = splitCommands(script).commands.map((c) => c.text);
  const r = spawnSync('bash', ['-c', wrapBlock(commands)], { cwd: dir, env: { ...process.env, [PROGRESS_ENV]: progress }, encoding: 'utf8' });
  let text = '';
  try {
    text = readFileSync(progress, 'utf8');
  } catch {
    /* nothing started */
  }
  return { status: r.status, out: r.stdout + r.stderr, started: parseProgress(text, commands.length).map((c) => c.index) };
}

describe('wrapBlock: one script, one shell, progress beside it', () => {
  it('variables carry from command to command', () => {
    const r = runWrapped('PREV=$(echo v1.2.2)\necho "rolling back to $PREV"');
    expect(r).toEqual({ status: 0, out: 'rolling back to v1.2.2\n', started: [0, 1] });
  });

  it('cd carries', () => {
    const r = runWrapped('mkdir -p sub/dir\ncd sub/dir\nbasename "$PWD"');
    expect(r.out).toBe('dir\n');
  });

  it('a function defined, then called', () => {
    const r = runWrapped('greet() {\n  echo "hello $1"\n}\ngreet release');
    expect(r).toEqual({ status: 0, out: 'hello release\n', started: [0, 1] });
  });

  it('a heredoc runs as written', () => {
    const r = runWrapped('NAME=web\ncat <<EOF\nname: $NAME\nEOF\necho after');
    expect(r).toEqual({ status: 0, out: 'name: web\nafter\n', started: [0, 1, 2] });
  });

  it('a failing middle command stops the block with its exit status; later commands do not run', () => {
    const r = runWrapped('echo one\n(exit 2)\necho three');
    expect(r).toEqual({ status: 2, out: 'one\n', started: [0, 1] });
  });

  it("the author's set -e still stops at the failing command", () => {
    const r = runWrapped('set -e\nf() { false; echo not-here; }\nf\necho never');
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.started).toEqual([0, 1, 2]);
  });

  it('exit 3 in the middle ends the block with 3', () => {
    const r = runWrapped('echo a\nexit 3\necho b');
    expect(r).toEqual({ status: 3, out: 'a\n', started: [0, 1] });
  });

  it("a pipeline's PIPESTATUS reaches the next line", () => {
    const r = runWrapped('(exit 4) | cat\necho "${PIPESTATUS[0]} ${PIPESTATUS[1]}"');
    expect(r.out).toBe('4 0\n');
  });

  it("$? after a command that passed is 0, as the author's script would see it", () => {
    expect(runWrapped('true\necho "status $?"').out).toBe('status 0\n');
  });

  it('set -u in the block does not trip the wrapper', () => {
    expect(runWrapped('set -u\necho ok').status).toBe(0);
  });
});

describe('parseProgress: strict, forward only', () => {
  it('takes i<TAB>epoch_ms lines of the block, ignores garbage and lines going backwards', () => {
    const text = '0\t1764331200000\nhello\n2\t1764331200500\n1\t1764331200400\n9\t1764331200600\n3\tsoon\n3\t1764331200700\n';
    expect(parseProgress(text, 4)).toEqual([
      { index: 0, startedAt: 1764331200000 },
      { index: 2, startedAt: 1764331200500 },
      { index: 3, startedAt: 1764331200700 },
    ]);
  });
  it('a reader hands out only starts it has not handed out yet', () => {
    const path = join(tmp(), 'x.progress');
    const r = new ProgressReader(path, 3);
    expect(r.read()).toEqual([]);
    writeFileSync(path, '0\t1764331200000\n');
    expect(r.read().map((c) => c.index)).toEqual([0]);
    writeFileSync(path, '0\t1764331200000\n1\t1764331200001\n');
    expect(r.read().map((c) => c.index)).toEqual([1]);
  });
});

describe('blockInvocation', () => {
  const step = (script: string): CommandStep => ({ kind: 'command', id: 's', title: 's', command: { kind: 'shell', script }, display: script, retries: 0, block: blockOf({ kind: 'shell', script }) });

  it('wraps a block, placeholders as variable references only', () => {
    const { invocation, tracked } = blockInvocation(step('echo {version}\necho done'), { version: '1; rm -rf /' });
    expect(tracked).toBe(true);
    expect(invocation.args[1]).toContain('echo "${COCKPIT_VERSION}"');
    expect(invocation.args[1]).not.toContain('rm -rf');
    expect(invocation.env.COCKPIT_VERSION).toBe('1; rm -rf /');
  });

  it('runs the original unwrapped when the wrapped script would not parse', () => {
    // commands split where bash would not split them (a lexer's mistake): a check line lands among case patterns
    const script = 'case x in\n  x) echo b ;; esac';
    const s = { ...step(script), block: { commands: [{ text: 'case x in', line: 1 }, { text: 'x) echo b ;; esac', line: 2 }] } };
    const { invocation, tracked } = blockInvocation(s, {});
    expect(tracked).toBe(false);
    expect(invocation.args).toEqual(['-c', script]);
  });
});

describe('a block step through the real runner and a Controller', () => {
  it('runs as one script; the journal records each command start and the state the failing one', async () => {
    const dir = tmp();
    const sessionDir = tmp();
    const yaml = [
      'name: block',
      'version: "1.0.0"',
      'environment: staging',
      'stages:',
      '  - id: deploy',
      '    title: Deploy',
      '    steps:',
      '      - id: release',
      '        run: |',
      '          # Find the previous version',
      '          PREV=$(echo v1)',
      '          # Record it',
      '          echo "prev=$PREV" > prev.txt',
      '          grep -q v2 prev.txt',
      '          echo never > never.txt',
    ].join('\n');
    const loaded = parseRunbook(yaml, join(dir, 'cockpit.yml'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect((loaded.runbook.stages[0].steps[0] as CommandStep).block?.commands.map((c) => [c.line, c.title])).toEqual([
      [2, 'Find the previous version'],
      [4, 'Record it'],
      [5, undefined],
      [6, undefined],
    ]);
    const journalPath = join(sessionDir, 'journal.jsonl');
    const journal = new FileJournal(journalPath);
    const c = new Controller({ runbook: loaded.runbook, runner: new ProcessRunner(), journal, sessionId: 'block-test', sessionDir, values: {}, mode: 'headless', autoAdvance: true, onFailure: 'wait' });
    try {
      await c.start();
      await c.idle();
    } finally {
      journal.close();
    }
    expect(readFileSync(join(dir, 'prev.txt'), 'utf8')).toBe('prev=v1\n');
    expect(() => readFileSync(join(dir, 'never.txt'))).toThrow();
    const events = readJournal(journalPath);
    expect(events.find((e) => e.type === 'step.started')).toMatchObject({ step: 'release', commands: 4 });
    expect(events.filter((e) => e.type === 'step.command').map((e) => e.type === 'step.command' && e.index)).toEqual([0, 1, 2]);
    expect(events.find((e) => e.type === 'step.finished')).toMatchObject({ ok: false, exitCode: 1 });
    const st = c.state.stages[0].steps[0];
    expect(st.status).toBe('failed');
    expect(st.commandStarts).toHaveLength(3);
  });
});
