/**
 * Conformance suites every implementation of a @berth/container seam runs (vitest).
 *
 * @packageDocumentation
 */
export { describeOciRuntime } from './oci-runtime-suite.js';
export type { OciRuntimeFixture, OciRuntimeFactory, OciRuntimeCapabilities, SuiteBundle } from './oci-runtime-suite.js';
