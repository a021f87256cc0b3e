/** Where a command writes: stdout and stderr lines (tests pass their own). */
export type Io = { out(line: string): void; err(line: string): void };

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
