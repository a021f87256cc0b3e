/**
 * Writes a risk-register entry where the runbook says: appended to a file, or handed to a command.
 * Never throws: a register that cannot be written is reported (the caller journals it loudly), and
 * the rollback it records has already happened.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { MAX_TIMER_MS } from '../core/clock.js';
import { openNoFollow } from '../core/safe-open.js';
import type { RiskEntry } from '../core/events.js';
import { describeCommand } from '../runbook/command.js';
import { resolveInvocation } from '../runbook/placeholders.js';
import type { RiskRegister } from '../runbook/types.js';
import { appendText, entryValues, loadYamlWriter, registerFormat } from './risk-register.js';
import { errorMessage } from '../core/error-message.js';

export type RegisterResult = { readonly ok: boolean; readonly via: 'file' | 'run'; readonly target: string; readonly error?: string };

export type RegisterPlace = {
  /** The runbook's directory: a relative file and the command's working directory. */
  readonly dir: string;
  /** Where the command's output goes (risk-register.log). */
  readonly sessionDir: string;
  readonly env?: NodeJS.ProcessEnv;
};

/** What the register is, for people: the file's path or the command as written. */
export function registerTarget(r: RiskRegister, dir: string): string {
  return r.kind === 'file' ? (isAbsolute(r.file) ? r.file : join(dir, r.file)) : describeCommand(r.step.command);
}

function appendToFile(path: string, entry: RiskEntry): RegisterResult {
  try {
    let existing = '';
    try {
      existing = readFileSync(path, 'utf8');
    } catch (e) {
      // a register not written yet starts here (its folder too); any other error is the answer
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true });
    }
    appendFileSync(path, appendText(existing, entry, registerFormat(path)));
    return { ok: true, via: 'file', target: path };
  } catch (e) {
    return { ok: false, via: 'file', target: path, error: errorMessage(e) };
  }
}

function runCommand(r: Extract<RiskRegister, { kind: 'run' }>, entry: RiskEntry, place: RegisterPlace): Promise<RegisterResult> {
  const target = describeCommand(r.step.command);
  const inv = resolveInvocation(r.step.command, entryValues(entry));
  const logPath = join(place.sessionDir, 'risk-register.log');
  return new Promise((resolve) => {
    let fd: number | undefined;
    const done = (res: RegisterResult) => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      resolve(res);
    };
    try {
      fd = openNoFollow(logPath, 'append');
    } catch {
      fd = undefined;
    }
    // argv, or bash -c with the values only as COCKPIT_* variables (resolveInvocation): never parsed
    const child = spawn(inv.file, inv.args, {
      cwd: r.step.cwd ? join(place.dir, r.step.cwd) : place.dir,
      env: { ...(place.env ?? process.env), ...r.step.env, ...inv.env },
      stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
      detached: true,
    });
    const timeoutMs = r.step.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, Math.min(timeoutMs, MAX_TIMER_MS));
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({ ok: false, via: 'run', target, error: `${inv.file}: ${e.code === 'ENOENT' ? 'not found' : e.code === 'EACCES' ? 'not executable' : (e.code ?? e.message)}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) done({ ok: true, via: 'run', target });
      else done({ ok: false, via: 'run', target, error: `${signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000}s` : signal ? `killed by ${signal}` : `exit ${code}`} (output in ${logPath})` });
    });
  });
}

export async function writeRiskEntry(r: RiskRegister, entry: RiskEntry, place: RegisterPlace): Promise<RegisterResult> {
  if (r.kind === 'file') {
    await loadYamlWriter();
    return appendToFile(registerTarget(r, place.dir), entry);
  }
  return runCommand(r, entry, place);
}
