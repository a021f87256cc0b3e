/**
 * Placeholders that reach a shell cockpit does not control (src/runbook/inner-shell.ts): the
 * script of `bash -c`, ssh's remote command, `su -c`, `eval`. cockpit validate warns at each,
 * located, exit 0; the safe forms (argv, a positional argument after the script, "$COCKPIT_X")
 * get no warning.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { innerShellMessage, innerShellUses, innerShellWords, scriptCommands } from '../../src/runbook/inner-shell.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'cockpit.js');

describe('innerShellWords: which argv words an inner shell parses', () => {
  const cases: [string[], number[]][] = [
    [['bash', '-c', 'echo x'], [2]],
    [['/bin/sh', '-ec', 'x', '_', 'y'], [2]],
    [['bash', '-o', 'pipefail', '-c', 'x'], [4]],
    [['bash', '--norc', '-c', 'x'], [3]],
    [['bash', 'script.sh', 'arg'], []],
    [['zsh', '-l'], []],
    [['fish', '--command=echo x'], [1]],
    [['env', '-i', 'A=1', 'sudo', '-u', 'deploy', 'sh', '-c', 'x'], [8]],
    [['docker', 'exec', 'web', 'bash', '-lc', 'x'], [5]],
    [['ssh', 'host', 'deploy', 'v1'], [2, 3]],
    [['ssh', '-p', '22', '-i', 'key', '-tt', 'user@host', 'cmd'], [7]],
    [['ssh', '-p22', 'host'], []],
    [['rsync', '-e', 'ssh', 'build/', 'host:/srv/'], []],
    [['su', 'deploy', '-c', 'x'], [3]],
    [['su', '--command=x', 'deploy'], [1]],
    [['eval', 'echo', 'x'], [1, 2]],
    [['./deploy.sh', 'bash', 'v1'], []],
  ];
  for (const [argv, words] of cases)
    it(argv.join(' '), () => {
      expect(innerShellWords(argv).map((w) => w.index)).toEqual(words);
    });
});

describe('scriptCommands: a shell script split into simple commands', () => {
  it('splits at ; && | newlines and $( ), removes quotes, skips comments', () => {
    expect(scriptCommands(`cd /srv && ssh host "deploy {version}" | tee log # note\nx=$(bash -c 'a b'); echo "it's"`)).toEqual([
      ['cd', '/srv'],
      ['ssh', 'host', 'deploy {version}'],
      ['tee', 'log'],
      ['x='],
      ['bash', '-c', 'a b'],
      ['echo', "it's"],
    ]);
  });
});

describe('innerShellUses', () => {
  const warn = (run: string | string[]) => innerShellUses(run).map((u) => [u.via, ...u.names]);
  it('finds a placeholder in a -c script, an ssh command, su -c and eval', () => {
    expect(warn(['bash', '-c', 'echo {version}'])).toEqual([['bash -c', 'version']]);
    expect(warn('bash -c "deploy {version} {reason}"')).toEqual([['bash -c', 'version', 'reason']]);
    expect(warn('ssh host ./deploy.sh {version}')).toEqual([['ssh', 'version']]);
    expect(warn('ssh host "cd /srv && ./deploy.sh {version}" | tee log')).toEqual([['ssh', 'version']]);
    expect(warn(['su', 'deploy', '-c', './deploy {git.sha}'])).toEqual([['su -c', 'git.sha']]);
    expect(warn('echo {version} && eval "echo {version}"')).toEqual([['eval', 'version']]);
  });
  it('says nothing of the safe forms', () => {
    expect(warn(['./deploy.sh', '{version}'])).toEqual([]);
    expect(warn(['bash', '-c', 'deploy "$1"', '_', '{version}'])).toEqual([]);
    expect(warn(['bash', '-c', 'deploy "$COCKPIT_VERSION"'])).toEqual([]);
    expect(warn('./deploy.sh {version} && ./notify.sh {reason}')).toEqual([]);
    expect(warn(['bash', '-c', 'echo {unknown}'])).toEqual([]);
    expect(warn('rsync -e ssh build/ host:/srv/{version}')).toEqual([]);
  });
});

describe("an interpreter's code on its command line: python -c, node -e, perl -e, ruby -e", () => {
  const warn = (run: string | string[]) => innerShellUses(run).map((u) => [u.via, u.shellCall ?? '', ...u.names]);
  it('a placeholder in code that calls a shell: the shell call named (os.system, shell=True, os.popen, execSync, system)', () => {
    expect(warn(['python3', '-c', "import os; os.system('./deploy.sh {version}')"])).toEqual([['python3 -c', 'os.system', 'version']]);
    expect(warn(`python3 -c "import os; os.system('./deploy.sh {version}')"`)).toEqual([['python3 -c', 'os.system', 'version']]);
    expect(warn(['python', '-c', "import subprocess; subprocess.call('deploy {version}', shell=True)"])).toEqual([['python -c', 'subprocess.call(…, shell=True)', 'version']]);
    expect(warn(['python3.12', '-Ic', "import os; print(os.popen('git tag {version}').read())"])).toEqual([['python3.12 -Ic', 'os.popen', 'version']]);
    expect(warn(['node', '-e', "require('child_process').execSync('deploy {version}')"])).toEqual([['node -e', 'execSync', 'version']]);
    expect(warn(['node', '--eval=require("child_process").execSync("deploy {version}")'])).toEqual([['node --eval', 'execSync', 'version']]);
    expect(warn(['perl', '-e', 'system("deploy {version}")'])).toEqual([['perl -e', 'system', 'version']]);
    expect(warn(['ruby', '-e', 'system("deploy {version} {reason}")'])).toEqual([['ruby -e', 'system', 'version', 'reason']]);
    expect(warn('env -i sudo -u deploy python3 -c "import os; os.system(\'x {git.sha}\')"')).toEqual([['python3 -c', 'os.system', 'git.sha']]);
  });
  it('a placeholder anywhere in the code: the language parses it', () => {
    expect(warn(['python3', '-c', "print('{version}')"])).toEqual([['python3 -c', '', 'version']]);
    expect(warn(['perl', '-lne', 'print if /{version}/', 'CHANGELOG'])).toEqual([['perl -lne', '', 'version']]);
  });
  it('says nothing of a script file, its arguments, or the value in the environment', () => {
    expect(warn(['python3', 'deploy.py', '{version}'])).toEqual([]);
    expect(warn(['python3', '-c', 'import os, sys; os.system(sys.argv[1])', '{version}'])).toEqual([]);
    expect(warn(['python3', '-m', 'deploy', '{version}'])).toEqual([]);
    expect(warn(['python3', '-c', 'import os; os.execvp("deploy", ["deploy", os.environ["COCKPIT_VERSION"]])'])).toEqual([]);
    expect(warn(['node', 'deploy.js', '-e', '{version}'])).toEqual([]);
    expect(warn(['node', '-r', 'dotenv/config', 'deploy.js', '{version}'])).toEqual([]);
    expect(warn(['./deploy.sh', '--python', 'python3', '{version}'])).toEqual([]);
  });
  it('the message says what parses it and what to write instead, in that language', () => {
    const [sys] = innerShellUses(['python3', '-c', "import os; os.system('./deploy.sh {version}')"]);
    expect(innerShellMessage(sys)).toBe(
      '{version} is inside what "python3 -c" hands to a shell (os.system): the shell parses its value as code (a quote, ";" or "$(" in it would run); read os.environ["COCKPIT_VERSION"] there instead (cockpit sets it in the step\'s environment), and run the command as a list of arguments, without a shell',
    );
    const [code] = innerShellUses(['node', '-e', 'console.log("{version}")']);
    expect(innerShellMessage(code)).toBe(
      '{version} is inside the code "node -e" runs: Node parses its value as code (a quote in it would end the string and run the rest); read process.env.COCKPIT_VERSION there instead (cockpit sets it in the step\'s environment)',
    );
  });
});

describe('cockpit validate warns, located, and exits 0', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cockpit.js'))) throw new Error('dist/cockpit.js is missing: run "node scripts/build.mjs" first');
    dir = mkdtempSync(join(tmpdir(), 'cockpit-inner-shell-'));
    // validate checks that every rollback command exists: the runbooks' incident script, and a
    // `docker` of the test's own on PATH (the warnings, not docker, are what is tested)
    for (const f of ['incident.sh', 'bin/docker']) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, f), 0o755);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function validate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, 'validate', file], { cwd: dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, COCKPIT_DEBUG: '', NO_COLOR: '1' } });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  it('a YAML runbook: one warning per command that hands a placeholder to a shell, at the argv element', async () => {
    writeFileSync(
      join(dir, 'cockpit.yml'),
      [
        'name: web-app',
        'stages:',
        '  - id: staging',
        '    steps:',
        '      - run: [bash, -c, "echo {version}"]',
        '      - run: [bash, -c, \'deploy "$1"\', _, "{version}"]',
        '      - ./deploy.sh {version}',
        '      - ssh -p 22 deploy@host ./deploy.sh {version}',
        'rollback:',
        '  steps:',
        '    - [docker, exec, web, sh, -c, "rollback {reason}"]',
        '  incident: [./incident.sh, "{reason}"]',
        '',
      ].join('\n'),
    );
    const r = await validate('cockpit.yml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'ok: web-app: 0 checks (0 automated, 0 manual), 1 stage, 4 steps, 2 rollback steps, 0 triggers, 0 metrics, 0 probes, 0 escalation levels, 0 flags, 0 experiments, 0 troubleshooting entries, 0 secrets',
      'cockpit.yml:5:25: warning: {version} is inside what "bash -c" runs: that shell parses its value as code (a quote, ";" or "$(" in it would run); write "$COCKPIT_VERSION" there instead (cockpit sets it in the step\'s environment)',
      'cockpit.yml:8:9: warning: {version} goes into the command ssh hands to the remote shell, which parses its value as code (a quote, ";" or "$(" in it would run there): quote it for that shell first, e.g. from a script: ssh host "deploy $(printf %q "$COCKPIT_VERSION")"',
      // no rollback triggers: validate says so too (issue 18)
      'cockpit.yml:9:1: warning: AUTO-ROLLBACK OFF: the runbook has no rollback triggers: no stage rolls back on its own (R or cockpit rollback only)',
      'cockpit.yml:11:35: warning: {reason} is inside what "sh -c" runs: that shell parses its value as code (a quote, ";" or "$(" in it would run); write "$COCKPIT_REASON" there instead (cockpit sets it in the step\'s environment)',
    ]);
  });

  it('python -c with os.system in a YAML runbook: warned at its argv element (in-process)', async () => {
    writeFileSync(join(dir, 'py.yml'), ['name: py', 'stages:', '  - id: prod', '    steps:', `      - run: [python3, -c, "import os; os.system('./deploy.sh {version}')"]`, 'rollback:', '  steps:', '    - [./incident.sh]', ''].join('\n'));
    const out: string[] = [];
    const { main } = await import('../../src/cli/main.js');
    const code = await main(['validate', join(dir, 'py.yml')], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(
      'py.yml:5:28: warning: {version} is inside what "python3 -c" hands to a shell (os.system): the shell parses its value as code',
    );
  });

  it('a Markdown runbook: the warning points into the .md', async () => {
    writeFileSync(join(dir, 'release.md'), ['# Release', '', '## Release Process', '', '### Production', '', '```bash', 'ssh prod "deploy {version}"', '```', ''].join('\n'));
    const r = await validate('release.md');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '\nrelease.md:8:1: warning: {version} goes into the command ssh hands to the remote shell, which parses its value as code (a quote, ";" or "$(" in it would run there): quote it for that shell first, e.g. from a script: ssh host "deploy $(printf %q "$COCKPIT_VERSION")"\n',
    );
  });
});
