import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeIntegration } from '@berth/testkit';
import { describeOciRuntime } from '@berth/container/conformance';
import { runcFixture } from './runc-fixture.js';

describeIntegration('runc runtime', { root: true, commands: ['runc', 'conmon', 'socat'] }, () => {
  describeOciRuntime('runc', async () => {
    const fixture = await runcFixture();
    return {
      ...fixture,
      async prepare(id) {
        const paths = await fixture.prepare(id);
        await mkdir(dirname(paths.logPath), { recursive: true });
        return paths;
      },
    };
  });
});
