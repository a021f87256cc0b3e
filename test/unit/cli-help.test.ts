/**
 * The command line's help, in-process through main(argv, io) (issue 20): every command of the
 * table answers `--help`, `-h` and `cockpit help <command>` with its own usage, options and
 * examples (exit 0); what a command's help lists is what its parser accepts (both from its
 * table entry: an unknown option is refused by the command's own parser with its table usage,
 * every listed option is accepted by it); the general help lists every command; `cockpit` with
 * no runbook here names `cockpit demo` and `cockpit init`; docs/cli.md is the table, current.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asksHelp, parse, usageOf, type OptionSpec } from '../../src/cli/args.js';
import { COMMAND_LIST, COMMANDS, type CommandSpec } from '../../src/cli/commands.js';
import { cliMarkdown, generalHelp } from '../../src/cli/help.js';
import { main } from '../../src/cli/main.js';

async function cockpit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')) });
  return { code, out, err };
}

const optionsOf = (c: CommandSpec) => Object.entries(c.options as Readonly<Record<string, OptionSpec>>);

let dir: string;
const cwd = process.cwd();
const saved = { ...process.env };
beforeEach(() => {
  // an empty directory with no runbook: a command that ran instead of printing its help would say so (exit 2)
  dir = mkdtempSync(join(tmpdir(), 'cockpit-help-'));
  process.chdir(dir);
  process.env.COCKPIT_STATE_DIR = join(dir, 'state');
  process.env.COCKPIT_CONFIG_DIR = join(dir, 'config');
  process.env.COCKPIT_CACHE_DIR = join(dir, 'cache');
});
afterEach(() => {
  process.chdir(cwd);
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

describe('cockpit <command> --help', () => {
  it('the table has every command main dispatches', () => {
    expect(COMMAND_LIST.map((c) => c.name)).toEqual(['demo', 'run', 'watch', 'rollback', 'history', 'validate', 'import', 'init', 'schema', 'flag', 'experiment', 'wallboard', 'hold', 'unhold', 'keys', 'config', 'help']);
  });

  for (const c of COMMAND_LIST) {
    it(`${c.name}: --help, -h and "help ${c.name}" print its usage, every option and its examples, exit 0`, async () => {
      const r = await cockpit(c.name, '--help');
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out.slice(0, r.out.indexOf('')).join(' ')).toBe(`cockpit ${c.name}: ${c.summary}`);
      expect(r.out.filter((l) => l.length > 100)).toEqual([]);
      expect(r.out.join('\n')).toContain(usageOf(c));
      const from = r.out.indexOf('options:') + 1;
      const options = r.out.slice(from, r.out.indexOf('', from) === -1 ? undefined : r.out.indexOf('', from));
      // every option its parser accepts but an internal one, each with its description, and --help
      const listed = options.join('\n');
      for (const [long, o] of optionsOf(c)) {
        if (o.internal) expect(listed).not.toContain(`--${long}`);
        else {
          expect(listed).toContain(`--${long}${o.type === 'string' ? ` ${o.value}` : ''}`);
          expect(listed.replace(/\n\s+/g, ' ')).toContain(o.description);
          if (o.short) expect(listed).toContain(`-${o.short}, --${long}`);
        }
      }
      expect(listed).toContain('-h, --help');
      // no option listed that the table does not give (the parser accepts exactly the table's)
      const named = [...listed.matchAll(/(?:^|[ ,])--([a-z-]+)/gm)].map((m) => m[1]);
      expect(new Set(named)).toEqual(new Set([...optionsOf(c).filter(([, o]) => !o.internal).map(([l]) => l), 'help']));
      for (const [cmd] of c.examples) expect(r.out).toContain(`  ${cmd}`);
      expect(await cockpit(c.name, '-h')).toEqual(r);
      expect(await cockpit('help', c.name)).toEqual(r);
      expect(await cockpit('--help', c.name)).toEqual(r);
    });
  }

  it('help demo is the demo\'s help, not the general one: exact text', async () => {
    const r = await cockpit('help', 'demo');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'cockpit demo: a whole release against a local demo service, nothing to configure',
      '',
      'usage: cockpit demo [--scenario <name>] [--speed <N>] [--dir <path>] [--headless] [--json]',
      '                    [--prometheus <url>] [--port <N>] [--theme <name>] [--learning "<text>"]',
        '                    [--share [host:port]]',
      '',
      'options:',
      '      --scenario <name>    what happens: good, bad-release, slow-leak, flag-regression, flaky-tests,',
      '                           blind (default: good)',
      '      --speed <N>          time runs N times faster than the runbook says, 1 to 600 (default: 20)',
      '      --dir <path>         write the demo workspace (runbook, scripts) here (default: a new',
      '                           temporary directory)',
      '      --headless           no screen, even on a terminal',
      '      --json               headless, one JSON event a line on stdout',
      '      --prometheus <url>   read the metrics from this Prometheus, which scrapes the demo service',
      '      --port <N>           the demo service listens on this port (default: any free one)',
      '      --theme <name>       colour theme: default, light, high-contrast, monochrome, or a theme .json',
      '                           (default: the saved preference)',
      '      --learning "<text>"  a learning recorded with the release',
        '      --share [host:port]  serve the session read-only to followers elsewhere (cockpit watch URL,',
        '                           cockpit wallboard URL): 127.0.0.1 and a free port unless given; the URL,',
        '                           with its token, is printed',
      '  -h, --help               this help',
      '',
      'examples:',
      '  # a clean release, on the screen',
      '  cockpit demo',
      '  # the error rate climbs after the switch and the guardrail rolls it back',
      '  cockpit demo --scenario bad-release',
      '  # the same without a screen',
      '  cockpit demo --headless --scenario flaky-tests',
    ]);
  });

  it('a runbook path then --help is run\'s help; --help after other options too; not after -- or as an option\'s value', async () => {
    const run = await cockpit('run', '--help');
    expect(await cockpit('release.yml', '--help')).toEqual(run);
    expect(await cockpit('--dry-run', '-h')).toEqual(run);
    expect(await cockpit('history', '--since', '30d', '--help')).toEqual(await cockpit('history', '--help'));
    expect(asksHelp(['--learning', '-h'], COMMANDS.run.options)).toBe(false);
    expect(asksHelp(['--', '--help'], COMMANDS.run.options)).toBe(false);
    expect(asksHelp(['-f', '-h'], COMMANDS.flag.options)).toBe(false);
    expect(asksHelp(['new-checkout', '--json', '-h'], COMMANDS.flag.options)).toBe(true);
  });
});

describe('cockpit --help, cockpit help', () => {
  it('lists every command with its summary, says how to get a command\'s help and names the demo, exit 0', async () => {
    const r = await cockpit('--help');
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toBe(generalHelp());
    // a summary too long for its line goes on under itself (14 columns in)
    const lines = r.out.join('\n').replace(/\n {14}(?=\S)/g, ' ').split('\n');
    for (const c of COMMAND_LIST) expect(lines).toContain(`  ${c.name.padEnd(10)}  ${c.summary}`);
    expect(r.out.every((l) => l.length <= 100)).toBe(true);
    expect(r.out).toContain("       cockpit <command> --help       the command's options and examples");
    expect(r.out.join('\n')).toContain('cockpit demo runs a whole release against a local demo service');
    expect(await cockpit('help')).toEqual(r);
    expect(await cockpit('-h')).toEqual(r);
  });

  it('help of an unknown command: exit 2, the command it may have meant', async () => {
    expect(await cockpit('help', 'hisotry')).toEqual({ code: 2, out: [], err: ['cockpit: unknown command "hisotry" (did you mean history?)'] });
    expect(await cockpit('hisotry')).toEqual({ code: 2, out: [], err: ['cockpit: unknown command "hisotry" (did you mean history?)'] });
    const far = await cockpit('help', 'frobnicate');
    expect(far.code).toBe(2);
    expect(far.err).toEqual([`cockpit: unknown command "frobnicate" (commands: ${COMMAND_LIST.map((c) => c.name).join(', ')})`]);
    expect((await cockpit('help', 'run', 'demo')).code).toBe(2);
  });
});

describe('options: what the help lists is what the parser accepts', () => {
  for (const c of COMMAND_LIST) {
    it(`${c.name}: an unknown option is refused by its own parser, exit 2, with its usage and where to look`, async () => {
      const args = c.name === 'config' ? ['list'] : [];
      const r = await cockpit(c.name, ...args, '--no-such-option');
      expect(r.out).toEqual([]);
      expect(r.code).toBe(2);
      expect(r.err).toEqual([`cockpit: unknown option '--no-such-option'`, ...usageOf(c).split('\n'), `(cockpit ${c.name} --help says what each option does)`]);
    });

    it(`${c.name}: its parser accepts every option its help lists (and the internal ones), each as the table types it`, () => {
      for (const [long, o] of optionsOf(c)) {
        const argv = o.type === 'string' ? [`--${long}`, 'x'] : [`--${long}`];
        const { values } = parse(argv, c) as { values: Record<string, unknown> };
        expect(values[long]).toEqual(o.type === 'string' ? (o.multiple ? ['x'] : 'x') : o.multiple ? [true] : true);
        if (o.short) expect((parse(o.type === 'string' ? [`-${o.short}`, 'x'] : [`-${o.short}`], c) as { values: Record<string, unknown> }).values[long]).toBeDefined();
      }
    });
  }
});

describe('no runbook here', () => {
  it('cockpit with no runbook in the directory names cockpit demo and cockpit init, exit 2', async () => {
    const r = await cockpit();
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      `cockpit: no runbook here: looked for cockpit.yml, cockpit.yaml, cockpit.json in ${process.cwd()} (give a path; "cockpit init" starts one here; "cockpit demo" runs a whole release against a demo service, nothing to set up)`,
    ]);
    expect(await cockpit('run')).toEqual(r);
  });
});

describe('docs/cli.md', () => {
  it('is generated from the command table and current', () => {
    const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    expect(doc.trimEnd(), 'docs/cli.md is stale: run `node bin/cockpit.js help --markdown > docs/cli.md`').toBe(cliMarkdown().trimEnd());
    for (const c of COMMAND_LIST) expect(doc).toContain(`## cockpit ${c.name}\n`);
  });
});
