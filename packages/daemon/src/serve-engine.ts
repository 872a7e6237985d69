import { chmod, mkdir, rm } from 'node:fs/promises';
import { type IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { DEFAULT_API_VERSION, PingHeaders, checkApiVersion, parseApiVersion } from '@berth/docker-api';
import type { Engine } from '@berth/engine';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type DaemonSettings, type DaemonState, defaultDaemonSettings } from './daemon-state.js';
import { clientErrorReply } from './http/client-error.js';
import { sendError } from './http/reply.js';
import type { RequestContext, UpgradeRequest } from './http/request-context.js';
import { createRouter } from './routes/route-table.js';
import { type ListenerSpec, listenerAddress } from './listeners.js';
import { type Logger, silentLogger } from './logger.js';

/** Options of {@link serveEngine}. */
export interface ServeEngineOptions {
  /** Where to listen; at least one. */
  listeners: readonly ListenerSpec[];
  /** Aborting it shuts the daemon down gracefully (as `close()`). */
  signal?: AbortSignal;
  logger?: Logger;
  settings?: Partial<DaemonSettings>;
  /** Close the engine when the daemon closes (berthd does; embedders usually keep theirs). Default false. */
  closeEngine?: boolean;
  /** How long `close()` lets in-flight requests finish before cutting them (default 10 s). */
  shutdownTimeoutMs?: number;
}

/** A running daemon: its addresses and a graceful `close()`. `await using` closes it. */
export interface DaemonServer extends AsyncDisposable {
  /** Bound addresses (`unix:///…`, `tcp://127.0.0.1:43121`), in the order of the listeners. */
  readonly addresses: readonly string[];
  /** Settings and counters; `settings` can be replaced (SIGHUP reload). */
  readonly state: DaemonState;
  /**
   * Stops accepting connections, ends streaming responses (events, follow logs, attach),
   * lets in-flight requests finish, then closes the engine if asked to. Containers keep running.
   */
  close(): Promise<void>;
}

/**
 * Serves `engine` as the Docker Engine API (v1.24–v1.47 and unversioned paths) on the given
 * listeners. Resolves once every listener is bound. Unix sockets are created with mode 0660
 * (a stale socket file at the path is replaced); TCP listeners need TLS unless `allowInsecure`.
 */
export async function serveEngine(engine: Engine, options: ServeEngineOptions): Promise<DaemonServer> {
  if (options.listeners.length === 0) throw new InvalidArgumentError('serveEngine needs at least one listener');
  const logger = options.logger ?? silentLogger();
  const state: DaemonState = { settings: { ...defaultDaemonSettings(), ...options.settings }, logger, eventListeners: 0 };
  const router = createRouter();
  const shutdown = new AbortController();
  const sockets = new Set<Duplex>();
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const dispatch = async (req: IncomingMessage, res: ServerResponse, upgrade?: UpgradeRequest): Promise<void> => {
    inFlight++;
    const aborted = new AbortController();
    const abort = () => aborted.abort();
    res.once('close', abort);
    upgrade?.socket.once('close', abort);
    shutdown.signal.addEventListener('abort', abort, { once: true });
    try {
      res.setHeader(PingHeaders.apiVersion, DEFAULT_API_VERSION);
      res.setHeader(PingHeaders.osType, 'linux');
      res.setHeader(PingHeaders.experimental, 'false');
      res.setHeader('Server', 'Berth (linux)');
      const url = new URL(req.url ?? '/', 'http://berthd');
      const { version, path } = parseApiVersion(url.pathname);
      const apiVersion = checkApiVersion(version);
      const method = req.method ?? 'GET';
      const match = router.match(method, path);
      if (!match) throw new NotFoundError('page not found');
      const ctx: RequestContext = {
        engine,
        daemon: state,
        req,
        res,
        params: match.params,
        query: url.searchParams,
        apiVersion,
        upgrade,
        signal: aborted.signal,
      };
      logger.debug(`Calling ${method} ${url.pathname}`);
      await match.handler(ctx);
    } catch (err) {
      logger.debug(`Handler for ${req.method} ${req.url} returned error: ${(err as Error)?.message ?? String(err)}`);
      // A body left unread (refused for its size) would be drained before the next request: hang up instead.
      if (!req.complete && !upgrade && !res.headersSent) res.setHeader('Connection', 'close');
      sendError(res, err);
    } finally {
      // A streamed body may still be flushing: the request counts as in flight until it is out.
      if (!res.writableFinished && !res.destroyed && !upgrade) {
        await new Promise<void>((resolve) => {
          res.once('finish', resolve);
          res.once('close', resolve);
        });
      }
      shutdown.signal.removeEventListener('abort', abort);
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => void dispatch(req, res);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    // An upgrade request is routed like any other; the route hijacks the socket or answers plainly.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    void dispatch(req, res, { socket, head });
  };

  const servers: Server[] = [];
  const addresses: string[] = [];
  try {
    for (const spec of options.listeners) {
      const server = createListenerServer(spec);
      server.on('request', onRequest);
      server.on('upgrade', onUpgrade);
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => sockets.delete(socket));
      });
      server.on('secureConnection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
        if (socket.writable) socket.end(clientErrorReply(err));
        else socket.destroy();
      });
      servers.push(server);
      addresses.push(await listen(server, spec));
      logger.info(`API listen on ${addresses.at(-1)}`);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('Processing signal: shutting down the API');
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      shutdown.abort();
      for (const server of servers) server.closeIdleConnections();
      if (inFlight > 0) {
        const drained = new Promise<void>((resolve) => {
          idle = resolve;
        });
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.shutdownTimeoutMs ?? 10_000).unref());
        await Promise.race([drained, timeout]);
      }
      for (const socket of sockets) socket.destroy();
      await stopped;
      for (const spec of options.listeners) if (spec.type === 'unix') await rm(spec.path, { force: true });
      if (options.closeEngine) await engine.close();
      logger.info('Daemon shutdown complete');
    })();
    return closing;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  if (options.signal?.aborted) await close();

  return { addresses, state, close, [Symbol.asyncDispose]: close };
}

function createListenerServer(spec: ListenerSpec): Server {
  if (spec.type === 'unix') return createServer();
  if (spec.tls) {
    return createTlsServer({
      cert: spec.tls.cert,
      key: spec.tls.key,
      ...(spec.tls.ca ? { ca: spec.tls.ca } : {}),
      requestCert: spec.tls.verifyClients,
      rejectUnauthorized: spec.tls.verifyClients,
      minVersion: 'TLSv1.2',
    });
  }
  if (!spec.allowInsecure) {
    throw new InvalidArgumentError(
      `refusing to listen on ${listenerAddress(spec)} without TLS: pass --tlsverify with --tlscacert/--tlscert/--tlskey (or force plain TCP explicitly)`,
    );
  }
  return createServer();
}

async function listen(server: Server, spec: ListenerSpec): Promise<string> {
  if (spec.type === 'unix') {
    await mkdir(dirname(spec.path), { recursive: true });
    await rm(spec.path, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (spec.type === 'unix') server.listen(spec.path, () => resolve());
    else server.listen(spec.port, spec.host, () => resolve());
  });
  if (spec.type === 'unix') {
    await chmod(spec.path, spec.mode ?? 0o660);
    return listenerAddress(spec);
  }
  return listenerAddress(spec, (server.address() as AddressInfo).port);
}
