import type { ImageService, ImageUser } from '@berth/image';
import type { VolumeService } from '@berth/volume';
import type { EventBus } from '../events/event-bus.js';
import type { EngineComponents } from './engine-components.js';

/**
 * The state the engine's operations share: the components, the services over them, the
 * event bus (the one place events are emitted), and hooks through which one part asks
 * another (images ask containers who uses them) without import cycles.
 */
export interface EngineContext {
  components: EngineComponents;
  bus: EventBus;
  images: ImageService;
  volumes: VolumeService;
  /** Containers using an image (by image ID), for docker's `rmi` conflicts and prune. */
  imageUsers: (imageId: string) => ImageUser[];
  /** Container IDs, for `info` and `df` before the container part is wired. */
  containerCount: () => { total: number; running: number; paused: number; stopped: number };
}
