import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import type { Engine } from '@berth/engine';
import { z } from 'zod';
import type { DaemonState } from '../daemon-state.js';

/** The most bytes a JSON request body may have (create bodies are a few KiB). */
export const MAX_JSON_BODY_BYTES = 4 * 1024 * 1024;

/** The raw connection of a request that asked to upgrade (`Connection: Upgrade`, `Upgrade: tcp`). */
export interface UpgradeRequest {
  socket: Duplex;
  /** Bytes the client sent after the headers (the body, then the start of stdin); the body reader takes its part. */
  head: Buffer;
}

/**
 * One request as the routes see it: the engine, path parameters, query, the API version it
 * is served at, and the response. `signal` aborts when the client goes away, so streaming
 * routes stop their engine iterators.
 */
export interface RequestContext {
  readonly engine: Engine;
  readonly daemon: DaemonState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** The API version the request is served at (`1.47` when unversioned). */
  readonly apiVersion: string;
  /** Present when the client asked for a protocol upgrade (attach, exec start). */
  readonly upgrade: UpgradeRequest | undefined;
  readonly signal: AbortSignal;
}

/** A path parameter that the route pattern guarantees. */
export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new InvalidArgumentError(`missing path parameter ${name}`);
  return value;
}

/** Reads the whole body as bytes, refusing more than `limit`. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<Buffer> {
  // Refuse a declared size at once: waiting for bytes that will not come would hang the request.
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new InvalidArgumentError(`request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new InvalidArgumentError(`request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body and validates it with `schema` (dockerd's 400 on bad input): malformed
 * JSON is `invalid JSON: …`, a schema mismatch names the field (`invalid request body:
 * HostConfig.Memory: …`). An empty body is `emptyAs` (or `{}`), as dockerd treats it.
 */
export async function readJson<T>(ctx: RequestContext, schema: z.ZodType<T>, emptyAs: unknown = {}): Promise<T> {
  const body = ctx.upgrade ? await readUpgradeBody(ctx.upgrade, Number(ctx.req.headers['content-length'] ?? 0)) : await readBody(ctx.req);
  let value: unknown = emptyAs;
  if (body.length > 0 && body.toString('utf8').trim() !== '') {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new InvalidArgumentError(`invalid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  // Go decodes `null` into the zero value.
  if (value === null) value = emptyAs;
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new InvalidArgumentError(`invalid request body: ${field}${issue.message}`, { cause: result.error });
  }
  return result.data;
}

/**
 * The body of an upgrade request: node hands over the raw socket, so the `Content-Length`
 * bytes are taken from what arrived with the headers and then from the socket; the rest stays
 * in `head` as the start of stdin. The socket is left paused for whoever reads stdin.
 */
async function readUpgradeBody(upgrade: UpgradeRequest, length: number): Promise<Buffer> {
  if (!Number.isInteger(length) || length < 0 || length > MAX_JSON_BODY_BYTES) throw new InvalidArgumentError('invalid Content-Length');
  let buffer = upgrade.head;
  const socket = upgrade.socket;
  while (buffer.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (c: Buffer) => done(c);
      const onEnd = () => done(null);
      const done = (c: Buffer | null) => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.pause();
        resolve(c);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (chunk === null) break;
    buffer = Buffer.concat([buffer, chunk]);
  }
  upgrade.head = buffer.subarray(length);
  return buffer.subarray(0, length);
}
