/** The key context every binding runs with, and the binding type (the keymap table: keys/table.ts). */
import type { Session } from '../session/session.js';
import { AGAIN_WITHIN_MS } from '../session/leave-policy.js';
import type { SessionState } from '../session/reduce.js';
import type { ChecklistRow } from './rows.js';
import type { Overlay, UiAction, UiState } from './ui-state.js';

/** A destructive confirmation counts only this long after the dialog opened and the previous key. */
export const CONFIRM_GUARD_MS = 300;
/** A second Ctrl+C within this long is "again" (the leave policy's window). */
export const DOUBLE_CTRL_C_MS = AGAIN_WITHIN_MS;

export type Scope = 'global' | 'main' | Overlay['kind'];

export type KeyContext = {
  readonly session: SessionState;
  readonly ui: UiState;
  readonly controller: Session;
  readonly rows: readonly ChecklistRow[];
  readonly selectedRow?: ChecklistRow;
  /** Output pane: how far it can scroll, and a page. */
  readonly outputMax: number;
  readonly page: number;
  /** The time of this keypress, and of the one before it. */
  readonly now: number;
  readonly prevKeyAt: number;
  /** The raw input was several characters at once (a paste): it never confirms anything. */
  readonly burst: boolean;
  /** The key's name ("enter", "R", "3"). */
  readonly key?: string;
  dispatch(a: UiAction): void;
  /** Records the time of this keypress (the next key's prevKeyAt): no re-render. */
  keyPressed?(at: number): void;
  notice(text: string): void;
  exit(): void;
  /**
   * Hands the session to a background guard (session/hand-over.ts); undefined when it did (the
   * screen then exits), else why not. Absent where no background guard can take over.
   */
  handOver?(watching: string): string | undefined;
  /** Why no background guard can take this session over (shown in the leave dialog). */
  readonly noHandOver?: string;
  /** Puts the screen's frames off until the rollback starting now has its first step running (frame-hold.ts). */
  holdFrames?(): void;
};

export type Binding = {
  readonly scope: Scope;
  readonly keys: readonly string[];
  /** Short label for the hint bar. */
  readonly label: string;
  /** One line for the help overlay and docs/keys.md. */
  readonly description: string;
  /** When it applies, in words (docs) and as a predicate: the overlay, what the runbook has, what is selected. Dispatch takes the first binding that applies. */
  readonly whenText: string;
  readonly when: (c: KeyContext) => boolean;
  /**
   * Why it cannot act now, asked of the engine's refusal function (session/intents.ts; lazygit's
   * GetDisabledReason): with a reason the key stays out of the hint bar and a press says the reason.
   */
  readonly disabledReason?: (c: KeyContext) => string | undefined;
  /** A read-only follower (`cockpit watch`) may press it: it looks, scrolls, opens a view or leaves. Else a press says how to act. */
  readonly followerSafe: boolean;
  readonly showInBar: boolean;
  /** Shown in the hint bar only when this holds too: a display choice, never a rule (the key still acts). */
  readonly bar?: (c: KeyContext) => boolean;
  readonly run: (c: KeyContext) => void;
};

/** A binding's `when` that always holds. */
export const always = (): boolean => true;
