/**
 * The running step's spinner (src/ui/components/RunningIcon.tsx) turns through RUNNING_FRAMES:
 * screens are compared with every frame read as the static running icon, so an expectation does
 * not depend on the moment the screen was read. Tests of the turning itself read the raw frames.
 */
import { RUNNING_FRAMES } from '../../src/ui/components/RunningIcon.js';
import { ICON } from '../../src/ui/status.js';

const FRAME = new RegExp(`[${RUNNING_FRAMES.join('')}]`, 'g');

export function stillSpinner(screen: string): string {
  return screen.replace(FRAME, ICON.running);
}

/** The spinner frames in `text`, in order. */
export function spinnerFrames(text: string): string[] {
  return text.match(FRAME) ?? [];
}
