import { defineConfig } from 'vitest/config';

// Under CI (.ci/run) a JSON report is written too, from which .ci/run prints "N passed, N failed".
const ci = process.env.CI !== undefined && process.env.CI !== 'false' && process.env.CI !== '0';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ci ? ['default', ['json', { outputFile: '.ci/results.json' }]] : ['default'],
  },
});
