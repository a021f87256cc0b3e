/**
 * blessed is CommonJS and loaded here, at run time, through createRequire: only the wallboard ever
 * loads it (never the Ink bundle, never another command's startup). It stays a run-time dependency
 * (it reads its terminfo and fonts from its own directory); blessed-contrib's line chart, imported
 * below, is bundled into the wallboard's chunk (scripts/build.mjs), so the package does not install
 * blessed-contrib and its many dependencies (maps, markdown, pictures) that the wallboard never uses.
 */
import { createRequire } from 'node:module';
// @ts-expect-error blessed-contrib ships no types: its line chart is typed as LineFactory (blessed-types.ts)
import lineChart from 'blessed-contrib/lib/widget/charts/line.js';
import type { BitmapFont } from './big-text.js';
import type { Blessed, LineFactory, Screen } from './blessed-types.js';

export type Libs = { readonly blessed: Blessed; readonly line: LineFactory; readonly font: BitmapFont };

export function loadLibs(): Libs {
  const req = createRequire(import.meta.url);
  // the line chart alone, not blessed-contrib's index: that loads every widget (maps, markdown, pictures)
  return {
    blessed: req('blessed') as Blessed,
    line: lineChart as LineFactory,
    font: req('blessed/usr/fonts/ter-u14b.json') as BitmapFont,
  };
}

/**
 * Opens the full screen. blessed compiles the terminal's terminfo here and prints any capability
 * it cannot compile to stderr with console.error (xterm-256color's Setulc on newer ncurses): that
 * would land on the terminal under the dashboard, so those lines go to `kept` instead (shown after
 * the screen closes, with COCKPIT_DEBUG).
 */
export function openScreen(libs: Libs, kept: string[]): Screen {
  const error = console.error;
  const warn = console.warn;
  console.error = console.warn = (...args: unknown[]) => void kept.push(args.map(String).join(' '));
  let screen: Screen;
  try {
    screen = libs.blessed.screen({ smartCSR: true, fullUnicode: true, forceUnicode: true, title: 'cockpit wallboard', warnings: false, autoPadding: true });
  } finally {
    console.error = error;
    console.warn = warn;
  }
  // borders in UTF-8 box drawing, not the terminal's alternate character set (which some
  // terminals, and tmux's capture, show as "lqqk")
  screen.tput.brokenACS = true;
  screen.program.hideCursor();
  return screen;
}
