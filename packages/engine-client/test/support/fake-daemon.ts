import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { makeTempDir } from '@berth/testkit';
import { join } from 'node:path';

/** What the fake daemon saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A route of the fake daemon: answers one request, or returns false to fall through to 404. */
export type FakeRoute = (request: IncomingMessage, response: ServerResponse) => boolean | void | Promise<boolean | void>;

/** An HTTP server on a unix socket that plays a Docker daemon, scripted per test. */
export interface FakeDaemon {
  host: string;
  seen: SeenRequest[];
  /** Connections that closed, to check that an abort really hung up. */
  closedConnections(): number;
  route(handler: FakeRoute): void;
  /** Handles `Upgrade: tcp` requests (attach, exec start). */
  onUpgrade(handler: (request: IncomingMessage, socket: Socket, head: Buffer) => void): void;
  close(): Promise<void>;
}

/** Starts a fake daemon whose replies carry `Api-Version: apiVersion` (`null`: no header, as very old daemons). */
export async function startFakeDaemon(apiVersion: string | null = '1.47'): Promise<FakeDaemon> {
  const dir = await makeTempDir('berth-fake-docker');
  const socketPath = join(dir.path, 'docker.sock');
  const seen: SeenRequest[] = [];
  const routes: FakeRoute[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  let upgrade: ((request: IncomingMessage, socket: Socket, head: Buffer) => void) | undefined;
  const server: Server = createServer(async (request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    if (apiVersion !== null) response.setHeader('Api-Version', apiVersion);
    if (request.url === '/_ping') {
      response.end('OK');
      return;
    }
    for (const route of routes) {
      if ((await route(request, response)) !== false) return;
    }
    response.statusCode = 404;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ message: `page not found: ${request.url}` }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed += 1;
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    if (upgrade) upgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    seen,
    closedConnections: () => closed,
    route: (handler) => routes.push(handler),
    onUpgrade: (handler) => {
      upgrade = handler;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dir.remove();
    },
  };
}

/** A route answering `method path` (path without the version prefix and query) with JSON. */
export function jsonRoute(method: string, path: string, status: number, body: unknown): FakeRoute {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://docker');
    if (request.method !== method || url.pathname.replace(/^\/v[0-9.]+/, '') !== path) return false;
    response.statusCode = status;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify(body));
    return true;
  };
}
