import { type ArchiveImage, createImageService, writeImageToStore } from '@berth/image';
import type { Engine } from './engine.js';
import { EventBus } from './events/event-bus.js';
import { createImagesApi } from './images/engine-images.js';
import { createContainersApi } from './containers/engine-containers.js';
import type { EngineComponents } from './internal/engine-components.js';
import type { EngineContext } from './internal/engine-context.js';
import { guardClosed } from './internal/closed-guard.js';
import { createNetworksApi } from './networks/engine-networks.js';
import { createSystemApi } from './system/engine-system.js';
import { createVolumesApi } from './volumes/engine-volumes.js';

/** Options of {@link composeEngine} that are not components. */
export interface ComposeOptions {
  /** Events kept for replay (default 1024). */
  eventCapacity?: number;
  /** Images to store and name before the engine is returned (no events: nobody can listen yet). */
  images?: readonly ArchiveImage[];
}

/**
 * The one engine implementation: builds the services over the components, wires every
 * change to the event bus, and returns the {@link Engine}. Both factories end here, so the
 * real and the memory engine share all behaviour above the components.
 */
export async function composeEngine(components: EngineComponents, options: ComposeOptions = {}): Promise<Engine> {
  const bus = new EventBus({ ...(options.eventCapacity ? { capacity: options.eventCapacity } : {}) });
  // Containers register themselves here once their part is built; images ask it about users.
  const hooks: Pick<EngineContext, 'imageUsers' | 'containerCount'> = {
    imageUsers: () => [],
    containerCount: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
  };
  const images = createImageService({
    content: components.content,
    images: components.imageStore,
    isInUse: (imageId) => hooks.imageUsers(imageId),
    ...(components.platform ? { platform: components.platform } : {}),
  });
  const volumes = await components.openVolumes((event) =>
    bus.emit({ type: 'volume', action: event.action, actor: { id: event.name, attributes: event.attributes } }),
  );
  const context: EngineContext = {
    components,
    bus,
    images,
    volumes,
    imageUsers: (imageId) => hooks.imageUsers(imageId),
    containerCount: () => hooks.containerCount(),
  };
  for (const seed of options.images ?? []) {
    const target = await writeImageToStore(seed.image, components.content);
    if (seed.tags.length === 0) await images.putImage({ target });
    for (const tag of seed.tags) await images.putImage({ target, reference: tag });
  }
  const containerPart = await createContainersApi(context);
  hooks.imageUsers = containerPart.imageUsers;
  hooks.containerCount = containerPart.count;
  const imagesApi = createImagesApi(context);
  const volumesApi = createVolumesApi(context);
  const networksApi = createNetworksApi(context, { connect: containerPart.connect, disconnect: containerPart.disconnect });
  const containersApi = containerPart.api;
  const systemApi = createSystemApi(context, { images: imagesApi, containers: containersApi, networks: networksApi, volumes: volumesApi });

  let closing: Promise<void> | undefined;
  const isClosed = () => closing !== undefined;
  const close = () =>
    (closing ??= (async () => {
      await containerPart.close();
      bus.close();
      await components.networks.close();
      await components.release();
    })());

  return {
    images: guardClosed(imagesApi, isClosed, { pull: 'handle', push: 'handle' }),
    containers: guardClosed(containersApi, isClosed, { logs: 'iterable', stats: 'iterable' }),
    networks: guardClosed(networksApi, isClosed),
    volumes: guardClosed(volumesApi, isClosed),
    system: guardClosed(systemApi, isClosed),
    events: (eventOptions) => bus.subscribe(eventOptions),
    close,
    [Symbol.asyncDispose]: close,
  };
}
