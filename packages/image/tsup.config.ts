import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.ts';

export default defineConfig({
  ...packageBuild({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'conformance/index': 'src/conformance/index.ts',
    // Started by applyLayerOffThread as `new URL('./layer/apply-worker.js', import.meta.url)` from a chunk in dist/.
    'layer/apply-worker': 'src/layer/internal/apply-worker.ts',
  }),
  external: ['vitest'],
});
