import { createMemoryDriver, MemoryNetworkDriver } from '@berth/network';
import { describeNetworkDriver } from '@berth/network/conformance';

let sandboxes = 0;

describeNetworkDriver('memory', {
  createDriver: async () => createMemoryDriver(),
  createSandbox: async () => ({ netnsPath: `/memory/netns/${(sandboxes += 1)}`, remove: async () => undefined }),
  subnet: (index) => `10.${100 + index}.0.0/24`,
  canReach: async (driver, netnsPath, address) => (driver as MemoryNetworkDriver).canReach(netnsPath, address),
});
