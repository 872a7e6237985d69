import { limitConcurrency } from '@berth/image';
import type { Snapshotter } from '@berth/image';
import type { EngineContext } from '../internal/engine-context.js';
import { containerSnapshotKey } from './container-create.js';

/** What docker's `--size` adds to a container: its writable layer and its whole root file system, in bytes. */
export interface ContainerSizes {
  sizeRw: number;
  sizeRootFs: number;
}

/** How many containers' layers a listing measures at once: each is a tree walk, so bounded. */
const concurrentMeasures = 4;

/**
 * Bytes of a container's writable layer (docker's `SizeRw`): its snapshot's own usage. A
 * snapshotter whose active snapshots are full copies of their parent (whiteout format
 * `oci`) reports the whole tree, so the parent's usage is taken off: what the container
 * added (clamped at 0 when it deleted more than it wrote). A container whose snapshot is
 * gone (being removed) measures 0, as dockerd answers when it cannot find the layer.
 */
export async function writableLayerSize(
  snapshotter: Snapshotter,
  containerId: string,
  parentUsage: (key: string) => Promise<number> = async (key) => (await snapshotter.usage(key)).size,
): Promise<number> {
  const key = containerSnapshotKey(containerId);
  try {
    const own = (await snapshotter.usage(key)).size;
    if (snapshotter.whiteoutFormat !== 'oci') return own;
    const { parent } = await snapshotter.stat(key);
    if (parent === undefined) return own;
    return Math.max(0, own - (await parentUsage(parent)));
  } catch {
    return 0;
  }
}

/** `lookup` once per key: later calls share the first one's promise. */
function memoized<T>(lookup: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (key) => {
    let answer = answers.get(key);
    if (!answer) {
      answer = lookup(key);
      answers.set(key, answer);
    }
    return answer;
  };
}

/**
 * Measures containers as dockerd's `getSize` does: `sizeRootFs` is the image's size (its
 * layers) plus the writable layer. One measurer serves one listing: an image's size (and,
 * for a copying snapshotter, its tree's usage) is looked up once however many containers
 * use it, and at most a few layers are walked at once. An image that is gone counts 0.
 */
export function containerSizer(context: EngineContext): (container: { id: string; imageId: string }) => Promise<ContainerSizes> {
  const { snapshotter } = context.components;
  const limit = limitConcurrency(concurrentMeasures);
  const imageSize = memoized((imageId) =>
    context.images.inspect(imageId).then(
      (info) => info.Size,
      () => 0,
    ),
  );
  const parentUsage = memoized(async (key) => (await snapshotter.usage(key)).size);
  return (container) =>
    limit(async () => {
      const [sizeRw, image] = await Promise.all([writableLayerSize(snapshotter, container.id, parentUsage), imageSize(container.imageId)]);
      return { sizeRw, sizeRootFs: image + sizeRw };
    });
}
