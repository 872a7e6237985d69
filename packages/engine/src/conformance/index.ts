/**
 * The `Engine` conformance suite, for every implementation of the interface.
 *
 * @packageDocumentation
 */
export { describeEngine } from './describe-engine.js';
export type { EngineFactory, EngineUnderTest, EngineCapabilities } from './engine-fixture.js';
