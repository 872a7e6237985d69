import {
  JsonLinesEncoder,
  REGISTRY_AUTH_HEADER,
  applyChangeInstructions,
  credentialsFromAuthConfig,
  decodeRegistryAuth,
  imageDeleteToWire,
  imageHistoryToWire,
  imageInspectToWire,
  imageSummaryToWire,
  parseEndpointFilters,
  progressErrorMessage,
  pullDoneMessages,
  pullEventToProgress,
  pushDoneMessages,
  pushEventToProgress,
  queryBoolean,
} from '@berth/docker-api';
import type { ProgressMessage } from '@berth/docker-api';
import type { ImagePullHandle, ImagePushHandle } from '@berth/engine';
import { InvalidArgumentError, NotImplementedError } from '@berth/errdefs';
import { sendEmpty, sendJson } from '../http/reply.js';
import { param } from '../http/request-context.js';
import type { RequestContext } from '../http/request-context.js';
import type { Router } from '../http/router.js';

/** The `/images` routes of the Docker API (build is in the system routes: not supported). */
export function addImageRoutes(router: Router): void {
  router
    .add('GET', '/images/json', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'imageList');
      // API < 1.41 sent `filter=<reference>`.
      const legacy = ctx.query.get('filter');
      if (legacy) filters['reference'] = [...(filters['reference'] ?? []), legacy];
      const images = await ctx.engine.images.list({ filters, all: queryBoolean(ctx.query.get('all')) });
      sendJson(ctx.res, 200, images.map(imageSummaryToWire));
    })
    .add('POST', '/images/create', create)
    .add('POST', '/images/load', load)
    .add('GET', '/images/get', async (ctx) => save(ctx, ctx.query.getAll('names')))
    .add('POST', '/images/prune', async (ctx) => {
      const filters = parseEndpointFilters(ctx.query.get('filters'), 'imagePrune');
      const report = await ctx.engine.images.prune({ filters, signal: ctx.signal });
      sendJson(ctx.res, 200, { ImagesDeleted: imageDeleteToWire(report.imagesDeleted), SpaceReclaimed: report.spaceReclaimed });
    })
    .add('GET', '/images/search', async (ctx) => {
      parseEndpointFilters(ctx.query.get('filters'), 'imageSearch');
      if (!ctx.query.get('term')) throw new InvalidArgumentError('term is required');
      sendJson(ctx.res, 200, []);
    })
    .add('GET', '/images/{name*}/json', async (ctx) => sendJson(ctx.res, 200, imageInspectToWire(await ctx.engine.images.inspect(param(ctx, 'name')))))
    .add('GET', '/images/{name*}/history', async (ctx) => sendJson(ctx.res, 200, imageHistoryToWire(await ctx.engine.images.history(param(ctx, 'name')))))
    .add('GET', '/images/{name*}/get', async (ctx) => save(ctx, [param(ctx, 'name')]))
    .add('POST', '/images/{name*}/tag', async (ctx) => {
      const repo = ctx.query.get('repo');
      if (!repo) throw new InvalidArgumentError('repository name must have at least one component');
      const tag = ctx.query.get('tag');
      await ctx.engine.images.tag(param(ctx, 'name'), tag ? `${repo}:${tag}` : repo);
      sendEmpty(ctx.res, 201);
    })
    .add('POST', '/images/{name*}/push', async (ctx) => {
      const tag = ctx.query.get('tag');
      const name = tag ? `${param(ctx, 'name')}:${tag}` : param(ctx, 'name');
      await ctx.engine.images.inspect(name);
      const auth = credentialsFromAuthConfig(decodeRegistryAuth(ctx.req.headers[REGISTRY_AUTH_HEADER.toLowerCase()] as string | undefined));
      const handle = ctx.engine.images.push(name, { signal: ctx.signal, ...(auth ? { auth } : {}) });
      await streamProgress(ctx, progressOfPush(handle, name));
    })
    .add('DELETE', '/images/{name*}', async (ctx) => {
      const entries = await ctx.engine.images.remove(param(ctx, 'name'), {
        force: queryBoolean(ctx.query.get('force')),
        noPrune: queryBoolean(ctx.query.get('noprune')),
      });
      sendJson(ctx.res, 200, imageDeleteToWire(entries));
    });
}

async function create(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const fromImage = q.get('fromImage');
  const fromSrc = q.get('fromSrc');
  if (fromSrc !== null && fromSrc !== '') return importImage(ctx, fromSrc);
  if (!fromImage) throw new InvalidArgumentError('fromImage or fromSrc is required');
  const tag = q.get('tag');
  // `tag` may be a tag or a digest; the CLI sends `fromImage=busybox&tag=latest`.
  const reference = tag ? (tag.includes(':') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`) : fromImage;
  const platform = q.get('platform');
  const auth = credentialsFromAuthConfig(decodeRegistryAuth(ctx.req.headers[REGISTRY_AUTH_HEADER.toLowerCase()] as string | undefined));
  const existed = await ctx.engine.images.inspect(reference).then(
    (i) => i.id,
    () => undefined,
  );
  const handle = ctx.engine.images.pull(reference, { signal: ctx.signal, ...(platform ? { platform } : {}), ...(auth ? { auth } : {}) });
  await streamProgress(ctx, progressOfPull(handle, existed));
}

async function* progressOfPull(handle: ImagePullHandle, existingId: string | undefined): AsyncGenerator<ProgressMessage> {
  const done = handle.done;
  done.catch(() => undefined);
  for await (const event of handle.progress) {
    const message = pullEventToProgress(event);
    if (message) yield message;
  }
  const result = await done;
  yield* pullDoneMessages(result, result.id !== existingId);
}

async function* progressOfPush(handle: ImagePushHandle, name: string): AsyncGenerator<ProgressMessage> {
  const done = handle.done;
  done.catch(() => undefined);
  yield { status: `The push refers to repository [${name.replace(/:[^:/]*$/, '')}]` };
  for await (const event of handle.progress) {
    const message = pushEventToProgress(event);
    if (message) yield message;
  }
  yield* pushDoneMessages(await done);
}

/**
 * Streams progress as dockerd: JSON messages ended by `\r\n`. An error before the first message
 * is a plain error reply (so `docker pull` of an unknown image gets its 404); after, it is the
 * last message of the stream.
 */
async function streamProgress(ctx: RequestContext, messages: AsyncGenerator<ProgressMessage>): Promise<void> {
  const first = await messages.next();
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  const encoder = new JsonLinesEncoder({ lineEnding: '\r\n' });
  encoder.pipe(ctx.res);
  try {
    if (!first.done) {
      encoder.write(first.value);
      for await (const message of messages) encoder.write(message);
    }
  } catch (err) {
    encoder.write(progressErrorMessage((err as Error).message));
  }
  encoder.end();
  await new Promise<void>((resolve) => ctx.res.once('finish', resolve).once('close', resolve));
}

async function importImage(ctx: RequestContext, fromSrc: string): Promise<void> {
  if (fromSrc !== '-') throw new NotImplementedError('importing from a URL is not supported yet: send the tar as the body with fromSrc=-');
  const instructions = ctx.query.getAll('changes');
  const changes = instructions.some((c) => c.trim() !== '') ? applyChangeInstructions(instructions) : undefined;
  const repo = ctx.query.get('repo');
  const tag = ctx.query.get('tag');
  const message = ctx.query.get('message');
  const { id } = await ctx.engine.images.import(ctx.req, {
    signal: ctx.signal,
    ...(repo ? { reference: tag ? `${repo}:${tag}` : repo } : {}),
    ...(message ? { message } : {}),
    ...(changes ? { changes } : {}),
  });
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.end(JSON.stringify({ status: id }) + '\r\n');
}

async function load(ctx: RequestContext): Promise<void> {
  // `quiet` only hides layer progress, which a load from a stream has none of here.
  const result = await ctx.engine.images.load(ctx.req, { signal: ctx.signal });
  const lines: ProgressMessage[] = [];
  for (const image of result.images) {
    if (image.repoTags.length === 0) lines.push({ stream: `Loaded image ID: ${image.id}\n` });
    for (const tag of image.repoTags) lines.push({ stream: `Loaded image: ${tag}\n` });
  }
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.end(lines.map((l) => JSON.stringify(l) + '\r\n').join(''));
}

async function save(ctx: RequestContext, names: string[]): Promise<void> {
  if (names.length === 0) throw new InvalidArgumentError('no images to save: pass names');
  // Unknown names fail before the tar starts.
  for (const name of names) await ctx.engine.images.inspect(name);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await ctx.engine.images.save(names, ctx.res, { signal: ctx.signal });
}
