import type { Engine } from '@berth/engine';
import { clientContainers } from './client-containers.js';
import { clientEvents } from './client-events.js';
import { clientImages } from './client-images.js';
import { clientNetworks } from './client-networks.js';
import { clientSystem } from './client-system.js';
import { clientVolumes } from './client-volumes.js';
import { type EngineClientTls, resolveDockerHost } from './docker-host.js';
import { DockerTransport } from './internal/docker-transport.js';

/** An {@link Engine} over the Docker API, which also tells the API version it speaks. */
export interface EngineClient extends Engine {
  /** The negotiated (or fixed) API version; pings the daemon on first use. */
  apiVersion(): Promise<string>;
}

/** Options of {@link createEngineClient}. */
export interface EngineClientOptions {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`…; default `DOCKER_HOST`, else the unix socket. */
  host?: string;
  /** TLS material for `tcp://` (or `true`: from `DOCKER_CERT_PATH`/`~/.docker`); default from `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`. */
  tls?: EngineClientTls | boolean;
  /** Speak this API version (`1.41`) instead of negotiating it with `/_ping`. */
  apiVersion?: string;
  /** Closes the client when aborted: every request and stream of it ends. */
  signal?: AbortSignal;
  /** Environment to read `DOCKER_*` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * An {@link Engine} over the Docker Engine API: any dockerd, or berthd. Connects lazily: the
 * first call pings the daemon and settles the API version at the lower of ours (1.47) and its
 * `Api-Version`. Errors are `@berth/errdefs` classes chosen by the HTTP status, with the
 * daemon's message; streams (logs, stats, events, progress) are async iterators; attach and
 * exec hijack a connection of their own. Lifecycle: `close()` (or `await using`) destroys
 * every connection, which ends open streams; containers keep running.
 *
 * ```ts
 * await using engine = createEngineClient({ host: 'unix:///var/run/docker.sock' });
 * const { id } = await engine.containers.create({ image: 'busybox', cmd: ['true'] });
 * ```
 */
export function createEngineClient(options: EngineClientOptions = {}): EngineClient {
  const endpoint = resolveDockerHost(
    { ...(options.host !== undefined ? { host: options.host } : {}), ...(options.tls !== undefined ? { tls: options.tls } : {}) },
    options.env ?? process.env,
  );
  const transport = new DockerTransport(endpoint, { apiVersion: options.apiVersion, signal: options.signal });
  const context = { transport };
  const images = clientImages(context);
  const containers = clientContainers(context);
  const networks = clientNetworks(context);
  const volumes = clientVolumes(context);
  const system = clientSystem(context, { images, containers, networks, volumes });
  const close = () => transport.close();
  return {
    images,
    containers,
    networks,
    volumes,
    system,
    events: (eventOptions) => clientEvents(context, eventOptions),
    apiVersion: () => transport.apiVersion(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
