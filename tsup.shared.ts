import type { Options } from 'tsup';

/** The build every package shares: ESM plus declarations, one output per entry. */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
  };
}
