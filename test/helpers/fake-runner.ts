/** A Runner for engine tests: steps start instantly and finish when the test says so. */
import type { Runner, StepHandle, StepRequest, StepResult } from '../../src/exec/runner.js';

type Running = {
  req: StepRequest;
  resolve: (r: StepResult) => void;
  listeners: Set<(lines: readonly string[]) => void>;
  killed: boolean;
};

export class FakeRunner implements Runner {
  readonly started: StepRequest[] = [];
  private readonly running = new Map<string, Running>();
  /** Steps that finish on their own as soon as they start, by key (stage.step). */
  readonly auto = new Map<string, Partial<StepResult>>();
  autoPass = false;
  /** Programs the fake says cannot run (program → why): it runs nothing real, so nothing else is missing. */
  readonly missing = new Map<string, string>();

  programProblem(program: string | undefined): string | undefined {
    return program === undefined ? undefined : this.missing.get(program);
  }

  start(req: StepRequest): StepHandle {
    this.started.push(req);
    let resolve!: (r: StepResult) => void;
    const done = new Promise<StepResult>((r) => (resolve = r));
    const run: Running = { req, resolve, listeners: new Set(), killed: false };
    this.running.set(req.key, run);
    const auto = this.auto.get(req.key) ?? (this.autoPass ? {} : undefined);
    if (auto) queueMicrotask(() => this.finish(req.key, auto));
    return {
      key: req.key,
      logPath: req.logPath,
      startedAt: 0,
      done,
      onLines: (cb) => {
        run.listeners.add(cb);
        return () => run.listeners.delete(cb);
      },
      kill: () => {
        run.killed = true;
        this.finish(req.key, { ok: false, interrupted: true, signal: 'SIGTERM', exitCode: null, reason: 'interrupted (SIGTERM)' });
      },
    };
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }
  keys(): string[] {
    return this.started.map((r) => r.key);
  }
  lines(key: string, lines: string[]): void {
    const r = this.running.get(key);
    if (!r) throw new Error(`${key} is not running`);
    for (const l of r.listeners) l(lines);
  }
  finish(key: string, result: Partial<StepResult> = {}): void {
    const r = this.running.get(key);
    if (!r) throw new Error(`${key} is not running (running: ${[...this.running.keys()].join(', ') || 'none'})`);
    this.running.delete(key);
    const ok = result.ok ?? true;
    r.resolve({
      ok,
      exitCode: ok ? 0 : 1,
      signal: null,
      timedOut: false,
      interrupted: false,
      durationMs: 10,
      reason: ok ? undefined : 'exit 1',
      ...result,
    });
  }
  fail(key: string, reason = 'exit 1'): void {
    this.finish(key, { ok: false, exitCode: 1, reason });
  }
}
