/**
 * ink-testing-library's renderer with a terminal of a given size: its stdout reports `columns`
 * and `rows` (ink-testing-library's is always 100 columns and no rows), so a component that reads
 * the terminal's size (useTerminalSize) lays out as on a terminal of that size, and `resize()`
 * changes it and emits 'resize' as a terminal does. Frames are Ink's debug frames (the whole
 * screen each time), keys are written to stdin as a terminal writes them.
 */
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import type { ReactElement } from 'react';

class SizedStdout extends EventEmitter {
  last: string | undefined;
  constructor(
    public columns: number,
    public rows: number,
    private readonly onFrame: (frame: string) => void = () => {},
  ) {
    super();
  }
  readonly write = (frame: string): boolean => {
    this.last = frame;
    this.onFrame(frame);
    return true;
  };
}

class Stdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  readonly write = (data: string): void => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  readonly read = (): string | null => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export type SizedApp = {
  lastFrame(): string | undefined;
  readonly stdin: { write(data: string): void };
  resize(columns: number, rows: number): void;
  unmount(): void;
};

/** `onFrame`: called with every frame Ink writes, in order (a test may look for one that has gone by). */
export function renderSized(tree: ReactElement, size: { columns: number; rows: number }, onFrame?: (frame: string) => void): SizedApp {
  const stdout = new SizedStdout(size.columns, size.rows, onFrame);
  const stdin = new Stdin();
  const instance = inkRender(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new SizedStdout(size.columns, size.rows) as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let mounted = true;
  return {
    lastFrame: () => stdout.last,
    stdin,
    resize(columns, rows) {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      instance.unmount();
      instance.cleanup();
    },
  };
}
