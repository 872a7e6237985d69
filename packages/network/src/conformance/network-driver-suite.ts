import { randomBytes } from 'node:crypto';
import { errorCode } from '@berth/errdefs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriverEndpointSpec, DriverNetworkSpec, NetworkDriver } from '../network-driver.js';

/** A namespace the suite plugs into networks; `remove` deletes it. */
export interface SandboxHandle {
  netnsPath: string;
  remove(): Promise<void>;
}

/** What the suite needs to exercise one driver. */
export interface NetworkDriverFixture {
  /** A fresh driver; closed by the suite after each test. */
  createDriver(): Promise<NetworkDriver>;
  /** A fresh container namespace. */
  createSandbox(): Promise<SandboxHandle>;
  /**
   * A free IPv4 /24 for test network number `index` (0, 1, …) — unique per test file, so
   * real runs never collide with the host's routes or parallel tests: e.g. `10.213.7.0/24`.
   */
  subnet(index: number): string;
  /** Whether a process in `netnsPath` reaches `address`; connectivity cases are skipped without it. */
  canReach?(driver: NetworkDriver, netnsPath: string, address: string): Promise<boolean>;
  /** Extra options for every network (a unique bridge name per network for the bridge driver). */
  networkOptions?(index: number): Record<string, string>;
  /** Checked after each test once everything was removed: nothing left behind (links, rules…). */
  assertClean?(): Promise<void>;
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return errorCode(error);
  }
  return 'resolved';
}

/**
 * The conformance suite every {@link NetworkDriver} runs (containerd-style): lifecycle of
 * networks and endpoints, the error taxonomy, and — when the fixture can probe — that
 * endpoints on one network reach each other and not endpoints of another network.
 */
export function describeNetworkDriver(name: string, fixture: NetworkDriverFixture): void {
  describe(`NetworkDriver conformance: ${name}`, () => {
    let driver: NetworkDriver;
    let networks: string[];
    let endpoints: Array<[string, string]>;
    let sandboxes: SandboxHandle[];

    beforeEach(async () => {
      driver = await fixture.createDriver();
      networks = [];
      endpoints = [];
      sandboxes = [];
    });

    afterEach(async () => {
      for (const [networkId, endpointId] of endpoints) await driver.disconnectEndpoint(networkId, endpointId).catch(() => undefined);
      for (const networkId of networks) await driver.removeNetwork(networkId).catch(() => undefined);
      for (const sandbox of sandboxes) await sandbox.remove().catch(() => undefined);
      await driver.close();
      await fixture.assertClean?.();
    });

    function networkSpec(index: number, overrides: Partial<DriverNetworkSpec> = {}): DriverNetworkSpec {
      const subnet = fixture.subnet(index);
      const base = subnet.replace(/\.0\/\d+$/, '');
      return {
        id: newId(),
        name: `conformance-${index}`,
        internal: false,
        options: fixture.networkOptions?.(index) ?? {},
        ...(driver.capabilities.ipam ? { ipv4: { subnet, gateway: `${base}.1` } } : {}),
        ...overrides,
      };
    }

    async function createNetwork(index: number, overrides: Partial<DriverNetworkSpec> = {}): Promise<DriverNetworkSpec> {
      const spec = networkSpec(index, overrides);
      await driver.createNetwork(spec);
      networks.push(spec.id);
      return spec;
    }

    async function sandbox(): Promise<SandboxHandle> {
      const handle = await fixture.createSandbox();
      sandboxes.push(handle);
      return handle;
    }

    async function connect(network: DriverNetworkSpec, host: number, netnsPath: string, extra: Partial<DriverEndpointSpec> = {}): Promise<DriverEndpointSpec> {
      const spec: DriverEndpointSpec = {
        networkId: network.id,
        endpointId: newId(),
        containerId: newId(),
        netnsPath,
        interfaceName: 'eth0',
        defaultRoute: true,
        ports: [],
        ...(network.ipv4 ? { ipv4Address: `${network.ipv4.subnet.replace(/\.0\/(\d+)$/, `.${host}/$1`)}` } : {}),
        ...extra,
      };
      await driver.connectEndpoint(spec);
      endpoints.push([network.id, spec.endpointId]);
      return spec;
    }

    it('creates and removes a network; removing it again is NotFound', async () => {
      const network = await createNetwork(0);
      await driver.removeNetwork(network.id);
      expect(await codeOf(driver.removeNetwork(network.id))).toBe('NotFound');
    });

    it('refuses a second network with the same id (AlreadyExists)', async () => {
      const network = await createNetwork(0);
      expect(await codeOf(driver.createNetwork(network))).toBe('AlreadyExists');
    });

    it('connects and disconnects an endpoint, reporting its interface', async () => {
      const network = await createNetwork(0);
      const box = await sandbox();
      const endpoint = await connect(network, 2, box.netnsPath);
      await driver.disconnectEndpoint(network.id, endpoint.endpointId);
      await driver.removeNetwork(network.id);
    });

    it('will not remove a network that has endpoints (Conflict)', async () => {
      const network = await createNetwork(0);
      const box = await sandbox();
      const endpoint = await connect(network, 2, box.netnsPath);
      expect(await codeOf(driver.removeNetwork(network.id))).toBe('Conflict');
      await driver.disconnectEndpoint(network.id, endpoint.endpointId);
      await driver.removeNetwork(network.id);
    });

    it('rejects endpoints on unknown networks (NotFound) and duplicate endpoint ids (AlreadyExists)', async () => {
      const network = await createNetwork(0);
      const box = await sandbox();
      expect(await codeOf(connect({ ...network, id: newId() }, 2, box.netnsPath))).toBe('NotFound');
      const endpoint = await connect(network, 2, box.netnsPath);
      expect(await codeOf(driver.connectEndpoint(endpoint))).toBe('AlreadyExists');
    });

    it('disconnects idempotently', async () => {
      const network = await createNetwork(0);
      await driver.disconnectEndpoint(network.id, newId());
    });

    it('lets endpoints on one network reach each other, and not endpoints of another network', async (context) => {
      if (!fixture.canReach || !driver.capabilities.ipam || !driver.capabilities.multipleNetworks) return context.skip();
      const first = await createNetwork(0);
      const second = await createNetwork(1);
      const [a, b, c] = [await sandbox(), await sandbox(), await sandbox()];
      const endpointA = await connect(first, 2, a.netnsPath);
      await connect(first, 3, b.netnsPath);
      await connect(second, 2, c.netnsPath);
      const addressOf = (network: DriverNetworkSpec, host: number) => network.ipv4?.subnet.replace(/\.0\/\d+$/, `.${host}`) ?? '';
      expect(await fixture.canReach(driver, a.netnsPath, addressOf(first, 3))).toBe(true);
      expect(await fixture.canReach(driver, b.netnsPath, addressOf(first, 2))).toBe(true);
      expect(await fixture.canReach(driver, a.netnsPath, addressOf(second, 2))).toBe(false);
      await driver.disconnectEndpoint(first.id, endpointA.endpointId);
      expect(await fixture.canReach(driver, b.netnsPath, addressOf(first, 2))).toBe(false);
    });
  });
}
