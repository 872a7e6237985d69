/**
 * `@berth/engine-client`: the `Engine` interface of `@berth/engine` over the Docker Engine
 * API, for any dockerd or berthd — unix socket or TCP+TLS, `DOCKER_HOST`, API version
 * negotiation, streams as async iterators, hijacked attach and exec, real aborts.
 *
 * @packageDocumentation
 */

// --- client ---
export { createEngineClient } from './create-engine-client.js';
export type { EngineClient, EngineClientOptions } from './create-engine-client.js';
export { resolveDockerHost, DEFAULT_DOCKER_HOST } from './docker-host.js';
export type { DockerEndpoint, EngineClientTls } from './docker-host.js';
export { errorFromStatus } from './http-errors.js';
