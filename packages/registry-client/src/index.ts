/**
 * OCI distribution client: pull and push with verified, resumable, concurrent
 * transfers; authentication (basic, bearer tokens, docker's `config.json` and credential
 * helpers); platform selection; mirrors; and `RemoteImage`, the registry as an `Image`
 * source. Test doubles (an in-memory registry) are under `@berth/registry-client/testing`.
 *
 * | medium | source (read) | sink (write) |
 * |---|---|---|
 * | registry | `remoteImage`, `remoteIndex` | `pushImage` |
 * | registry → content store | `pullImage` | |
 *
 * @packageDocumentation
 */

// --- pull ---
export { pullImage } from './pull/pull-image.js';
export type { PullOptions, PullResult, PullHandle } from './pull/pull-image.js';
export type {
  PullEvent,
  PullResolvedEvent,
  PullLayerEvent,
  PullRetryEvent,
  PullTotalsEvent,
  LayerState,
} from './pull/pull-events.js';

// --- push ---
export { pushImage } from './push/push-image.js';
export type { PushOptions, PushResult, PushHandle } from './push/push-image.js';
export type { PushEvent, PushBlobEvent, PushManifestEvent, PushTotalsEvent, PushBlobState } from './push/push-events.js';

// --- remote images ---
export { remoteImage, remoteIndex } from './remote/remote-image.js';
export type { RemoteImage, RemoteIndex, RemoteImageOptions } from './remote/remote-image.js';
export { remoteBlobSource } from './remote/remote-blob-source.js';

// --- client (distribution API) ---
export { createRegistryClient, isLoopbackRegistry, dockerHubHost } from './client/registry-client.js';
export type { RegistryClient, RegistryClientOptions, RegistryHostOptions } from './client/registry-client.js';
export type {
  RemoteRepository,
  FetchedManifest,
  CallOptions,
  UploadOptions,
  UploadOutcome,
  ListOptions,
} from './client/remote-repository.js';
export type { RetryOptions } from './http/retry.js';

// --- auth ---
export { staticCredentials, chainCredentials, canonicalRegistry } from './auth/credentials.js';
export type { Credentials, CredentialSource, AuthOption } from './auth/credentials.js';
export { dockerConfigCredentials } from './auth/docker-config.js';
export type { DockerConfigOptions } from './auth/docker-config.js';
export { parseChallenges } from './auth/challenge.js';
export type { AuthChallenge } from './auth/challenge.js';

// --- errors ---
export { RegistryError, registryErrorOf } from './errors/registry-error.js';
export type { RegistryErrorContext } from './errors/registry-error.js';
export { toBerthError } from './errors/to-berth-error.js';
