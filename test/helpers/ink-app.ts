/**
 * The cockpit's App rendered by ink-testing-library for a Controller, at a given terminal size:
 * keys written `afterMs` (key-clock time) after the previous one, the frame without colours.
 * Additive to ink.ts (its waits are used with `app.lastFrame`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { type FakeClock, settle } from '../../src/core/clock.js';
import type { FetchResults, MetricSource, SeriesQuery } from '../../src/metrics/sources/source.js';
import { parseRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/types.js';
import type { Session } from '../../src/session/session.js';
import { App } from '../../src/ui/App.js';
import { OutputStore } from '../../src/ui/output-store.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { ROOT } from './demo-run.js';
import { renderSized } from './ink-sized.js';
import { plain } from './ink.js';

export type RenderedApp = {
  readonly app: ReturnType<typeof render>;
  press(k: string, afterMs?: number): Promise<void>;
  frame(): string;
  exited(): boolean;
  unmount(): void;
};

export function renderApp(controller: Session, size: { columns: number; rows: number }): RenderedApp {
  const keys = keyClock();
  const app = render(appTree(controller, size, keys));
  return { app, ...driven(app, keys) };
}

/**
 * renderApp on ink-sized.ts's terminal, whose stdout reports the size: ink-testing-library's is
 * always 100 columns, where a wider screen lays out wrong.
 */
export function renderAppSized(controller: Session, size: { columns: number; rows: number }): Omit<RenderedApp, 'app'> {
  const keys = keyClock();
  return driven(renderSized(appTree(controller, size, keys), size), keys);
}

type KeyClock = { time: number; exited: boolean };
const keyClock = (): KeyClock => ({ time: 10_000, exited: false });

function appTree(controller: Session, size: { columns: number; rows: number }, keys: KeyClock) {
  return createElement(
    ThemeContext.Provider,
    { value: loadTheme('default', { env: {} }) },
    createElement(App, { controller, store: new OutputStore(controller), keyClock: () => keys.time, size, onExit: () => (keys.exited = true) }),
  );
}

function driven(app: { lastFrame(): string | undefined; stdin: { write(data: string): void }; unmount(): void }, keys: KeyClock): Omit<RenderedApp, 'app'> {
  return {
    press: async (k, afterMs = 1000) => {
      keys.time += afterMs;
      app.stdin.write(k);
      await settle();
    },
    frame: () => plain(app.lastFrame()),
    exited: () => keys.exited,
    unmount: () => app.unmount(),
  };
}

/** A metrics source answering what `answer()` says now (as the fixture's metrics.sh does from its files). */
export class LiveSource implements MetricSource {
  readonly kind = 'test';
  constructor(private readonly answer: () => Record<string, number> | string) {}
  fetch(series: readonly SeriesQuery[]): Promise<FetchResults> {
    const a = this.answer();
    return Promise.resolve(Object.fromEntries(series.map((s) => [s.name, typeof a === 'string' ? { error: a } : { value: a[s.name] }])));
  }
}

/**
 * Advances the fake clock `stepMs` at a time until the frame satisfies `pred` (at most `maxMs` of
 * fake time); after each step the frame gets a few real milliseconds to catch up.
 */
export async function advanceUntil(clock: FakeClock, r: RenderedApp, pred: (f: string) => boolean, what: string, maxMs: number, stepMs = 250): Promise<string> {
  for (let t = 0; ; t += stepMs) {
    for (let k = 0; k < 3; k++) {
      const f = r.frame();
      if (pred(f)) return f;
      await settle();
      await new Promise((done) => setTimeout(done, 5));
    }
    if (t > maxMs) throw new Error(`${what} not within ${maxMs} ms of fake time; the frame:\n${r.frame()}`);
    await clock.advance(stepMs);
  }
}

/** A runbook under test/fixtures, parsed where it is (its folder is the steps' and the checks' cwd), and its text. */
export function fixtureRunbook(...path: string[]): { readonly text: string; readonly runbook: Runbook } {
  const file = join(ROOT, 'test', 'fixtures', ...path);
  const text = readFileSync(file, 'utf8');
  const r = parseRunbook(text, file);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return { text, runbook: r.runbook };
}
