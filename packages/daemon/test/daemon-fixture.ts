import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Engine, createMemoryEngine } from '@berth/engine';
import { busyboxImage } from '@berth/image/testing';
import { type DaemonServer, serveEngine } from '@berth/daemon';

/** A memory engine with busybox, served on a private unix socket. */
export interface ServedEngine {
  engine: Engine;
  server: DaemonServer;
  socketPath: string;
  dispose(): Promise<void>;
}

/** Starts a daemon for one test file; `dispose` stops it and removes everything. */
export async function startDaemon(): Promise<ServedEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'berthd-test-'));
  const socketPath = join(dir, 'berthd.sock');
  const engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  const server = await serveEngine(engine, { listeners: [{ type: 'unix', path: socketPath }], closeEngine: true, shutdownTimeoutMs: 2000 });
  return {
    engine,
    server,
    socketPath,
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A buffered HTTP answer. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as JSON (throws if it is not). */
  json(): any;
}

/** Sends one request over the socket and reads the whole answer. */
export function call(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: { ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer, json: () => JSON.parse(buffer.toString('utf8')) });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends a request with `Connection: Upgrade` and resolves with the raw socket after `101`. */
export function upgrade(socketPath: string, path: string, body?: unknown): Promise<{ status: number; headers: IncomingHttpHeaders; socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      socketPath,
      method: 'POST',
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) },
    });
    req.on('upgrade', (res, socket, head) => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket, head }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new Error(`no upgrade: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads a socket to its end. */
export async function readAll(stream: AsyncIterable<Buffer>, head: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  const chunks: Buffer[] = [head];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
