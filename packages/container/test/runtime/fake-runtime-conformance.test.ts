import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { describeOciRuntime } from '@berth/container/conformance';
import { createFakeRuntime } from '../../src/fake/fake-runtime.js';

describeOciRuntime('fake', async () => {
  const dir = await makeTempDir('berth-fake-runtime');
  const runtime = createFakeRuntime();
  return {
    runtime,
    prepare: async (id) => ({ bundle: join(dir.path, id), rootfs: '/nonexistent-rootfs', logPath: join(dir.path, `${id}.log`) }),
    cleanup: () => dir.remove(),
  };
});
