import { pushImage } from '@berth/registry-client';
import type { ImagesApi } from '../engine.js';
import type { EngineContext } from '../internal/engine-context.js';
import { inspectDistribution } from './image-distribution.js';
import { importIntoEngine } from './image-import.js';
import { loadIntoEngine } from './image-load.js';
import { pruneImages } from './image-prune.js';
import { pullIntoEngine } from './image-pull.js';
import { removeFromEngine } from './image-remove.js';
import { saveFromEngine } from './image-save.js';
import { toHistoryEntry, toImageInspect, toImageSummary } from './image-shapes.js';

/** The engine's {@link ImagesApi} over its image service, content store and registry client. */
export function createImagesApi(context: EngineContext): ImagesApi {
  const { components, bus } = context;
  return {
    pull: (reference, options) => pullIntoEngine(context, reference, options),

    push(reference, options = {}) {
      const auth = options.auth ?? components.auth;
      // A push handle is a thenable: wrap it so `then` does not unwrap it into its result.
      const started = context.images.resolve(reference).then((resolved) => ({
        handle: pushImage(reference, {
          image: resolved.image,
          contentStore: components.content,
          ...(auth ? { auth } : {}),
          ...(components.registry ? { registry: components.registry } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      }));
      const done = started.then(async ({ handle }) => {
        const result = await handle.done;
        bus.emit({ type: 'image', action: 'push', actor: { id: result.reference.familiar, attributes: { name: result.reference.familiarName } } });
        return { reference: result.reference.familiar, digest: result.descriptor.digest, size: result.descriptor.size };
      });
      // The push starts once the image is resolved; its progress is relayed from then on.
      const progress = {
        async *[Symbol.asyncIterator]() {
          const push = await started.catch(() => undefined);
          if (push) yield* push.handle.progress;
        },
      };
      return { progress, done };
    },

    async list(options = {}) {
      const summaries = await context.images.list(options.filters ? { filters: options.filters } : {});
      return summaries.map((summary) => toImageSummary(summary, context.imageUsers(summary.Id).length));
    },

    async inspect(reference) {
      return toImageInspect(await context.images.inspect(reference));
    },

    async tag(source, target) {
      const resolved = await context.images.resolve(source);
      await context.images.tag(source, target);
      bus.emit({ type: 'image', action: 'tag', actor: { id: resolved.id, attributes: { name: target } } });
    },

    remove: (reference, options) => removeFromEngine(context, reference, options),
    save: (references, target, options) => saveFromEngine(context, references, target, options),
    load: (source, options) => loadIntoEngine(context, source, options),
    import: (source, options) => importIntoEngine(context, source, options),

    async history(reference) {
      return (await context.images.history(reference)).map(toHistoryEntry);
    },

    prune: (options) => pruneImages(context, options),
    inspectDistribution: (reference, options) => inspectDistribution(context, reference, options),
  };
}
