import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { createEngine } from '@berth/engine';
import { describeEngine } from '@berth/engine/conformance';

// The real engine: runc under conmon, overlayfs, the local volume driver, real network
// namespaces. Networks use the memory driver under the `bridge` name so the suite leaves no
// bridges or iptables chains behind (the bridge driver has its own integration tests).
describeIntegration('linux engine', { root: true, commands: ['runc', 'conmon'] }, () => {
  describeEngine('linux engine (runc, overlayfs)', async () => {
    const dir = await makeTempDir('berth-linux-engine');
    // Short state root: conmon's attach socket paths must fit in 108 bytes.
    const stateRoot = `/run/bt-${randomBytes(4).toString('hex')}`;
    const engine = await createEngine({
      dataRoot: join(dir.path, 'data'),
      stateRoot,
      networkDrivers: [createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()],
      hostNet: createLinuxHostNet(),
    });
    return {
      engine,
      dispose: async () => {
        for (const container of await engine.containers.list({ all: true })) {
          await engine.containers.remove(container.id, { force: true }).catch(() => undefined);
        }
        await engine.close();
        await dir.remove();
        await rm(stateRoot, { recursive: true, force: true });
      },
    };
  });
});
