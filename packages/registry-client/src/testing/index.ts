/**
 * Test doubles for users of `@berth/registry-client`: an in-memory OCI registry as a
 * `node:http` handler (or started on a free port), with optional basic or token auth and
 * fault injection (error statuses with `Retry-After`, corrupted bodies, dropped connections).
 *
 * @packageDocumentation
 */
export { MemoryRegistry } from './memory-registry.js';
export type { MemoryRegistryOptions, RecordedRequest } from './memory-registry.js';
export type { MemoryRegistryAuth } from './memory-registry-auth.js';
export { memoryRegistryService } from './memory-registry-auth.js';
export type { RegistryFault, FaultMatch } from './faults.js';
export { startMemoryRegistry } from './serve.js';
export type { MemoryRegistryServer } from './serve.js';
