/**
 * Placeholders that reach a shell cockpit does not control. A value in argv is safe from cockpit's
 * own shell (there is none, or it sees "${COCKPIT_X}"), but a command can hand it to another one:
 * the script of `bash -c "… {version}"`, the remote command of `ssh host deploy {version}` (ssh
 * joins its arguments into one line the remote shell parses), `su -c`, `eval`, `watch`. There a
 * value with a quote, ";" or "$(" runs as code. The same in the code an interpreter is given on its
 * command line (`python3 -c`, `node -e`, `perl -e`, `ruby -e`): the language parses the value (a
 * quote ends its string), and a shell does too when that code calls one (`os.system('… {x}')`,
 * `subprocess.call(…, shell=True)`, `execSync`, `system`). cockpit validate warns (located, exit 0).
 */
import { basename } from 'node:path';
import { parseCommand, type Command } from './command.js';
import { scriptCommands } from './shell-lexer.js';
import { envName, placeholdersIn } from './placeholders.js';
import type { Path, RuleError } from './rules.js';
import type { RawRunbook, RawRun, RawStep } from './schema.js';

export { scriptCommands } from './shell-lexer.js';

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'fish']);
/** ssh options that take a value (the next word, or the rest of the cluster). */
const SSH_VALUE = new Set('BbcDEeFIiJLlmOoPpQRSWw');

/** The languages whose code, given on the command line, is read for placeholders. */
export type Lang = 'python' | 'node' | 'perl' | 'ruby';

/** Where an inner shell (or an interpreter, `lang`) parses a word: the word's index and which program hands it over. */
export type InnerWord = { readonly index: number; readonly via: string; readonly remote: boolean; readonly lang?: Lang };

/** An interpreter's name: python3, python3.12, pypy3, node, nodejs, perl, ruby. */
function langOf(name: string): Lang | undefined {
  if (/^(python(\d+(\.\d+)?)?|pypy3?)$/.test(name)) return 'python';
  if (name === 'node' || name === 'nodejs') return 'node';
  if (name === 'perl') return 'perl';
  if (name === 'ruby') return 'ruby';
  return undefined;
}

/** Options (of each language) that take the next word as their value, not as code. */
const LANG_VALUE: Record<Lang, RegExp> = {
  python: /^-[WXm]$/,
  node: /^(-r|--require|--import|--loader|--input-type|--conditions|-C)$/,
  perl: /^-[IMm]$/,
  ruby: /^-[IrCE]$/,
};
/** The option whose next word is code: python -c (-Ic, -uc…), node -e/-p/--eval/--print, perl -e/-E (-ne, -lpe…), ruby -e (-ne…). */
const LANG_CODE: Record<Lang, RegExp> = {
  python: /^-[A-Za-z]*c$/,
  node: /^(-e|-p|-pe|--eval|--print)$/,
  perl: /^-[A-Za-z]*[eE]$/,
  ruby: /^-[A-Za-z]*e$/,
};

/** The code words an interpreter is given among argv[at+1…] (before its script file, if any), with the option that gives each. */
function langCode(argv: readonly string[], at: number, lang: Lang): { index: number; flag: string }[] {
  const out: { index: number; flag: string }[] = [];
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(eval|print)=/.test(a) && lang === 'node') out.push({ index: i, flag: a.replace(/=.*/s, '') });
    else if (LANG_CODE[lang].test(a)) {
      out.push({ index: i + 1, flag: a });
      i++;
      if (lang === 'python') break; // python: the words after its code are sys.argv
    } else if (LANG_VALUE[lang].test(a)) i++;
    else if (a === '--' || !a.startsWith('-')) break; // a script file: what follows is its arguments
  }
  return out.filter((c) => c.index < argv.length);
}

/** Where code calls a shell with a string it builds: os.system, subprocess(…, shell=True), execSync, system, backquotes. */
const SHELL_CALL: Record<Lang, RegExp> = {
  python: /\bos\.(system|popen)\b|\bsubprocess\.\w+\([^)]*\bshell\s*=\s*True|\bcommands\.getoutput\b/,
  node: /\b(exec|execSync)\s*\(|\bshell\s*:\s*true\b/,
  perl: /\b(system|exec|qx)\b|`/,
  ruby: /\b(system|exec|spawn)\b|`|%x/,
};

/** The script of a shell's -c among argv[at+1…]: its index, or undefined (no -c: a script file, or stdin). */
function shellScript(argv: readonly string[], at: number): number | undefined {
  let c = false;
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--' || a === '-') return c ? i + 1 : undefined;
    if (/^--command=/.test(a)) return i; // fish --command=…
    if (a === '--command') return i + 1;
    if (a.startsWith('--')) continue; // --norc, --login, …
    if (/^[-+][oO]$/.test(a)) {
      i++; // -o pipefail
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a[0] === '-' && a.includes('c')) c = true;
      continue;
    }
    return c ? i : undefined;
  }
  return undefined;
}

/** ssh's remote command: every word after the destination. */
function sshRemote(argv: readonly string[], at: number): number[] {
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv.slice(i + 2).map((_, k) => i + 2 + k);
    if (a.startsWith('-') && a.length > 1) {
      // a cluster: -tt, -p22, -i key; the first letter taking a value takes the rest, or the next word
      for (let k = 1; k < a.length; k++)
        if (SSH_VALUE.has(a[k])) {
          if (k === a.length - 1) i++;
          break;
        }
      continue;
    }
    return argv.slice(i + 1).map((_, k) => i + 1 + k);
  }
  return [];
}

/** su's -c / --command: its index, or undefined. */
function suCommand(argv: readonly string[], at: number): number | undefined {
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(?:session-)?command=/.test(a)) return i;
    if (a === '--command' || a === '--session-command' || /^-[A-Za-z]*c$/.test(a)) return i + 1;
  }
  return undefined;
}

/**
 * The words of argv an inner shell parses: the script of a shell's -c anywhere in it (so after
 * env, sudo, timeout, docker exec … too), ssh's remote command, su's -c, and everything eval or
 * watch is given.
 */
export function innerShellWords(argv: readonly string[]): InnerWord[] {
  const out: InnerWord[] = [];
  for (let j = 0; j < argv.length; j++) {
    const name = basename(argv[j]);
    if (SHELLS.has(name)) {
      const i = shellScript(argv, j);
      if (i !== undefined && i < argv.length) out.push({ index: i, via: `${name} -c`, remote: false });
    } else if (name === 'ssh' && !(j > 0 && argv[j - 1].startsWith('-'))) {
      // (ssh as an option's value, rsync -e ssh, is not a command run here)
      for (const i of sshRemote(argv, j)) out.push({ index: i, via: 'ssh', remote: true });
      break; // the rest is the remote command
    } else if (name === 'su') {
      const i = suCommand(argv, j);
      if (i !== undefined && i < argv.length) out.push({ index: i, via: 'su -c', remote: false });
    } else if (langOf(name) !== undefined && !(j > 0 && argv[j - 1].startsWith('-'))) {
      const lang = langOf(name)!;
      for (const c of langCode(argv, j, lang)) out.push({ index: c.index, via: `${name} ${c.flag}`, remote: false, lang });
    } else if ((name === 'eval' || name === 'watch') && j === 0) {
      for (let i = 1; i < argv.length; i++) out.push({ index: i, via: name, remote: false });
    }
  }
  // one word can be found twice (bash -c inside ssh's command): once is enough
  const seen = new Set<number>();
  return out.filter((w) => !seen.has(w.index) && seen.add(w.index));
}

/**
 * One placeholder-in-an-inner-shell finding: which words of a command (argv index, when argv). In
 * an interpreter's code, `lang` and, when that code calls a shell, `shellCall` (e.g. "os.system").
 */
export type InnerShellUse = {
  readonly names: readonly string[];
  readonly via: string;
  readonly remote: boolean;
  readonly argIndex?: number;
  readonly lang?: Lang;
  readonly shellCall?: string;
};

function useOf(word: string, w: InnerWord, argIndex?: number): InnerShellUse | undefined {
  const names = placeholdersIn(word);
  if (names.length === 0) return undefined;
  const call = w.lang ? SHELL_CALL[w.lang].exec(word)?.[0] : undefined;
  // named as written: os.system, execSync, system; subprocess.run(…, shell=True)
  const shellCall = call?.replace(/^(subprocess\.\w+)\(.*$/s, '$1(…, shell=True)').replace(/\s*\($/, '');
  return { names, via: w.via, remote: w.remote, ...(argIndex !== undefined ? { argIndex } : {}), ...(w.lang ? { lang: w.lang } : {}), ...(shellCall ? { shellCall } : {}) };
}

/** Every place a command hands a placeholder to a shell that parses it. */
export function innerShellUses(run: string | readonly string[]): InnerShellUse[] {
  const cmd: Command = parseCommand(run);
  const out: InnerShellUse[] = [];
  if (cmd.kind === 'argv') {
    for (const w of innerShellWords(cmd.argv)) {
      const u = useOf(cmd.argv[w.index], w, w.index);
      if (u) out.push(u);
    }
    return out;
  }
  for (const words of scriptCommands(cmd.script))
    for (const w of innerShellWords(words)) {
      const u = useOf(words[w.index], w);
      if (u) out.push(u);
    }
  return out;
}

const list = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The warning for one finding: what happens, and what to write instead. */
export function innerShellMessage(u: InnerShellUse): string {
  const names = list(u.names.map((n) => `{${n}}`));
  const vars = list(u.names.map((n) => `"$${envName(n)}"`));
  const one = u.names.length === 1;
  if (u.lang) return langMessage(u, names, one);
  if (u.remote)
    return `${names} ${one ? 'goes' : 'go'} into the command ssh hands to the remote shell, which parses ${one ? 'its value' : 'their values'} as code (a quote, ";" or "$(" in ${one ? 'it' : 'them'} would run there): quote ${one ? 'it' : 'them'} for that shell first, e.g. from a script: ssh host "deploy $(printf %q "$${envName(u.names[0])}")"`;
  return `${names} ${one ? 'is' : 'are'} inside what "${u.via}" runs: that shell parses ${one ? 'its value' : 'their values'} as code (a quote, ";" or "$(" in ${one ? 'it' : 'them'} would run); write ${vars} there instead (cockpit sets ${one ? 'it' : 'them'} in the step's environment)`;
}

const LANGS: Record<Lang, { readonly name: string; readonly env: (v: string) => string }> = {
  python: { name: 'Python', env: (v) => `os.environ["${v}"]` },
  node: { name: 'Node', env: (v) => `process.env.${v}` },
  perl: { name: 'Perl', env: (v) => `$ENV{${v}}` },
  ruby: { name: 'Ruby', env: (v) => `ENV["${v}"]` },
};

/** The warning for a placeholder in an interpreter's code: the language parses it, and a shell too when the code calls one. */
function langMessage(u: InnerShellUse, names: string, one: boolean): string {
  const l = LANGS[u.lang!];
  const reads = list(u.names.map((n) => l.env(envName(n))));
  const it = one ? 'it' : 'them';
  const instead = `read ${reads} there instead (cockpit sets ${it} in the step's environment)`;
  if (u.shellCall)
    return `${names} ${one ? 'is' : 'are'} inside what "${u.via}" hands to a shell (${u.shellCall}): the shell parses ${one ? 'its value' : 'their values'} as code (a quote, ";" or "$(" in ${it} would run); ${instead}, and run the command as a list of arguments, without a shell`;
  return `${names} ${one ? 'is' : 'are'} inside the code "${u.via}" runs: ${l.name} parses ${one ? 'its value' : 'their values'} as code (a quote in ${it} would end the string and run the rest); ${instead}`;
}

/** Every command a runbook writes, with where its `run` is. */
function commands(rb: RawRunbook): { path: Path; run: RawRun }[] {
  const out: { path: Path; run: RawRun }[] = [];
  const add = (path: Path, run: RawRun | undefined) => {
    if (run !== undefined) out.push({ path, run });
  };
  const steps = (at: Path, list: readonly RawStep[] | undefined) =>
    (list ?? []).forEach((st, i) => {
      if (typeof st === 'string' || Array.isArray(st)) add([...at, i], st);
      else if ('run' in st) add([...at, i, 'run'], st.run);
      else if ('choose' in st) st.choose.options.forEach((o, oi) => steps([...at, i, 'choose', 'options', oi, 'steps'], o.steps));
    });
  (rb.preflight ?? []).forEach((p, i) => add(['preflight', i, 'run'], p.run));
  rb.stages.forEach((s, si) => steps(['stages', si, 'steps'], s.steps));
  steps(['rollback', 'steps'], rb.rollback?.steps);
  steps(['rollback', 'verify'], rb.rollback?.verify);
  add(['rollback', 'incident'], rb.rollback?.incident);
  (rb.escalation ?? []).forEach((e, i) => add(['escalation', i, 'run'], e.run));
  (rb.troubleshooting ?? []).forEach((t, i) => {
    add(['troubleshooting', i, 'run'], t.run);
    steps(['troubleshooting', i, 'steps'], t.steps);
  });
  (rb.emergency ?? []).forEach((e, i) => add(['emergency', i, 'run'], e.run));
  const source = rb.metrics?.source;
  if (source?.type === 'command') add(['metrics', 'source', 'run'], source.run);
  const provider = rb.flags?.provider;
  if (provider?.type === 'command') {
    add(['flags', 'provider', 'run'], provider.run);
    add(['flags', 'provider', 'read'], provider.read);
  }
  add(['flags', 'deploy'], rb.flags?.deploy);
  for (const [id, ex] of Object.entries(rb.experiments ?? {})) {
    add(['experiments', id, 'deploy'], ex.deploy);
    add(['experiments', id, 'conclude'], ex.conclude);
    if (ex.source?.type === 'command') add(['experiments', id, 'source', 'run'], ex.source.run);
  }
  if (rb.riskRegister && 'run' in rb.riskRegister) add(['riskRegister', 'run'], rb.riskRegister.run);
  return out;
}

/** The warnings for a runbook: each placeholder an inner shell parses, where it is written (the argv element, when a list). */
export function checkInnerShells(rb: RawRunbook): RuleError[] {
  return commands(rb).flatMap(({ path, run }) =>
    innerShellUses(run).map((u) => ({ path: Array.isArray(run) && u.argIndex !== undefined ? [...path, u.argIndex] : path, message: innerShellMessage(u) })),
  );
}
