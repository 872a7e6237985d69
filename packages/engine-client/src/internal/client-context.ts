import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { encodeFilters } from '@berth/docker-api';
import type { DockerTransport } from './docker-transport.js';

/** What every API part of the client shares: the transport. */
export interface ClientContext {
  transport: DockerTransport;
}

/** The `filters` query value docker reads, or nothing. */
export function filtersQuery(filters: Readonly<Record<string, readonly string[]>> | undefined): string | undefined {
  return filters ? encodeFilters(filters) : undefined;
}

/** Path segments are names and IDs: escape them, so `a/b` cannot reach another route. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * The bytes of a response as they arrive; aborting `signal` (or the client closing) ends the
 * iteration quietly instead of failing it: the caller asked for the end.
 */
export async function* responseBytes(response: IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<Buffer, void, undefined> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (err) {
    if (signal?.aborted || response.destroyed) return;
    throw err;
  } finally {
    response.destroy();
  }
}

/** Copies a response body to a path or a stream (ended when done); an abort rejects with its reason. */
export async function writeResponseTo(response: IncomingMessage, target: string | Writable, signal?: AbortSignal): Promise<void> {
  try {
    await pipeline(response, typeof target === 'string' ? createWriteStream(target) : target);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}
