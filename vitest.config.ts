import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (one core less than the machine has) runs one file at a time on a 2-core machine:
    // 220 s here, mostly waiting on fakes with latency, about one core busy. Two files at once: 136 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
