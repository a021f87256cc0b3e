/** Every state has an icon and a word (never colour alone), and a theme slot for its colour. */
import type { Phase } from '../session/reduce.js';
import type { Slot } from './theme.js';

export type AnyStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped' | 'interrupted' | 'rolled-back';

export const ICON: Record<AnyStatus, string> = {
  pending: '○',
  running: '◐',
  passed: '✓',
  failed: '✗',
  skipped: '↷',
  interrupted: '■',
  'rolled-back': '↺',
};

export const WORD: Record<AnyStatus, string> = {
  pending: 'pending',
  running: 'running',
  passed: 'passed',
  failed: 'FAILED',
  skipped: 'skipped',
  interrupted: 'interrupted',
  'rolled-back': 'rolled back',
};

export const SLOT: Record<AnyStatus, Slot> = {
  pending: 'stage.pending',
  running: 'stage.running',
  passed: 'stage.passed',
  failed: 'stage.failed',
  skipped: 'stage.skipped',
  interrupted: 'stage.interrupted',
  'rolled-back': 'stage.rolledBack',
};

export function phaseWord(p: Phase, waiting: boolean): string {
  switch (p) {
    case 'ready':
      return 'READY';
    case 'preflight':
      return waiting ? 'READY' : 'PRE-FLIGHT';
    case 'running':
      return waiting ? 'READY' : 'RUNNING';
    case 'passed':
      return 'PASSED';
    case 'failed':
      return 'FAILED';
    case 'rolling-back':
      return 'ROLLING BACK';
    case 'rolled-back':
      return 'ROLLED BACK';
    case 'rollback-failed':
      return 'ROLLBACK FAILED';
    case 'interrupted':
      return 'INTERRUPTED';
  }
}

export function phaseSlot(p: Phase): Slot {
  if (p === 'passed') return 'stage.passed';
  if (p === 'failed' || p === 'rollback-failed') return 'stage.failed';
  if (p === 'rolling-back' || p === 'rolled-back') return 'stage.rolledBack';
  if (p === 'interrupted') return 'stage.interrupted';
  return 'stage.running';
}
