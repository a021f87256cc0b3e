/**
 * The command table: every `cockpit <command>`, its arguments, options (with what each does) and
 * examples (the handlers that run them: command-handlers.ts). main.ts dispatches from it, each command's parser takes
 * its options from it (args.ts parse), and `cockpit --help`, `cockpit <command> --help`,
 * `cockpit help <command>` and docs/cli.md are generated from it (help.ts): what a command's help
 * lists is what its parser accepts. On the start-up path: data only, handlers loaded on demand.
 */
import { SCENARIOS } from '../demo/scenarios.js';
import type { ParsedCommand } from './args.js';
import type { Io } from './io.js';
import { PREFERENCES } from './prefs.js';

export type Handler = (argv: string[], io: Io) => number | Promise<number>;

export type CommandSpec = ParsedCommand & {
  /** One line: what the command does (the general help's list). */
  readonly summary: string;
  /** More lines for the command's own help, when one is not enough. */
  readonly details?: readonly string[];
  /** Command lines that work as written, each with what it does. */
  readonly examples: readonly (readonly [command: string, what: string])[];
};

const json = { type: 'boolean', description: 'one JSON object a line on stdout, for machines' } as const;
const runbookFile = { type: 'string', short: 'f', value: '<file>', description: 'the runbook (default: cockpit.yml, .yaml or .json here)' } as const;
const share = {
  type: 'string',
  value: '[host:port]',
  description: 'serve the session read-only to followers elsewhere (cockpit watch URL, cockpit wallboard URL): 127.0.0.1 and a free port unless given; the URL, with its token, is printed',
} as const;
const theme = { type: 'string', value: '<name>', description: 'colour theme: default, light, high-contrast, monochrome, or a theme .json (default: the saved preference)' } as const;

export const COMMANDS = {
  demo: {
    name: 'demo',
    args: '',
    summary: 'a whole release against a local demo service, nothing to configure',
    options: {
      scenario: { type: 'string', value: '<name>', description: `what happens: ${Object.keys(SCENARIOS).join(', ')} (default: good)` },
      speed: { type: 'string', value: '<N>', description: 'time runs N times faster than the runbook says, 1 to 600 (default: 20)' },
      dir: { type: 'string', value: '<path>', description: 'write the demo workspace (runbook, scripts) here (default: a new temporary directory)' },
      headless: { type: 'boolean', description: 'no screen, even on a terminal' },
      json: { type: 'boolean', description: 'headless, one JSON event a line on stdout' },
      prometheus: { type: 'string', value: '<url>', description: 'read the metrics from this Prometheus, which scrapes the demo service' },
      port: { type: 'string', value: '<N>', description: 'the demo service listens on this port (default: any free one)' },
      theme,
      learning: { type: 'string', value: '"<text>"', description: 'a learning recorded with the release' },
      share,
    },
    examples: [
      ['cockpit demo', 'a clean release, on the screen'],
      ['cockpit demo --scenario bad-release', 'the error rate climbs after the switch and the guardrail rolls it back'],
      ['cockpit demo --headless --scenario flaky-tests', 'the same without a screen'],
    ],
  },
  run: {
    name: 'run',
    args: '[runbook]',
    summary: 'run the release: the cockpit screen on a terminal, else headless',
    details: [
      'The runbook is cockpit.yml (or .yaml/.json) in the current directory unless given; a Markdown',
      'runbook (cockpit run release-runbook.md) runs as it is. `cockpit [runbook]` is the same command.',
      'Headless never asks: manual items need --confirm or --yes, choices --choose, inputs --set.',
    ],
    options: {
      headless: { type: 'boolean', description: 'no screen, even on a terminal: plain timestamped lines' },
      json: { type: 'boolean', description: 'headless, one JSON event a line on stdout' },
      confirm: { type: 'string', multiple: true, value: '"<title>"', description: 'confirm this manual item or step, by its title or id' },
      yes: { type: 'boolean', short: 'y', description: 'confirm every manual item and step' },
      'dry-run': { type: 'boolean', description: 'print the exact argv of every command the runbook can run; run nothing' },
      stage: { type: 'string', value: '<id>', description: 'start at this stage (the pre-flight still runs)' },
      'on-failure': { type: 'string', value: 'stop|rollback', description: 'what a failed stage does headless (default: stop)' },
      theme,
      learning: { type: 'string', value: '"<text>"', description: 'a learning recorded with the release (history, the summary)' },
      set: { type: 'string', multiple: true, value: 'NAME=VALUE', description: 'give an input of the runbook' },
      choose: { type: 'string', multiple: true, value: 'CHOICE=OPTION', description: "make a choice of the runbook: the option's id, number or title" },
      unguarded: { type: 'boolean', description: 'headless: go on past a failed guardrail self-test (journalled; UNGUARDED from then on)' },
      message: { type: 'string', value: '"<text>"', description: "with team: said to whoever is refused while this session holds the environment's lease" },
      'local-lock': { type: 'boolean', description: "with team: the remote is unreachable, release with this machine's lock only (journalled)" },
      share,
      'background-guard': { type: 'string', value: '<session>:<pid>', internal: true, description: 'a background guard taking a session over (session/hand-over.ts)' },
    },
    examples: [
      ['cockpit', 'the release in cockpit.yml here, on the screen'],
      ['cockpit run --dry-run', 'what would run, command by command'],
      ['cockpit run release.yml --headless --confirm "Change approved"', 'in CI: plain lines, one manual item confirmed'],
    ],
  },
  watch: {
    name: 'watch',
    args: '[runbook | URL]',
    summary: 'follow the release another cockpit drives, read-only, on the same screen: here, or shared from elsewhere (cockpit run --share)',
    options: { theme },
    examples: [
      ['cockpit watch', 'the live release of cockpit.yml here (R there says how to roll back)'],
      ['cockpit watch http://10.0.0.7:7070/Qm9…', 'a release shared with cockpit run --share, from another machine'],
    ],
  },
  rollback: {
    name: 'rollback',
    args: '[runbook]',
    summary: "run the runbook's rollback pipeline now, headless (exit 0 when rolled back); while another cockpit drives the release here, ask it to roll back and follow it; on a team's environment (team:), take its lease first (refused, naming the holder, while a cockpit elsewhere drives the release; a hold or an unreachable remote does not stop a rollback)",
    options: {
      reason: { type: 'string', value: '"<text>"', description: 'why: journalled, and passed to the incident as {reason}' },
      json: { type: 'boolean', description: 'one JSON event a line on stdout' },
    },
    examples: [['cockpit rollback --reason "checkout errors after 3.2.0"', 'roll back the release of cockpit.yml here']],
  },
  history: {
    name: 'history',
    args: '[runbook]',
    summary: 'the release history log and the DORA four keys, from every journal',
    options: {
      markdown: { type: 'boolean', description: 'the Release History Log as a Markdown table' },
      json: { type: 'boolean', description: 'the whole report as JSON' },
      since: { type: 'string', value: '<window>', description: 'from when: 30d, 12w, YYYY-MM-DD or all (default: 90d)' },
    },
    examples: [
      ['cockpit history', 'the releases of the last 90 days and the four keys'],
      ['cockpit history --markdown --since 30d', 'the last 30 days as a Markdown table'],
    ],
  },
  validate: {
    name: 'validate',
    args: '[runbook]',
    summary: 'check a runbook: "ok" and a summary, or every error as file:line:col',
    details: ['For a Markdown runbook also what was mapped from it and what was not, and why. Exit 2 on an error.'],
    options: {},
    examples: [
      ['cockpit validate', 'check cockpit.yml here'],
      ['cockpit validate docs/release-runbook.md', 'check a Markdown runbook, and see how it maps'],
    ],
  },
  import: {
    name: 'import',
    args: '<runbook.md>',
    summary: 'write the cockpit.yml equivalent of a Markdown runbook (stdout without -o)',
    options: {
      output: { type: 'string', short: 'o', value: '<file>', description: 'write it to this file (- for stdout)' },
      force: { type: 'boolean', short: 'f', description: 'replace the output file if it exists' },
    },
    examples: [['cockpit import docs/release-runbook.md -o cockpit.yml', 'the YAML runbook beside the Markdown one']],
  },
  init: {
    name: 'init',
    args: '',
    summary: 'write a cockpit.yml here: imported from a Markdown runbook found here, or a starter',
    details: ['Never overwrites a runbook. On a terminal it asks first; otherwise it says what it would do', '(exit 2) unless --yes.'],
    options: {
      yes: { type: 'boolean', short: 'y', description: 'do it without asking' },
      from: { type: 'string', value: '<runbook.md>', description: 'import this Markdown runbook' },
      starter: { type: 'boolean', description: 'write the starter cockpit.yml even if a Markdown runbook is here' },
    },
    examples: [
      ['cockpit init', 'see what it would write, then confirm'],
      ['cockpit init --starter --yes', 'write the starter cockpit.yml'],
    ],
  },
  schema: {
    name: 'schema',
    args: '',
    summary: 'print the runbook JSON Schema (for editor completion and checks)',
    options: { markdown: { type: 'boolean', description: 'the field reference generated from it, as Markdown (docs/runbook.md)' } },
    examples: [
      ['cockpit schema > cockpit.schema.json', 'save it for an editor'],
      ['cockpit schema --markdown > docs/runbook.md', 'the runbook field reference'],
    ],
  },
  flag: {
    name: 'flag',
    args: '<name> (<percent> | --next | --previous | --deploy)',
    summary: 'step a feature flag through the guarded path (exit 4 when a guardrail refuses)',
    options: {
      next: { type: 'boolean', description: "the flag's next step up its ramp" },
      previous: { type: 'boolean', description: "the flag's step before, down its ramp" },
      deploy: { type: 'boolean', description: "run the runbook's flags.deploy: its code with the flag off, before the ramp" },
      runbook: runbookFile,
      force: { type: 'string', value: '<name>', description: 'force a step up a guardrail refuses (repeat the flag name)' },
      json: { type: 'boolean', description: 'the result as one JSON object' },
    },
    examples: [
      ['cockpit flag new-checkout --next', 'one step up the ramp, if the guardrails allow it'],
      ['cockpit flag new-checkout 0', 'turn it off'],
    ],
  },
  experiment: {
    name: 'experiment',
    args: '<id>',
    summary: "an A/B experiment's figures: rates, lift with 95 % CI, p-value, sample ratio check",
    options: { runbook: runbookFile, json },
    examples: [['cockpit experiment checkout --json', "the experiment's figures as JSON"]],
  },
  wallboard: {
    name: 'wallboard',
    args: '[runbook | URL]',
    summary: 'a read-only full-screen dashboard of the live or latest session (a war-room screen)',
    options: {},
    examples: [
      ['cockpit wallboard', 'the release of cockpit.yml here, full screen'],
      ['cockpit wallboard http://10.0.0.7:7070/Qm9…', 'a release shared with cockpit run --share, from another machine'],
    ],
  },
  hold: {
    name: 'hold',
    args: '<environment>',
    summary: "with team: freeze an environment on the team's git remote: every run there exits 4 with the reason",
    options: { reason: { type: 'string', value: '"<text>"', description: 'why (required): said to every run refused' }, runbook: runbookFile },
    examples: [['cockpit hold production --reason "code freeze until Monday"', 'no release of production until cockpit unhold']],
  },
  unhold: {
    name: 'unhold',
    args: '<environment>',
    summary: 'with team: lift a hold',
    options: { reason: { type: 'string', value: '"<text>"', description: 'why, for the record' }, runbook: runbookFile },
    examples: [['cockpit unhold production', 'releases of production may run again']],
  },
  keys: {
    name: 'keys',
    args: '',
    summary: 'print every key of the cockpit screen (the keymap)',
    options: { markdown: { type: 'boolean', description: 'as Markdown (docs/keys.md)' } },
    examples: [['cockpit keys', 'the keymap']],
  },
  config: {
    name: 'config',
    args: 'set <key> <value> | get <key> | unset <key> | list',
    summary: 'user preferences: theme, confirm style',
    details: ['keys:', ...Object.entries(PREFERENCES).map(([k, d]) => `  ${k.padEnd(8)} ${d}`)],
    options: {},
    examples: [
      ['cockpit config set theme high-contrast', 'every screen in that theme from now on'],
      ['cockpit config list', 'what is set'],
    ],
  },
  help: {
    name: 'help',
    args: '[command]',
    summary: 'this list, or a command\'s options and examples (same as cockpit <command> --help)',
    options: { markdown: { type: 'boolean', description: 'every command as Markdown (docs/cli.md)' } },
    examples: [['cockpit help demo', "the demo's options"]],
  },
} as const satisfies Readonly<Record<string, CommandSpec>>;

export type CommandName = keyof typeof COMMANDS;

/** Every command, in the order the help lists them. */
export const COMMAND_LIST: readonly CommandSpec[] = Object.values(COMMANDS);

/** The table entry of a command word, if it is one. */
export function commandOf(word: string | undefined): CommandSpec | undefined {
  return word !== undefined && Object.hasOwn(COMMANDS, word) ? COMMANDS[word as CommandName] : undefined;
}
