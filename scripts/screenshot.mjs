// The README's picture of the screen, taken from a real run: `npm run screenshot`.
//
// Runs the built cockpit (`bin/cockpit.js demo --scenario bad-release`) in a private tmux server
// at 100×30 (CI=false: Ink draws nothing while CI is set), drives it as a person would (ticks the
// two manual pre-flight items, Enter per stage) and waits for the screen that says the most: the
// production stage running, sparklines, and the error-rate trigger PENDING with its countdown.
// That screen's text goes to docs/screen.txt and into README.md between
// `<!-- screen:start -->` and `<!-- screen:end -->`, as a fenced text block. Then it lets the
// rollback finish, quits with q (exit 3, rolled back) and removes its temp directory; nothing is
// left running (the tmux server is its own and is killed).
//
//   node scripts/screenshot.mjs [--no-write]     --no-write: print the block, write nothing
//
// Needs tmux and a build (npm run screenshot builds first).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COLS = 100;
const ROWS = 30;
const SOCKET = `cockpit-screenshot-${process.pid}`;
const SESSION = 'shot';
export const START = '<!-- screen:start -->';
export const END = '<!-- screen:end -->';

const tmux = (...args) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const shq = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const screen = () => tmux('capture-pane', '-p', '-t', SESSION).replace(/\n$/, '');
const rows = (x) => x.split('\n');
const strip = (x) => rows(x)[1] ?? '';
const hint = (x) => rows(x).filter(Boolean).at(-1) ?? '';
const canRun = (x) => / ⏎ run\/continue /.test(hint(x));
const triggers = (x) => rows(x).find((l) => l.startsWith(' triggers ')) ?? '';

/** Polls the screen until `ok` holds; throws with the last screen after `ms`. */
async function waitFor(what, ok, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const x = screen();
    if (ok(x)) return x;
    if (Date.now() > end) throw new Error(`screenshot: waited ${ms / 1000}s for ${what}; the screen was:\n${x}`);
    await sleep(50);
  }
}

/** The block written into the README and docs/screen.txt. */
export function block(text) {
  const body = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (body.length && body.at(-1) === '') body.pop();
  return `\`\`\`text\n${body.join('\n')}\n\`\`\`\n`;
}

/** README text with the block between the markers (which must be there, once each). */
export function withScreen(readme, blockText) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a || readme.indexOf(START, a + 1) >= 0) throw new Error(`README.md needs one ${START} … ${END} pair`);
  return `${readme.slice(0, a + START.length)}\n${blockText}${readme.slice(b)}`;
}

async function take() {
  const root = mkdtempSync(join(tmpdir(), 'cockpit-screenshot-'));
  const cmd = `${shq(process.execPath)} ${shq(join(ROOT, 'bin', 'cockpit.js'))} demo --scenario bad-release --dir ${shq(join(root, 'ws'))}`;
  const env = { CI: 'false', LANG: 'C.UTF-8', TERM: 'xterm-256color', COCKPIT_STATE_DIR: join(root, 'state') };
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', SESSION, '-x', String(COLS), '-y', String(ROWS), '-c', root, ...envArgs, `${cmd}; echo "[exit $?]"`, ';', 'set-option', '-t', SESSION, 'remain-on-exit', 'on');
  try {
    await waitFor('the pre-flight', (x) => x.includes('✓ Guardrail self-test') && x.includes('[ ] Rollback plan ready'), 30_000);
    tmux('send-keys', '-t', SESSION, 'Space');
    await waitFor('the first tick', (x) => x.includes('[✓] No active incidents'));
    await sleep(350); // the product's own gap between keys that act
    tmux('send-keys', '-t', SESSION, 'Space');
    await waitFor('the second tick', (x) => x.includes('[✓] Rollback plan ready') && canRun(x));
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('Pre-Release done', (x) => strip(x).includes('✓ Pre-Release') && canRun(x));
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('Staging done', (x) => strip(x).includes('✓ Deploy to Staging') && canRun(x));
    tmux('send-keys', '-t', SESSION, 'Enter');
    const shot = await waitFor('PENDING', (x) => /◐ PENDING \d:\d\d of/.test(triggers(x)) && strip(x).includes('◐ Deploy to Production'), 30_000);
    // leave cleanly: the trigger fires, the rollback runs, then q (exit 3)
    await waitFor('ROLLED BACK', (x) => / ROLLED BACK {3}R ROLLBACK$/.test(rows(x)[0] ?? ''), 40_000);
    await sleep(350);
    tmux('send-keys', '-t', SESSION, 'q');
    const after = await waitFor('the exit', (x) => /\[exit \d+\]/.test(x), 20_000);
    const code = Number(/\[exit (\d+)\]/.exec(after)[1]);
    if (code !== 3) throw new Error(`screenshot: the demo exited ${code}, not 3 (rolled back):\n${after}`);
    return shot;
  } finally {
    try {
      tmux('kill-server');
    } catch {
      /* already gone */
    }
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const shot = block(await take());
  if (process.argv.includes('--no-write')) process.stdout.write(shot);
  else {
    writeFileSync(join(ROOT, 'docs', 'screen.txt'), shot);
    const readme = join(ROOT, 'README.md');
    writeFileSync(readme, withScreen(readFileSync(readme, 'utf8'), shot));
    console.log('written: docs/screen.txt and README.md (between the screen markers)');
  }
}
