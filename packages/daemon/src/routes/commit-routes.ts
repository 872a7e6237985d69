import { ContainerConfigSchema, applyChangeInstructions, parseCommitParams } from '@berth/docker-api';
import type { ContainerCommitOptions } from '@berth/engine';
import { parseReference } from '@berth/spec';
import { sendJson } from '../http/reply.js';
import { readJson } from '../http/request-context.js';
import type { Router } from '../http/router.js';
import { serializeRootfsAccess } from './rootfs-access-queue.js';

type ImageRuntimeConfig = NonNullable<ContainerCommitOptions['changes']>;

/** `POST /commit`: a new image of a container's changes. */
export function addCommitRoutes(router: Router): void {
  router.add('POST', '/commit', async (ctx) => {
    const params = parseCommitParams(ctx.query);
    const body = await readJson(ctx, ContainerConfigSchema);
    // The body's fields first, then the `--change` instructions over them.
    const fromBody = runtimeConfigOf(body);
    const hasInstructions = params.changes.some((c) => c.trim() !== '');
    const changes = hasInstructions ? applyChangeInstructions(params.changes, fromBody) : fromBody;
    const reference = params.repo ? (params.tag ? `${params.repo}:${params.tag}` : params.repo) : undefined;
    // A bad name is a 400 before any work (the diff of a big container takes a while).
    if (reference) parseReference(reference);
    const container = await ctx.engine.containers.inspect(params.container);
    const { id } = await serializeRootfsAccess(container.id, () =>
      ctx.engine.containers.commit(container.id, {
        pause: params.pause,
        ...(reference ? { reference } : {}),
        ...(params.comment ? { comment: params.comment } : {}),
        ...(params.author ? { author: params.author } : {}),
        ...(changes ? { changes } : {}),
      }),
    );
    sendJson(ctx.res, 201, { Id: id });
  });
}

// The body's runtime fields carry the same names as the image config's.
function runtimeConfigOf(body: Record<string, unknown>): ImageRuntimeConfig | undefined {
  const keys = ['Cmd', 'Entrypoint', 'Env', 'ExposedPorts', 'Labels', 'User', 'WorkingDir', 'Volumes', 'StopSignal'];
  const picked = Object.fromEntries(
    keys.filter((k) => body[k] !== undefined && body[k] !== null).map((k) => [k, typeof body[k] === 'string' && (k === 'Cmd' || k === 'Entrypoint') ? [body[k]] : body[k]]),
  );
  return Object.keys(picked).length > 0 ? (picked as ImageRuntimeConfig) : undefined;
}
