import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Under CI (.ci/run) a JSON report is written too, from which .ci/run prints each file's duration and "N passed, N failed".
const ci = process.env.CI !== undefined && process.env.CI !== 'false' && process.env.CI !== '0';
const cores = availableParallelism();

/**
 * The tiers, one vitest project each (`vitest run --project unit`):
 *  - unit: pure functions, the engine on a FakeClock, the CLI in-process through main(argv, io) (no real child processes);
 *  - ui: the screen through ink-testing-library (test/helpers/ink.ts);
 *  - integration: real processes, sockets and files, in-process or a few children (flag providers, Prometheus, HTTP);
 *  - e2e: the built binary (dist/) as a real process, in tmux where a real terminal is needed.
 * `npm run test:fast` is unit + ui; `npm test` runs all four.
 */
const tier = (name: string, o: { maxWorkers?: number; groupOrder?: number; isolate?: boolean } = {}) => ({
  extends: true as const,
  test: {
    name,
    include: [`test/${name}/**/*.test.ts`, `test/${name}/**/*.test.tsx`],
    ...(o.isolate === undefined ? {} : { isolate: o.isolate }),
    ...(o.maxWorkers === undefined ? {} : { maxWorkers: o.maxWorkers }),
    ...(o.groupOrder === undefined ? {} : { sequence: { groupOrder: o.groupOrder } }),
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // the compute-bound tiers: one worker a core (vitest's default leaves one core idle)
    maxWorkers: Math.max(2, cores),
    projects: [
      // unit and ui files share their worker's module graph (isolate: false): importing Ink, React
      // and the engine once a worker instead of once a file takes test:fast from ~150 s to ~75 s.
      // Tests that start real processes (runner, escaped processes, the Markdown worker's time
      // limit, process trees) are integration tests.
      tier('unit', { isolate: false }),
      tier('ui', { isolate: false }),
      // integration and e2e too: a fresh worker and module graph a file cost ~22 s of CPU and ~14 s of
      // the integration tier's 160 s (measured); their files share no module state they rely on
      tier('integration', { isolate: false }),
      // e2e files run after the other tiers (their own group), one a core: three at a time on two
      // cores starved their real-time metric fetches and demos (STALE samples, stages over budget)
      tier('e2e', { maxWorkers: Math.max(2, cores), groupOrder: 1, isolate: false }),
    ],
    reporters: ci ? ['default', ['json', { outputFile: '.ci/results.json' }]] : ['default'],
  },
});
