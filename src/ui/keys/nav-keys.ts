/** Keys that only move, scroll, focus or open the help (the keymap table: keys/table.ts). */
import { flagsOf, moveSelection, scrollHelp } from '../key-actions.js';
import { always, type Binding, type KeyContext } from '../key-context.js';
import { topOverlay } from '../ui-state.js';

const mainIdle = (c: KeyContext) => topOverlay(c.ui) === undefined;

/** The main screen's navigation, then ? help. */
export const MAIN_NAV_KEYS: readonly Binding[] = [
  { scope: 'main', keys: ['up'], label: 'select', description: 'Select the previous item', whenText: 'the checklist has focus', when: (c) => c.ui.focus === 'checklist', followerSafe: true, showInBar: false, run: (c) => moveSelection(c, -1) },
  { scope: 'main', keys: ['down'], label: 'select', description: 'Select the next item', whenText: 'the checklist has focus', when: (c) => c.ui.focus === 'checklist', followerSafe: true, showInBar: false, run: (c) => moveSelection(c, 1) },
  { scope: 'main', keys: ['tab'], label: 'focus', description: 'Move focus: checklist → output (arrows scroll it) → flags (arrows select a flag)', whenText: 'no overlay', when: mainIdle, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'focus-toggled', withFlags: flagsOf(c).length > 0 }) },
  { scope: 'main', keys: ['k', 'up'], label: 'scroll', description: 'Scroll the output up a line', whenText: 'always (arrows when the output has focus)', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: -1, max: c.outputMax }) },
  { scope: 'main', keys: ['j', 'down'], label: 'scroll', description: 'Scroll the output down a line', whenText: 'always (arrows when the output has focus)', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: 1, max: c.outputMax }) },
  { scope: 'main', keys: ['pageup'], label: 'page', description: 'Scroll the output up a page', whenText: 'always', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: -c.page, max: c.outputMax }) },
  { scope: 'main', keys: ['pagedown'], label: 'page', description: 'Scroll the output down a page', whenText: 'always', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled', by: c.page, max: c.outputMax }) },
  { scope: 'main', keys: ['g'], label: 'top', description: 'Output: go to the first line', whenText: 'always', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled-to', where: 'top', max: c.outputMax }) },
  { scope: 'main', keys: ['G'], label: 'end', description: 'Output: go to the last line and follow', whenText: 'always', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'scrolled-to', where: 'bottom', max: c.outputMax }) },
  { scope: 'main', keys: ['f'], label: 'follow', description: 'Output: toggle follow mode (stay at the end as lines arrive)', whenText: 'always', when: always, followerSafe: true, showInBar: false, run: (c) => c.dispatch({ type: 'follow-toggled' }) },
  { scope: 'main', keys: ['?'], label: 'help', description: 'Help: every key', whenText: 'always', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-opened', overlay: { kind: 'help', offset: 0 } }) },
];

/** The help overlay. */
export const HELP_KEYS: readonly Binding[] = [
  { scope: 'help', keys: ['escape', '?', 'q'], label: 'close', description: 'Close the help', whenText: 'help overlay', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  { scope: 'help', keys: ['down', 'j'], label: 'scroll', description: 'Scroll the help down', whenText: 'help overlay', when: always, followerSafe: true, showInBar: true, run: (c) => scrollHelp(c, 1) },
  { scope: 'help', keys: ['up', 'k'], label: 'scroll', description: 'Scroll the help up', whenText: 'help overlay', when: always, followerSafe: true, showInBar: false, run: (c) => scrollHelp(c, -1) },
  { scope: 'help', keys: ['pagedown', 'space'], label: 'page', description: 'Page the help down', whenText: 'help overlay', when: always, followerSafe: true, showInBar: false, run: (c) => scrollHelp(c, c.page) },
  { scope: 'help', keys: ['pageup'], label: 'page', description: 'Page the help up', whenText: 'help overlay', when: always, followerSafe: true, showInBar: false, run: (c) => scrollHelp(c, -c.page) },
];
