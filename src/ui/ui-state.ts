/**
 * The screen's own state (what is selected, which overlays are open, scroll, notices) as a reducer
 * with named actions. Nothing here decides about the release: that is the controller's.
 */

export type Overlay =
  | { readonly kind: 'help'; readonly offset?: number }
  | { readonly kind: 'why' }
  | { readonly kind: 'emergency'; readonly selected: number }
  | { readonly kind: 'rollback'; readonly openedAt: number; readonly focus: 'cancel' | 'confirm'; readonly typed: string; readonly ignored: number }
  | { readonly kind: 'skip'; readonly text: string }
  /** Quit while a step runs, or while escalation levels are still due (the next one named). */
  | { readonly kind: 'quit'; readonly escalation?: { readonly level: number; readonly dueAt: number } }
  | { readonly kind: 'experiment'; readonly index: number; readonly decision?: 'keep' | 'kill' | 'iterate' | 'scale'; readonly openedAt: number }
  | { readonly kind: 'flag-kill'; readonly flag: string; readonly openedAt: number; readonly ignored: number }
  | { readonly kind: 'flag-force'; readonly flag: string; readonly to: number; readonly typed: string; readonly openedAt: number }
  | { readonly kind: 'interrupt'; readonly openedAt: number }
  /** Proceed past the failed guardrail self-test: confirmed by typing "unguarded". */
  | { readonly kind: 'unguarded'; readonly typed: string; readonly openedAt: number }
  /**
   * Leaving while the guardrails watch production (session/leave-policy.ts): roll back / keep
   * guarding in the background / leave unguarded (`typing`: the operator is typing the word).
   */
  | { readonly kind: 'leave'; readonly openedAt: number; readonly watching: string; readonly noHandOver?: string; readonly typing: boolean; readonly typed: string; readonly error?: string };

export type Focus = 'checklist' | 'output' | 'flags';

export type UiState = {
  readonly overlays: readonly Overlay[];
  /** Selected checklist row id (stage/step); undefined follows the release. */
  readonly selected?: string;
  readonly focus: Focus;
  /** Output pane: follow the end, or stay `scroll` lines up from the end. */
  readonly follow: boolean;
  readonly scroll: number;
  readonly notice?: { readonly text: string; readonly at: number };
  /** Time of the previous keypress (the burst guard needs it). */
  readonly ctrlCAt?: number;
  /** The selected flag (index into the runbook's ramps) and the change proposed for it. */
  readonly flagIndex: number;
  readonly proposal?: { readonly flag: string; readonly to: number };
};

export const initialUi: UiState = { overlays: [], focus: 'checklist', follow: true, scroll: 0, flagIndex: 0 };

export type UiAction =
  | { readonly type: 'overlay-opened'; readonly overlay: Overlay }
  | { readonly type: 'overlay-closed' }
  | { readonly type: 'overlay-replaced'; readonly overlay: Overlay }
  | { readonly type: 'overlays-cleared' }
  | { readonly type: 'selected'; readonly id: string | undefined }
  | { readonly type: 'focus-toggled'; readonly withFlags?: boolean }
  | { readonly type: 'flag-selected'; readonly index: number }
  | { readonly type: 'flag-proposed'; readonly proposal?: { readonly flag: string; readonly to: number } }
  | { readonly type: 'scrolled'; readonly by: number; readonly max: number }
  | { readonly type: 'scrolled-to'; readonly where: 'top' | 'bottom'; readonly max: number }
  | { readonly type: 'follow-toggled' }
  | { readonly type: 'notice-shown'; readonly text: string; readonly at: number }
  | { readonly type: 'notice-cleared' }
  | { readonly type: 'ctrl-c'; readonly at: number };

export function uiReduce(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'overlay-opened':
      return { ...s, overlays: [...s.overlays.filter((o) => o.kind !== a.overlay.kind), a.overlay] };
    case 'overlay-closed':
      // answering the interrupt dialog ends the double-Ctrl+C window: the next Ctrl+C asks again
      return { ...s, overlays: s.overlays.slice(0, -1), ctrlCAt: topOverlay(s)?.kind === 'interrupt' ? undefined : s.ctrlCAt };
    case 'overlay-replaced':
      return { ...s, overlays: [...s.overlays.slice(0, -1), a.overlay] };
    case 'overlays-cleared':
      return { ...s, overlays: [] };
    case 'selected':
      return { ...s, selected: a.id, follow: true, scroll: 0 };
    case 'focus-toggled': {
      const order: Focus[] = a.withFlags ? ['checklist', 'output', 'flags'] : ['checklist', 'output'];
      return { ...s, focus: order[(order.indexOf(s.focus) + 1) % order.length] };
    }
    case 'flag-selected':
      return { ...s, flagIndex: a.index, proposal: undefined };
    case 'flag-proposed':
      return { ...s, proposal: a.proposal };
    case 'scrolled': {
      const scroll = Math.max(0, Math.min(a.max, s.scroll - a.by));
      return { ...s, scroll, follow: scroll === 0 };
    }
    case 'scrolled-to':
      return a.where === 'top' ? { ...s, scroll: a.max, follow: false } : { ...s, scroll: 0, follow: true };
    case 'follow-toggled':
      return s.follow ? { ...s, follow: false } : { ...s, follow: true, scroll: 0 };
    case 'notice-shown':
      return { ...s, notice: { text: a.text, at: a.at } };
    case 'notice-cleared':
      return { ...s, notice: undefined };
    case 'ctrl-c':
      return { ...s, ctrlCAt: a.at };
  }
}

export function topOverlay(s: UiState): Overlay | undefined {
  return s.overlays[s.overlays.length - 1];
}
