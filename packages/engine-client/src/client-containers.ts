import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import {
  CONTAINER_PATH_STAT_HEADER,
  ContainerCreateResponseSchema,
  ContainerInspectResponseSchema,
  ContainerPruneResponseSchema,
  ContainerStatsResponseSchema,
  ContainerSummarySchema,
  ContainerTopResponseSchema,
  ContainerUpdateResponseSchema,
  ContainerWaitResponseSchema,
  ExecInspectResponseSchema,
  FilesystemChangeSchema,
  IdResponseSchema,
  decodeContainerPathStat,
  decodeJsonLines,
} from '@berth/docker-api';
import type {
  AttachSession,
  ContainerAttachOptions,
  ContainerCommitOptions,
  ContainerLogsOptions,
  ContainerStatsOptions,
  ContainersApi,
  ExecSession,
  ExecStartOptions,
  LogChunk,
} from '@berth/engine';
import { NotFoundError, isNotFound } from '@berth/errdefs';
import { z } from 'zod';
import { type ClientContext, filtersQuery, responseBytes, segment, writeResponseTo } from './internal/client-context.js';
import type { HijackedConnection } from './internal/docker-transport.js';
import { logChunks } from './internal/log-chunks.js';
import { splitReference } from './internal/reference.js';
import {
  changeFromWire,
  containerCreateToWire,
  containerInspectFromWire,
  containerStatsFromWire,
  containerSummaryFromWire,
  containerUpdateToWire,
  execInspectFromWire,
  pathStatFromWire,
  topFromWire,
} from './wire-codec.js';

const unixSecondsOf = (date: Date) => (date.getTime() / 1000).toFixed(9);

/** Sizes asked for are always there: dockerd's list leaves a size of 0 out of its JSON (`omitempty`). */
function withSizes<T extends { sizeRw?: number; sizeRootFs?: number }>(view: T, asked: boolean | undefined): T {
  return asked ? { ...view, sizeRw: view.sizeRw ?? 0, sizeRootFs: view.sizeRootFs ?? 0 } : view;
}

/** Containers over `/containers/*` and `/exec/*`. */
export function clientContainers({ transport }: ClientContext): ContainersApi {
  const path = (id: string, rest = '') => `/containers/${segment(id)}${rest}`;

  const inspect: ContainersApi['inspect'] = async (id, options = {}) => {
    const wire = await transport.json({ method: 'GET', path: path(id, '/json'), query: { size: options.size || undefined } }, ContainerInspectResponseSchema);
    return withSizes(containerInspectFromWire(wire), options.size);
  };

  const execInspect: ContainersApi['execInspect'] = async (execId) =>
    execInspectFromWire(await transport.json({ method: 'GET', path: `/exec/${segment(execId)}/json` }, ExecInspectResponseSchema));

  return {
    async create(options) {
      const { body, query } = containerCreateToWire(options);
      const reply = await transport.json({ method: 'POST', path: '/containers/create', query, json: body }, ContainerCreateResponseSchema);
      return { id: reply.Id ?? '', warnings: reply.Warnings ?? [] };
    },
    async start(id) {
      await transport.empty({ method: 'POST', path: path(id, '/start') });
    },
    async stop(id, options = {}) {
      await transport.empty({ method: 'POST', path: path(id, '/stop'), query: { t: options.timeout, signal: options.signal } });
    },
    async kill(id, signal) {
      await transport.empty({ method: 'POST', path: path(id, '/kill'), query: { signal } });
    },
    async restart(id, options = {}) {
      await transport.empty({ method: 'POST', path: path(id, '/restart'), query: { t: options.timeout, signal: options.signal } });
    },
    async pause(id) {
      await transport.empty({ method: 'POST', path: path(id, '/pause') });
    },
    async unpause(id) {
      await transport.empty({ method: 'POST', path: path(id, '/unpause') });
    },
    async remove(id, options = {}) {
      await transport.empty({ method: 'DELETE', path: path(id), query: { force: options.force, v: options.volumes } });
    },
    async wait(id, options = {}) {
      const reply = await transport.json(
        { method: 'POST', path: path(id, '/wait'), query: { condition: options.condition }, signal: options.signal },
        ContainerWaitResponseSchema,
      );
      const error = reply.Error?.Message;
      return { statusCode: reply.StatusCode ?? 0, ...(error ? { error } : {}) };
    },
    async *logs(id, options: ContainerLogsOptions = {}) {
      const { tty } = (await inspect(id)).config;
      const query = {
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true,
        follow: options.follow,
        since: options.since ? unixSecondsOf(options.since) : undefined,
        until: options.until ? unixSecondsOf(options.until) : undefined,
        tail: options.tail === undefined ? 'all' : String(options.tail),
        // Always asked for: it is where a chunk's time comes from.
        timestamps: true,
      };
      let response;
      try {
        response = await transport.send({ method: 'GET', path: path(id, '/logs'), query, signal: options.signal });
      } catch (err) {
        if (options.signal?.aborted) return;
        throw err;
      }
      yield* logChunks(responseBytes(response, options.signal), { tty: tty ?? false, timestamped: true, keepTimestamps: options.timestamps ?? false });
    },
    async attach(id, options: ContainerAttachOptions = {}) {
      const { tty } = (await inspect(id)).config;
      const connection = await transport.hijack({
        method: 'POST',
        path: path(id, '/attach'),
        query: { stream: true, stdin: options.stdin ?? false, stdout: options.stdout ?? true, stderr: options.stderr ?? true, logs: options.logs ?? false },
        signal: options.signal,
      });
      return attachSession(connection, tty ?? false, options.stdin ?? false, options.signal);
    },
    async exec(id, options) {
      const reply = await transport.json(
        {
          method: 'POST',
          path: path(id, '/exec'),
          json: {
            Cmd: options.cmd,
            Env: options.env,
            User: options.user,
            WorkingDir: options.workingDir,
            Tty: options.tty ?? false,
            AttachStdin: options.attachStdin ?? false,
            AttachStdout: options.attachStdout ?? true,
            AttachStderr: options.attachStderr ?? true,
            Privileged: options.privileged ?? false,
          },
        },
        IdResponseSchema,
      );
      return { id: reply.Id ?? '' };
    },
    async execStart(execId, options: ExecStartOptions = {}) {
      const { processConfig } = await execInspect(execId);
      const tty = processConfig.tty;
      const request = { method: 'POST' as const, path: `/exec/${segment(execId)}/start`, signal: options.signal };
      if (options.detach) {
        await transport.empty({ ...request, json: { Detach: true, Tty: tty } });
        return detachedExec(execId, execInspect, options.signal);
      }
      const connection = await transport.hijack({ ...request, json: { Detach: false, Tty: tty } });
      return attachedExec(execId, connection, tty, options, execInspect);
    },
    execInspect,
    inspect,
    async list(options = {}) {
      const wire = await transport.json(
        { method: 'GET', path: '/containers/json', query: { all: options.all, limit: options.limit, filters: filtersQuery(options.filters), size: options.size || undefined } },
        z.array(ContainerSummarySchema).nullable(),
      );
      return (wire ?? []).map((summary) => withSizes(containerSummaryFromWire(summary), options.size));
    },
    async top(id, psArgs) {
      return topFromWire(await transport.json({ method: 'GET', path: path(id, '/top'), query: { ps_args: psArgs } }, ContainerTopResponseSchema));
    },
    async *stats(id, options: ContainerStatsOptions = {}) {
      const stream = options.stream ?? true;
      let response;
      try {
        response = await transport.send({
          method: 'GET',
          path: path(id, '/stats'),
          query: { stream, ...(stream ? {} : { 'one-shot': true }) },
          signal: options.signal,
        });
      } catch (err) {
        if (options.signal?.aborted) return;
        throw err;
      }
      for await (const sample of decodeJsonLines(responseBytes(response, options.signal), { schema: ContainerStatsResponseSchema })) {
        yield containerStatsFromWire(sample);
      }
    },
    async rename(id, newName) {
      await transport.empty({ method: 'POST', path: path(id, '/rename'), query: { name: newName } });
    },
    async resize(id, size) {
      await transport.empty({ method: 'POST', path: path(id, '/resize'), query: { h: size.height, w: size.width } });
    },
    async execResize(execId, size) {
      await transport.empty({ method: 'POST', path: `/exec/${encodeURIComponent(execId)}/resize`, query: { h: size.height, w: size.width } });
    },
    async update(id, options) {
      const reply = await transport.json({ method: 'POST', path: path(id, '/update'), json: containerUpdateToWire(options) }, ContainerUpdateResponseSchema);
      return { warnings: reply.Warnings ?? [] };
    },
    async getArchive(id, archivePath) {
      const response = await transport.send({ method: 'GET', path: path(id, '/archive'), query: { path: archivePath } }).catch((err: unknown) => {
        throw missingPath(err, id, archivePath);
      });
      const header = response.headers[CONTAINER_PATH_STAT_HEADER.toLowerCase()];
      const stat = pathStatFromWire(decodeContainerPathStat(Array.isArray(header) ? header[0] : header));
      return { stat, archive: response };
    },
    async statPath(id, archivePath) {
      const response = await transport.send({ method: 'HEAD', path: path(id, '/archive'), query: { path: archivePath } }).catch((err: unknown) => {
        throw missingPath(err, id, archivePath);
      });
      response.resume();
      const header = response.headers[CONTAINER_PATH_STAT_HEADER.toLowerCase()];
      return pathStatFromWire(decodeContainerPathStat(Array.isArray(header) ? header[0] : header));
    },
    async putArchive(id, archivePath, archive, options = {}) {
      await transport.empty({
        method: 'PUT',
        path: path(id, '/archive'),
        query: { path: archivePath, noOverwriteDirNonDir: options.noOverwriteDirNonDir },
        body: archive,
        contentType: 'application/x-tar',
      });
    },
    async export(id, target) {
      await writeResponseTo(await transport.send({ method: 'GET', path: path(id, '/export') }), target);
    },
    async commit(id, options: ContainerCommitOptions = {}) {
      const reference = options.reference ? splitReference(options.reference) : undefined;
      const reply = await transport.json(
        {
          method: 'POST',
          path: '/commit',
          query: {
            container: id,
            repo: reference?.repository,
            tag: reference?.tag,
            comment: options.comment,
            author: options.author,
            pause: options.pause ?? true,
          },
          // The runtime defaults to change, as the config body docker merges over the container's.
          json: options.changes ?? {},
        },
        IdResponseSchema,
      );
      return { id: reply.Id ?? '' };
    },
    async changes(id) {
      const wire = await transport.json({ method: 'GET', path: path(id, '/changes') }, z.array(FilesystemChangeSchema).nullable());
      return (wire ?? []).map(changeFromWire);
    },
    async prune(options = {}) {
      const reply = await transport.json(
        { method: 'POST', path: '/containers/prune', query: { filters: filtersQuery(options.filters) } },
        ContainerPruneResponseSchema,
      );
      return { containersDeleted: reply.ContainersDeleted ?? [], spaceReclaimed: reply.SpaceReclaimed ?? 0 };
    },
  };
}

/** A HEAD reply has no body: give a missing path docker's wording instead of "404 Not Found". */
function missingPath(err: unknown, id: string, path: string): unknown {
  if (isNotFound(err) && /^404\b/.test((err as Error).message)) {
    return new NotFoundError(`Could not find the file ${path} in container ${id}`, { cause: err });
  }
  return err;
}

/** The read side of a hijacked connection: the bytes read with the headers, then the socket's. */
async function* hijackedBytes(connection: HijackedConnection): AsyncGenerator<Buffer, void, undefined> {
  if (connection.head.length > 0) yield connection.head;
  try {
    for await (const chunk of connection.socket) yield chunk as Buffer;
  } catch (err) {
    // A detach or abort destroys the socket: that is the end of the output, not a failure.
    if (connection.socket.destroyed) return;
    throw err;
  }
}

/** Writes go to the socket; `end()` half-closes it, which docker reads as stdin's end. */
function stdinOf(socket: Socket): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
  });
}

function attachSession(connection: HijackedConnection, tty: boolean, stdin: boolean, signal: AbortSignal | undefined): AttachSession {
  const { socket } = connection;
  signal?.addEventListener('abort', () => socket.destroy(), { once: true });
  return {
    output: logChunks(hijackedBytes(connection), { tty }),
    stdin: stdin ? stdinOf(socket) : undefined,
    async detach() {
      socket.destroy();
    },
  };
}

function socketClosed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Polls the exec until docker records its exit (the stream may close a moment before). */
async function exitCodeOf(execId: string, execInspect: ContainersApi['execInspect'], signal?: AbortSignal): Promise<number> {
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    // An aborted session stops watching: the process may well run on.
    if (signal?.aborted) throw signal.reason;
    const inspected = await execInspect(execId);
    if (!inspected.running && inspected.exitCode !== undefined) return inspected.exitCode;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function attachedExec(
  execId: string,
  connection: HijackedConnection,
  tty: boolean,
  options: ExecStartOptions,
  execInspect: ContainersApi['execInspect'],
): ExecSession {
  const { socket } = connection;
  options.signal?.addEventListener('abort', () => socket.destroy(), { once: true });
  if (options.stdin) {
    const stdin = options.stdin;
    const sink = stdinOf(socket);
    // The daemon hung up (the exec ended): stop feeding it; the exit code tells the rest.
    sink.on('error', () => stdin.unpipe(sink));
    stdin.pipe(sink);
  }
  const exit = socketClosed(socket).then(() => exitCodeOf(execId, execInspect, options.signal));
  // Nobody may await `exit` (an aborted session): keep its rejection from going unhandled.
  exit.catch(() => undefined);
  return { output: logChunks(hijackedBytes(connection), { tty }), exit };
}

function detachedExec(execId: string, execInspect: ContainersApi['execInspect'], signal: AbortSignal | undefined): ExecSession {
  let exit: Promise<number> | undefined;
  const empty: AsyncIterable<LogChunk> = { [Symbol.asyncIterator]: async function* () {} };
  return {
    output: empty,
    get exit() {
      exit ??= exitCodeOf(execId, execInspect, signal);
      return exit;
    },
  };
}
