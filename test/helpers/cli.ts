/**
 * The command line in-process: `main(argv, io)` run as a child process would run it, in a working
 * directory and with environment variables of its own, what it printed collected as the process's
 * stdout and stderr would be (each line io writes ends with "\n"). Milliseconds where spawning the
 * built binary takes a node start-up and a bundle load; the binary itself is tested where a real
 * process is the point (exit on a signal, processes left behind, the terminal).
 *
 * The working directory and the environment are the process's own: calls run one at a time (never
 * `it.concurrent`), and each restores both when it ends. `env` values set variables and
 * `undefined` removes one.
 */
import { main } from '../../src/cli/main.js';

export type CliResult = {
  readonly code: number;
  /** What was written to stdout, each line ending with "\n" (as the process would have written it). */
  readonly stdout: string;
  readonly stderr: string;
  /** The lines written to stdout and to stderr. */
  readonly out: string[];
  readonly err: string[];
};

export type CliOptions = { readonly cwd?: string; readonly env?: Readonly<Record<string, string | undefined>> };

let running = false;

export async function cockpitInProcess(argv: readonly string[], o: CliOptions = {}): Promise<CliResult> {
  if (running) throw new Error('cockpitInProcess: one call at a time (it sets the process-wide working directory and environment); the one before has not ended (did its test time out?)');
  running = true;
  const cwd = process.cwd();
  const saved = new Map(Object.keys(o.env ?? {}).map((k) => [k, process.env[k]]));
  const out: string[] = [];
  const err: string[] = [];
  try {
    if (o.cwd) process.chdir(o.cwd);
    for (const [k, v] of Object.entries(o.env ?? {})) setEnv(k, v);
    const code = await main([...argv], { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(...l.split('\n')) });
    return { code, stdout: joined(out), stderr: joined(err), out, err };
  } finally {
    process.chdir(cwd);
    for (const [k, v] of saved) setEnv(k, v);
    running = false;
  }
}

function setEnv(k: string, v: string | undefined): void {
  if (v === undefined) delete process.env[k];
  else process.env[k] = v;
}

const joined = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');
