import { defineConfig } from 'vitest/config';

/**
 * The base every package's vitest config merges. Tests import workspace packages
 * through the `@berth/source` export condition, so they run against `src/` and never
 * wait for a build.
 */
export const sharedVitestConfig = defineConfig({
  resolve: { conditions: ['@berth/source'] },
  ssr: { resolve: { conditions: ['@berth/source'], externalConditions: ['@berth/source'] } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests touch mounts and processes; keep one file per worker at a time.
    pool: 'forks',
  },
});
