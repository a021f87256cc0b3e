import { describe, expect, it } from 'vitest';
import { readingOf } from '../../src/session/view/metric-reading.js';

describe('readingOf: where a metric series stands (the screen and the wallboard both ask it)', () => {
  it.each([
    ['no state at all', undefined, 'waiting'],
    ['no sample yet', { samples: [], misses: 0 }, 'waiting'],
    ['its latest sample has a value', { samples: [[1, 3] as const], misses: 0 }, 'fresh'],
    ['a value of 0 is a value', { samples: [[1, 0] as const], misses: 0 }, 'fresh'],
    ['its latest sample is missing', { samples: [[1, 3] as const, [2, null] as const], misses: 1 }, 'no data'],
    ['missing from the start', { samples: [[1, null] as const], misses: 1 }, 'no data'],
    ['a value after misses', { samples: [[1, null] as const, [2, 5] as const], misses: 0 }, 'fresh'],
    ['not a finite number', { samples: [[1, Number.NaN] as const], misses: 0 }, 'no data'],
  ])('%s: %s', (_what, st, want) => {
    expect(readingOf(st)).toBe(want);
  });
});
