/** Berth's own test helpers; private to the monorepo. @packageDocumentation */
export { describeIntegration } from './integration.js';
export type { IntegrationNeeds } from './integration.js';
export { uniqueName, makeTempDir } from './temp.js';
export { freePort, startDockerRegistry } from './docker-registry.js';
export type { DockerRegistry, DockerRegistryOptions } from './docker-registry.js';
export { tryHostLock, withForwardPolicy, withHostLock } from './host-lock.js';
export { reserveTestSubnet } from './test-subnet.js';
export type { TestSubnet } from './test-subnet.js';
