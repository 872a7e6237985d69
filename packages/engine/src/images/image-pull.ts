import { pullImage } from '@berth/registry-client';
import type { EngineContext } from '../internal/engine-context.js';
import type { ImagePullHandle, ImagePullOptions } from './image-types.js';

/**
 * `docker pull`: the registry client streams the blobs into the content store and unpacks
 * them into the snapshotter as they land; then the image service records the name (a
 * name given by digest leaves the image recorded without a tag). Event: `pull`, with the
 * familiar reference as the actor, once `done` is about to resolve.
 */
export function pullIntoEngine(context: EngineContext, reference: string, options: ImagePullOptions = {}): ImagePullHandle {
  const { components } = context;
  const auth = options.auth ?? components.auth;
  const platform = options.platform ?? components.platform;
  const handle = pullImage(reference, {
    contentStore: components.content,
    snapshotter: components.snapshotter,
    ...(platform ? { platform } : {}),
    ...(auth ? { auth } : {}),
    ...(components.registry ? { registry: components.registry } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const done = handle.done.then(async (result) => {
    const named = result.reference.digest === undefined;
    const resolved = await context.images.putImage({
      target: result.target,
      ...(named ? { reference: result.reference.toString() } : {}),
    });
    const familiar = result.reference.familiar;
    context.bus.emit({ type: 'image', action: 'pull', actor: { id: familiar, attributes: { name: result.reference.familiarName } } });
    return { reference: familiar, id: resolved.id, digest: result.target.digest };
  });
  return { progress: handle.progress, done };
}
