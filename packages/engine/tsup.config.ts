import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.ts';

export default defineConfig({
  ...packageBuild({
    index: 'src/index.ts',
    'conformance/index': 'src/conformance/index.ts',
  }),
  external: ['vitest'],
});
