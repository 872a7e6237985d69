import { VolumeCreateOptionsSchema, parseEndpointFilters, queryBoolean, volumeCreateOptionsFromWire, volumeToWire } from '@berth/docker-api';
import { InvalidArgumentError } from '@berth/errdefs';
import { sendEmpty, sendJson } from '../http/reply.js';
import { param, readJson } from '../http/request-context.js';
import type { Router } from '../http/router.js';

/** The `/volumes` routes of the Docker API. */
export function addVolumeRoutes(router: Router): void {
  router
    .add('GET', '/volumes', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'volumeList');
      const result = await ctx.engine.volumes.list({ filters });
      sendJson(ctx.res, 200, { Volumes: result.volumes.map(volumeToWire), Warnings: result.warnings.length > 0 ? result.warnings : null });
    })
    .add('POST', '/volumes/create', async (ctx) => {
      const body = await readJson(ctx, VolumeCreateOptionsSchema);
      sendJson(ctx.res, 201, volumeToWire(await ctx.engine.volumes.create(volumeCreateOptionsFromWire(body))));
    })
    .add('POST', '/volumes/prune', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'volumePrune');
      const report = await ctx.engine.volumes.prune({ filters, signal: ctx.signal });
      sendJson(ctx.res, 200, { VolumesDeleted: report.volumesDeleted, SpaceReclaimed: report.spaceReclaimed });
    })
    .add('GET', '/volumes/{name}', async (ctx) => sendJson(ctx.res, 200, volumeToWire(await ctx.engine.volumes.inspect(param(ctx, 'name')))))
    .add('PUT', '/volumes/{name}', async () => {
      throw new InvalidArgumentError('volume update is only supported for cluster volumes');
    })
    .add('DELETE', '/volumes/{name}', async (ctx) => {
      await ctx.engine.volumes.remove(param(ctx, 'name'), { force: queryBoolean(ctx.query.get('force')) });
      sendEmpty(ctx.res, 204);
    });
}
