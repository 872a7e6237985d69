import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryRegistry, type MemoryRegistryOptions } from './memory-registry.js';

/** A running in-memory registry. Close it (or `await using` it) when the test is done. */
export interface MemoryRegistryServer extends AsyncDisposable {
  /** The registry's state, faults and request log. */
  readonly registry: MemoryRegistry;
  /** `127.0.0.1:<port>`: the registry part of references (`127.0.0.1:5123/app:1`). */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Starts a {@link MemoryRegistry} on a free port of 127.0.0.1. */
export async function startMemoryRegistry(options: MemoryRegistryOptions = {}): Promise<MemoryRegistryServer> {
  const registry = new MemoryRegistry(options);
  const server: Server = createServer(registry.handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    registry,
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
