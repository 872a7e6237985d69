import {
  AuthConfigSchema,
  JsonLinesEncoder,
  MAX_API_VERSION,
  REGISTRY_AUTH_HEADER,
  credentialsFromAuthConfig,
  decodeRegistryAuth,
  diskUsageToWire,
  distributionInspectToWire,
  engineInfoToWire,
  engineVersionToWire,
  eventToWire,
  parseEndpointFilters,
  pingResponseHeaders,
} from '@berth/docker-api';
import { NotImplementedError } from '@berth/errdefs';
import type { Router } from '../http/router.js';
import { param, readJson } from '../http/request-context.js';
import type { RequestContext } from '../http/request-context.js';
import { queryTime } from '../http/query.js';
import { sendJson } from '../http/reply.js';

/** `/_ping`, `/version`, `/info`, `/system/df`, `/events`, `/auth`, `/distribution`, and the unsupported `/build`. */
export function addSystemRoutes(router: Router): void {
  router.add('GET', '/_ping', ping);
  router.add('HEAD', '/_ping', ping);
  router.add('GET', '/version', async (ctx) => sendJson(ctx.res, 200, engineVersionToWire(await ctx.engine.system.version())));
  router.add('GET', '/info', async (ctx) => {
    const s = ctx.daemon.settings;
    const info = await ctx.engine.system.info();
    sendJson(
      ctx.res,
      200,
      engineInfoToWire(info, {
        registryMirrors: s.registryMirrors,
        insecureRegistries: s.insecureRegistries,
        defaultAddressPools: s.defaultAddressPools,
        debug: s.debug,
        eventListeners: ctx.daemon.eventListeners,
      }),
    );
  });
  router.add('GET', '/system/df', async (ctx) => sendJson(ctx.res, 200, diskUsageToWire(await ctx.engine.system.df())));
  router.add('GET', '/events', events);
  router.add('POST', '/auth', async (ctx) => {
    // The engine has no login operation: credentials are checked when a pull or push uses them.
    await readJson(ctx, AuthConfigSchema);
    sendJson(ctx.res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
  });
  router.add('POST', '/build', async () => {
    throw new NotImplementedError('builds are not supported yet: berthd has no builder (POST /build)');
  });
  router.add('POST', '/build/prune', async (ctx) => {
    // There is no build cache: pruning it succeeds with nothing removed (`docker system prune` ends with this call).
    sendJson(ctx.res, 200, { CachesDeleted: [], SpaceReclaimed: 0 });
  });
  router.add('GET', '/distribution/{name*}/json', async (ctx) => {
    // The registry is asked with the caller's credentials, as for a pull.
    const auth = credentialsFromAuthConfig(decodeRegistryAuth(ctx.req.headers[REGISTRY_AUTH_HEADER.toLowerCase()] as string | undefined));
    const inspect = await ctx.engine.images.inspectDistribution(param(ctx, 'name'), { signal: ctx.signal, ...(auth ? { auth } : {}) });
    sendJson(ctx.res, 200, distributionInspectToWire(inspect));
  });
}

async function ping(ctx: RequestContext): Promise<void> {
  const headers = pingResponseHeaders({ apiVersion: MAX_API_VERSION, osType: 'linux', builderVersion: '1', experimental: false, swarm: 'inactive' });
  for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value);
  if (ctx.req.method === 'HEAD') {
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
  ctx.res.end('OK');
}

async function events(ctx: RequestContext): Promise<void> {
  const filters = parseEndpointFilters(ctx.query.get('filters'), 'events');
  const since = queryTime('since', ctx.query.get('since'));
  const until = queryTime('until', ctx.query.get('until'));
  const iterator = ctx.engine.events({ filters, signal: ctx.signal, ...(since ? { since } : {}), ...(until ? { until } : {}) })[Symbol.asyncIterator]();
  // The first `next()` validates the filters before the response starts.
  let first = iterator.next();
  const pending = Symbol('pending');
  const early = await Promise.race([
    first.then(
      () => undefined,
      (err: unknown) => err ?? new Error('event stream failed'),
    ),
    new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending))),
  ]);
  if (early !== pending && early !== undefined) throw early;
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  const encoder = new JsonLinesEncoder();
  encoder.pipe(ctx.res);
  ctx.daemon.eventListeners++;
  try {
    for (;;) {
      const result = await first;
      if (result.done) break;
      encoder.write(eventToWire(result.value));
      first = iterator.next();
    }
  } catch {
    // The client went away or the engine closed: the stream just ends.
  } finally {
    ctx.daemon.eventListeners--;
    encoder.end();
  }
}
