import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Under CI (.ci/run) a JSON report is written too, from which .ci/run prints "N passed, N failed".
const ci = process.env.CI !== undefined && process.env.CI !== 'false' && process.env.CI !== '0';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one file at a time on 2 cores (cores - 1); most e2e files wait on real
    // processes, timers and terminals rather than compute, so two at a time nearly halves the suite
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ci ? ['default', ['json', { outputFile: '.ci/results.json' }]] : ['default'],
  },
});
