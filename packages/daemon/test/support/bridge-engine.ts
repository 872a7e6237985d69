import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { reserveTestSubnet } from '@berth/testkit/host';
import { type Engine, createEngine } from '@berth/engine';
import {
  type NetworkDriver,
  createBridgeDriver,
  createHostDriver,
  createLinuxHostNet,
  createNoneDriver,
} from '@berth/network';

/**
 * A real Linux engine (runc under conmon, overlayfs) with the real bridge driver under
 * private host names — bridge `bt<tag>`, iptables chains `BT<TAG>…`, subnets in a /16 no
 * host route touches — and its cleanup. The pattern of the engine package's
 * `linux-net-fixture.ts` (not imported: packages do not import each other's tests).
 */
export interface BridgeEngine {
  engine: Engine;
  /** Short random hex in every host-visible name. */
  tag: string;
  /** A /24 of the test's free /16 per index (1 is the default bridge's). */
  subnet(index: number): string;
  /** Removes every container and network (the default bridge's link and chains too), closes the engine, removes the state root. */
  dispose(): Promise<void>;
}

/** Opens the engine with its data root under `workDir` (removed by the caller) and state under `/run/bt-<tag>`. */
export async function openBridgeEngine(workDir: string): Promise<BridgeEngine> {
  const tag = randomBytes(3).toString('hex');
  const stateRoot = `/run/bt-${tag}`;
  const hostNet = createLinuxHostNet();
  const reserved = await reserveTestSubnet();
  const subnetBase = reserved.base;
  const subnet = (index: number) => `${subnetBase}.${index}.0/24`;
  const bridge: NetworkDriver = createBridgeDriver({ hostNet, chainPrefix: `BT${tag.toUpperCase()}` });
  let engine: Engine | undefined;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    if (engine) {
      for (const container of await engine.containers.list({ all: true })) {
        await engine.containers.remove(container.id, { force: true, volumes: true }).catch(() => undefined);
      }
      for (const network of await engine.networks.list({ filters: { type: ['custom'] } })) {
        await engine.networks.remove(network.id).catch(() => undefined);
      }
      // The predefined `bridge` cannot be removed through the engine; its link and chains are the test's.
      const defaultBridge = await engine.networks.inspect('bridge').catch(() => undefined);
      if (defaultBridge) await bridge.removeNetwork(defaultBridge.id).catch(() => undefined);
      await engine.close();
    }
    await rm(stateRoot, { recursive: true, force: true });
    await reserved.release();
  };
  try {
    engine = await createEngine({
      dataRoot: join(workDir, 'data'),
      stateRoot,
      hostNet,
      networkDrivers: [bridge, createHostDriver(), createNoneDriver()],
      defaultBridge: { bridgeName: `bt${tag}`, subnet: subnet(1) },
    });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { engine, tag, subnet, dispose };
}
