/**
 * The host-wide coordination helpers of `@berth/testkit` without vitest: usable in child
 * processes a test starts (an engine it SIGKILLs, say) as well as in test files.
 * @packageDocumentation
 */
export { tryHostLock, withForwardPolicy, withHostLock } from './host-lock.js';
export { reserveTestSubnet } from './test-subnet.js';
export type { TestSubnet } from './test-subnet.js';
