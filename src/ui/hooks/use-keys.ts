/** Keyboard input → the keymap. Text dialogs take printable keys; R stays rollback everywhere. */
import { useInput, useStdin, type Key } from 'ink';
import { useCallback, useRef } from 'react';
import { bindingsFor, confirmStyle, unknownKeyNotice, type KeyContext } from '../keymap.js';
import { topOverlay } from '../ui-state.js';

export function keyName(input: string, key: Key): string | undefined {
  if (key.ctrl && input === 'c') return 'ctrl+c';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.tab) return 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (input === ' ') return 'space';
  if (key.ctrl || key.meta) return undefined;
  return input.length > 0 ? input[0] : undefined;
}

/** Handles one keypress (exported for tests that drive it without a terminal). */
export function handleKey(input: string, key: Key, ctx: Omit<KeyContext, 'burst'>): void {
  const name = keyName(input, key);
  const printable = input.length > 0 && !key.ctrl && !key.meta && !key.return && !key.escape && !key.tab && !key.backspace && !key.delete && !/[\x00-\x1f]/.test(input);
  const burst = printable && [...input].length > 1;
  const c: KeyContext = { ...ctx, burst, key: name };
  ctx.keyPressed?.(ctx.now);
  if (name === undefined) return;
  const top = topOverlay(ctx.ui);
  const textEntry = top?.kind === 'skip' || top?.kind === 'flag-force' || top?.kind === 'unguarded' || (top?.kind === 'rollback' && confirmStyle(ctx) === 'type-name') || (top?.kind === 'leave' && top.typing);
  // R stays rollback while typing a reason or a flag name; in the rollback dialog it is a letter
  if (textEntry && top && (name === 'backspace' || (printable && !(top.kind !== 'rollback' && input === 'R')))) {
    const current = top.kind === 'skip' ? top.text : top.kind === 'rollback' || top.kind === 'flag-force' || top.kind === 'unguarded' || top.kind === 'leave' ? top.typed : '';
    const next = name === 'backspace' ? current.slice(0, -1) : current + input;
    if (top.kind === 'skip') ctx.dispatch({ type: 'overlay-replaced', overlay: { ...top, text: next } });
    else if (top.kind === 'rollback' || top.kind === 'flag-force' || top.kind === 'unguarded') ctx.dispatch({ type: 'overlay-replaced', overlay: { ...top, typed: next } });
    else if (top.kind === 'leave') ctx.dispatch({ type: 'overlay-replaced', overlay: { ...top, typed: next, error: undefined } });
    return;
  }
  const scope = top?.kind ?? 'main';
  const binding = bindingsFor(scope, name, c);
  if (binding) return binding.run(c);
  // a key that does nothing here says so (and what it may have meant), once per press
  const notice = unknownKeyNotice(scope, name, c);
  if (notice) ctx.notice(notice);
}

/**
 * Every key is handled with the context of the latest render. The handler is one function for
 * the screen's life, reading the context from a ref set at each render: a handler re-subscribed
 * by an effect after each render lags the render it belongs to (React runs effects later; on a
 * loaded machine a key came 40-80 ms after a frame and was still judged by the frame before it,
 * e.g. "y" on the quit dialog taken for a key of the main screen).
 */
export function useKeys(getContext: () => Omit<KeyContext, 'burst'>): void {
  const { isRawModeSupported } = useStdin();
  const latest = useRef(getContext);
  latest.current = getContext;
  const handler = useCallback((input: string, key: Key) => handleKey(input, key, latest.current()), []);
  useInput(handler, { isActive: isRawModeSupported === true });
}
