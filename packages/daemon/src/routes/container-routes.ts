import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CONTAINER_PATH_STAT_HEADER,
  ContainerCreateRequestSchema,
  ContainerUpdateRequestSchema,
  MULTIPLEXED_STREAM_CONTENT_TYPE,
  RAW_STREAM_CONTENT_TYPE,
  changesToWire,
  containerCreateOptionsFromWire,
  containerInspectToWire,
  containerStatsToWire,
  containerSummaryToWire,
  containerUpdateFromWire,
  encodeContainerPathStat,
  parseEndpointFilters,
  pathStatToWire,
  queryBoolean,
  queryBooleanOrDefault,
  queryInteger,
  topResultToWire,
  waitResultToWire,
} from '@berth/docker-api';
import type { ContainerStats, LogChunk, WaitCondition } from '@berth/engine';
import { InvalidArgumentError, NotFoundError, isFailedPrecondition } from '@berth/errdefs';
import { pumpOutput } from '../http/output-stream.js';
import { queryTerminalSize, queryTime } from '../http/query.js';
import { sendEmpty, sendJson } from '../http/reply.js';
import { param, readJson } from '../http/request-context.js';
import type { RequestContext } from '../http/request-context.js';
import type { Router } from '../http/router.js';
import { serializeRootfsAccess } from './rootfs-access-queue.js';
import { attach } from './container-attach.js';

/** The `/containers` routes of the Docker API. */
export function addContainerRoutes(router: Router): void {
  router
    .add('GET', '/containers/json', list)
    .add('POST', '/containers/create', create)
    .add('POST', '/containers/prune', prune)
    .add('GET', '/containers/{id}/json', async (ctx) => {
      // dockerd's `httputils.BoolValue`: anything but ''/0/no/false/none asks for the sizes.
      const size = queryBoolean(ctx.query.get('size'));
      sendJson(ctx.res, 200, containerInspectToWire(await ctx.engine.containers.inspect(param(ctx, 'id'), size ? { size } : undefined)));
    })
    .add('POST', '/containers/{id}/start', start)
    .add('POST', '/containers/{id}/stop', stop)
    .add('POST', '/containers/{id}/restart', async (ctx) => {
      await ctx.engine.containers.restart(param(ctx, 'id'), stopOptions(ctx));
      sendEmpty(ctx.res, 204);
    })
    .add('POST', '/containers/{id}/kill', async (ctx) => {
      const signal = ctx.query.get('signal');
      await ctx.engine.containers.kill(param(ctx, 'id'), signal ? signal : undefined);
      sendEmpty(ctx.res, 204);
    })
    .add('POST', '/containers/{id}/pause', async (ctx) => {
      await ctx.engine.containers.pause(param(ctx, 'id'));
      sendEmpty(ctx.res, 204);
    })
    .add('POST', '/containers/{id}/unpause', async (ctx) => {
      await ctx.engine.containers.unpause(param(ctx, 'id'));
      sendEmpty(ctx.res, 204);
    })
    .add('POST', '/containers/{id}/wait', wait)
    .add('DELETE', '/containers/{id}', async (ctx) => {
      if (queryBoolean(ctx.query.get('link'))) throw new InvalidArgumentError('links are not supported');
      await ctx.engine.containers.remove(param(ctx, 'id'), { force: queryBoolean(ctx.query.get('force')), volumes: queryBoolean(ctx.query.get('v')) });
      sendEmpty(ctx.res, 204);
    })
    .add('GET', '/containers/{id}/logs', logs)
    .add('POST', '/containers/{id}/attach', attach)
    .add('GET', '/containers/{id}/attach/ws', async () => {
      throw new InvalidArgumentError('websocket attach is not supported yet: use POST /containers/{id}/attach');
    })
    .add('POST', '/containers/{id}/resize', async (ctx) => {
      const { height, width } = queryTerminalSize(ctx.query);
      const container = await ctx.engine.containers.inspect(param(ctx, 'id'));
      // Only a running container's terminal has a size (dockerd: 409 otherwise); engines without resize accept and ignore it.
      if (ctx.engine.containers.resize && container.config.tty && height !== undefined && width !== undefined) {
        await ctx.engine.containers.resize(container.id, { height, width });
      }
      sendEmpty(ctx.res, 200);
    })
    .add('GET', '/containers/{id}/top', async (ctx) => {
      const psArgs = ctx.query.get('ps_args');
      sendJson(ctx.res, 200, topResultToWire(await ctx.engine.containers.top(param(ctx, 'id'), psArgs ? psArgs : undefined)));
    })
    .add('GET', '/containers/{id}/stats', stats)
    .add('POST', '/containers/{id}/rename', async (ctx) => {
      const name = ctx.query.get('name');
      if (!name) throw new InvalidArgumentError('Error when allocating new name: Invalid container name');
      await ctx.engine.containers.rename(param(ctx, 'id'), name.replace(/^\//, ''));
      sendEmpty(ctx.res, 204);
    })
    .add('POST', '/containers/{id}/update', async (ctx) => {
      const body = await readJson(ctx, ContainerUpdateRequestSchema);
      const result = await ctx.engine.containers.update(param(ctx, 'id'), containerUpdateFromWire(body));
      sendJson(ctx.res, 200, { Warnings: result.warnings });
    })
    .add('GET', '/containers/{id}/changes', async (ctx) => sendJson(ctx.res, 200, changesToWire(await ctx.engine.containers.changes(param(ctx, 'id')))))
    .add('GET', '/containers/{id}/export', async (ctx) => {
      await ctx.engine.containers.inspect(param(ctx, 'id'));
      ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      await ctx.engine.containers.export(param(ctx, 'id'), ctx.res);
    })
    .add('HEAD', '/containers/{id}/archive', async (ctx) => {
      const stat = await ctx.engine.containers.statPath(param(ctx, 'id'), archivePath(ctx));
      ctx.res.writeHead(200, { [CONTAINER_PATH_STAT_HEADER]: encodeContainerPathStat(pathStatToWire(stat)), 'Content-Length': 0 });
      ctx.res.end();
    })
    .add('GET', '/containers/{id}/archive', async (ctx) => {
      const { stat, archive } = await ctx.engine.containers.getArchive(param(ctx, 'id'), archivePath(ctx));
      ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', [CONTAINER_PATH_STAT_HEADER]: encodeContainerPathStat(pathStatToWire(stat)) });
      // pipeline, not pipe: a client leaving early destroys the archive, which lets the
      // container go (a running one stays frozen while its archive is open).
      await pipeline(archive, ctx.res).catch(() => undefined);
    })
    .add('PUT', '/containers/{id}/archive', async (ctx) => {
      const path = archivePath(ctx);
      const { id } = await ctx.engine.containers.inspect(param(ctx, 'id'));
      await serializeRootfsAccess(id, () =>
        ctx.engine.containers.putArchive(id, path, ctx.req, { noOverwriteDirNonDir: queryBoolean(ctx.query.get('noOverwriteDirNonDir')) }),
      );
      sendEmpty(ctx.res, 200);
    });
}

async function list(ctx: RequestContext): Promise<void> {
  const filters = parseEndpointFilters(ctx.query.get('filters'), 'containerList');
  const limit = queryInteger('limit', ctx.query.get('limit'), -1);
  const size = queryBoolean(ctx.query.get('size'));
  const containers = await ctx.engine.containers.list({ all: queryBoolean(ctx.query.get('all')), filters, ...(limit > 0 ? { limit } : {}), ...(size ? { size } : {}) });
  sendJson(ctx.res, 200, containers.map(containerSummaryToWire));
}

async function create(ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx, ContainerCreateRequestSchema, null);
  if (!body.Image) throw new InvalidArgumentError('Config cannot be empty in order to create a container');
  const options = containerCreateOptionsFromWire(body, { name: ctx.query.get('name') ?? undefined, platform: ctx.query.get('platform') ?? undefined });
  const result = await ctx.engine.containers.create(options);
  sendJson(ctx.res, 201, { Id: result.id, Warnings: result.warnings });
}

async function prune(ctx: RequestContext): Promise<void> {
  const filters = parseEndpointFilters(ctx.query.get('filters'), 'containerPrune');
  const report = await ctx.engine.containers.prune({ filters });
  sendJson(ctx.res, 200, { ContainersDeleted: report.containersDeleted, SpaceReclaimed: report.spaceReclaimed });
}

async function start(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  if (ctx.query.get('checkpoint')) throw new InvalidArgumentError('checkpoints are not supported');
  const before = await ctx.engine.containers.inspect(id);
  // dockerd: starting a running container is "304 Not Modified"; a paused one is the
  // engine's 409 ("cannot start a paused container, try unpause instead").
  if (before.state.status === 'running') return sendEmpty(ctx.res, 304);
  await ctx.engine.containers.start(id);
  sendEmpty(ctx.res, 204);
}

async function stop(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const before = await ctx.engine.containers.inspect(id);
  if (before.state.status !== 'running' && before.state.status !== 'paused' && before.state.status !== 'restarting') return sendEmpty(ctx.res, 304);
  await ctx.engine.containers.stop(id, stopOptions(ctx));
  sendEmpty(ctx.res, 204);
}

function stopOptions(ctx: RequestContext): { signal?: string; timeout?: number } {
  const timeout = queryInteger('t', ctx.query.get('t'));
  const signal = ctx.query.get('signal');
  return { ...(timeout !== undefined ? { timeout } : {}), ...(signal ? { signal } : {}) };
}

async function wait(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidArgumentError(`invalid condition: "${condition}"`);
  const waiting = ctx.engine.containers.wait(id, { condition, signal: ctx.signal });
  // Fail before the headers when the container does not exist; then tell the client the wait is in place.
  const early = await Promise.race([waiting.then(() => undefined, (err: unknown) => err), new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
  if (early !== 'pending' && early !== undefined) throw early;
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  try {
    const result = await waiting;
    ctx.res.end(JSON.stringify(waitResultToWire(result)) + '\n');
  } catch (err) {
    ctx.res.end(JSON.stringify({ StatusCode: -1, Error: { Message: (err as Error).message } }) + '\n');
  }
}

async function logs(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const q = ctx.query;
  const stdout = queryBoolean(q.get('stdout'));
  const stderr = queryBoolean(q.get('stderr'));
  if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
  const tailValue = q.get('tail');
  const tail = tailValue === null || tailValue === '' || tailValue === 'all' ? undefined : queryInteger('tail', tailValue);
  const since = queryTime('since', q.get('since'));
  const until = queryTime('until', q.get('until'));
  const timestamps = queryBoolean(q.get('timestamps'));
  const container = await ctx.engine.containers.inspect(id);
  const tty = container.config.tty ?? false;
  const output = ctx.engine.containers.logs(id, {
    stdout,
    stderr,
    follow: queryBoolean(q.get('follow')),
    timestamps,
    signal: ctx.signal,
    ...(tail !== undefined && tail >= 0 ? { tail } : {}),
    ...(since && since.getTime() > 0 ? { since } : {}),
    ...(until && until.getTime() > 0 ? { until } : {}),
  });
  ctx.res.writeHead(200, { 'Content-Type': tty ? RAW_STREAM_CONTENT_TYPE : MULTIPLEXED_STREAM_CONTENT_TYPE });
  ctx.res.flushHeaders();
  try {
    await pumpOutput(timestamps ? withTimestamps(output) : output, ctx.res, tty, ctx.signal);
  } catch {
    // The client went away, or the container was removed while following.
  }
  ctx.res.end();
}

async function* withTimestamps(output: AsyncIterable<LogChunk>): AsyncIterable<LogChunk> {
  for await (const chunk of output) {
    yield { ...chunk, data: Buffer.concat([Buffer.from(`${rfc3339Nano(chunk.time)} `), chunk.data]) };
  }
}

function rfc3339Nano(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

async function stats(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const streaming = queryBooleanOrDefault(ctx.query.get('stream'), true) && !queryBoolean(ctx.query.get('one-shot'));
  const iterator = ctx.engine.containers.stats(id, { stream: streaming, signal: ctx.signal })[Symbol.asyncIterator]();
  let previous: ContainerStats | undefined;
  let next = await iterator.next();
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  try {
    while (!next.done) {
      ctx.res.write(JSON.stringify(containerStatsToWire(next.value, previous)) + '\n');
      if (!streaming) break;
      previous = next.value;
      next = await iterator.next();
    }
  } catch (err) {
    if (!isFailedPrecondition(err) && !(err instanceof NotFoundError)) ctx.daemon.logger.debug(`stats of ${id}: ${(err as Error).message}`);
  } finally {
    await iterator.return?.();
  }
  ctx.res.end();
}

function archivePath(ctx: RequestContext): string {
  const path = ctx.query.get('path');
  if (!path) throw new InvalidArgumentError('path is required');
  return path;
}

/** A stdin stream for engines that take a Readable: a PassThrough fed by the connection. */
export function stdinFrom(input: NodeJS.ReadableStream | undefined, head: Buffer): PassThrough | undefined {
  if (!input) return undefined;
  const stdin = new PassThrough();
  if (head.length > 0) stdin.write(head);
  input.on('data', (chunk: Buffer) => stdin.write(chunk));
  input.on('end', () => stdin.end());
  input.on('error', () => stdin.end());
  // The body reader may have paused the connection.
  input.resume();
  return stdin;
}
