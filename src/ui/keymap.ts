/**
 * The keymap: one table (keys/table.ts) drives key dispatch (keys/dispatch.ts), the hint bar
 * (keys/hints.ts), the `?` overlay, `cockpit keys` and docs/keys.md (keys/docs.ts). Each binding
 * says when it applies, why it cannot act now (the engine's refusal, asked) and whether a
 * follower may press it. Uppercase R is rollback everywhere; lowercase r is retry and never rollback.
 */
export { CONFIRM_GUARD_MS, DOUBLE_CTRL_C_MS, type Binding, type KeyContext, type Scope } from './key-context.js';
export { confirmStyle, failedStep, guardPassed, leader } from './key-actions.js';
export { KEYMAP } from './keys/table.js';
export { bindingsFor, followerMay, refusalOf, unknownKeyNotice } from './keys/dispatch.js';
export { hints, inBar } from './keys/hints.js';
export { displayKey, keyGroups, keysMarkdown } from './keys/docs.js';
