import { sanitizeOutput } from '../core/terminal-text.js';

/** Where a command writes: stdout and stderr lines (tests pass their own). */
export type Io = { out(line: string): void; err(line: string): void };

/**
 * The CLI's one boundary to the terminal: every line a command prints (headless and rollback
 * event lines and step output, history, validate, errors) goes through the terminal sanitiser
 * (src/core/terminal-text.ts): colour kept, every other escape, C1 control and bidi override dropped.
 */
export function terminalIo(io: Io): Io {
  return { out: (line) => io.out(sanitizeOutput(line)), err: (line) => io.err(sanitizeOutput(line)) };
}

/**
 * A reader that goes away (`cockpit run | head`, a closed terminal) must not stop a release: once
 * stdout or stderr is closed (EPIPE, EIO), writes to it are dropped and the session carries on; the journal keeps it all.
 */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    // EIO: the terminal was closed (SIGHUP, a lost SSH session): the run goes on all the same
    if (e.code === 'EPIPE' || e.code === 'EIO' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}

export const processIo: Io = {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
};
