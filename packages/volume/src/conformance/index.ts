/** Conformance suites every implementation of a @berth/volume seam runs. @packageDocumentation */
export { describeVolumeDriver } from './volume-driver-suite.js';
export type { VolumeDriverSuiteCapabilities, VolumeDriverSuiteFactory } from './volume-driver-suite.js';
