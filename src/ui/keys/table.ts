/**
 * The one keymap table, assembled from the files of each scope. It drives key dispatch
 * (keys/dispatch.ts), the hint bar (keys/hints.ts), the `?` overlay and docs/keys.md
 * (keys/docs.ts). Uppercase R is rollback everywhere; lowercase r is retry and never rollback.
 *
 * Order matters within a scope: dispatch takes the first binding of a key that applies, and the
 * bar and the help list keys of equal importance (key-order.ts) in table order.
 */
import type { Binding } from '../key-context.js';
import { FLAG_DIALOG_KEYS, MAIN_FLAG_KEYS } from './flag-keys.js';
import { INTERRUPT_KEY, LEAVE_KEYS, QUIT_KEY } from './leave-keys.js';
import { HELP_KEYS, MAIN_NAV_KEYS } from './nav-keys.js';
import { EMERGENCY_KEYS, EXPERIMENT_KEYS, WHY_KEYS } from './overlay-keys.js';
import { MAIN_RELEASE_KEYS, SKIP_KEYS, UNGUARDED_KEYS } from './release-keys.js';
import { ROLLBACK_KEY, ROLLBACK_KEYS } from './rollback-keys.js';

export const KEYMAP: readonly Binding[] = [
  // everywhere
  ROLLBACK_KEY,
  INTERRUPT_KEY,
  // the main screen: the flags' keys first (of a key bound twice, Enter applies a proposed flag change before it runs the next stage; ↑↓ select a flag when the flags pane has focus)
  ...MAIN_FLAG_KEYS,
  ...MAIN_RELEASE_KEYS,
  ...MAIN_NAV_KEYS,
  QUIT_KEY,
  // the overlays
  ...FLAG_DIALOG_KEYS,
  ...EXPERIMENT_KEYS,
  ...WHY_KEYS,
  ...ROLLBACK_KEYS,
  ...SKIP_KEYS,
  ...UNGUARDED_KEYS,
  ...HELP_KEYS,
  ...EMERGENCY_KEYS,
  ...LEAVE_KEYS,
];
