/** Conformance suites every implementation of a @berth/network seam runs. @packageDocumentation */
export { describeNetworkDriver } from './network-driver-suite.js';
export type { NetworkDriverFixture, SandboxHandle } from './network-driver-suite.js';
