import {
  NetworkConnectRequestSchema,
  NetworkCreateRequestSchema,
  NetworkDisconnectRequestSchema,
  networkConnectFromWire,
  networkCreateOptionsFromWire,
  networkToWire,
  parseEndpointFilters,
} from '@berth/docker-api';
import { InvalidArgumentError } from '@berth/errdefs';
import { sendEmpty, sendJson } from '../http/reply.js';
import { param, readJson } from '../http/request-context.js';
import type { Router } from '../http/router.js';

/** The `/networks` routes of the Docker API. */
export function addNetworkRoutes(router: Router): void {
  router
    .add('GET', '/networks', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'networkList');
      sendJson(ctx.res, 200, (await ctx.engine.networks.list({ filters })).map((n) => networkToWire(n)));
    })
    .add('POST', '/networks/create', async (ctx) => {
      const body = await readJson(ctx, NetworkCreateRequestSchema);
      const network = await ctx.engine.networks.create(networkCreateOptionsFromWire(body));
      sendJson(ctx.res, 201, { Id: network.id, Warning: '' });
    })
    .add('POST', '/networks/prune', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'networkPrune');
      const report = await ctx.engine.networks.prune({ filters });
      sendJson(ctx.res, 200, { NetworksDeleted: report.networksDeleted });
    })
    .add('GET', '/networks/{id}', async (ctx) => sendJson(ctx.res, 200, networkToWire(await ctx.engine.networks.inspect(param(ctx, 'id')))))
    .add('POST', '/networks/{id}/connect', async (ctx) => {
      const body = await readJson(ctx, NetworkConnectRequestSchema);
      const { container, options } = networkConnectFromWire(body);
      await ctx.engine.networks.connect(param(ctx, 'id'), container, options);
      sendEmpty(ctx.res, 200);
    })
    .add('POST', '/networks/{id}/disconnect', async (ctx) => {
      const body = await readJson(ctx, NetworkDisconnectRequestSchema);
      if (!body.Container) throw new InvalidArgumentError('container is required');
      await ctx.engine.networks.disconnect(param(ctx, 'id'), body.Container, { force: body.Force ?? false });
      sendEmpty(ctx.res, 200);
    })
    .add('DELETE', '/networks/{id}', async (ctx) => {
      await ctx.engine.networks.remove(param(ctx, 'id'));
      sendEmpty(ctx.res, 204);
    });
}
