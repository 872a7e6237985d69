import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { type Daemon, startDaemon } from './process.js';

/** A `docker-registry` (CNCF distribution) the benchmark started on the loopback. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  readonly host: string;
  readonly pid: number;
  /** Stops the registry by its pid and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `docker-registry` on 127.0.0.1 at a free port, plain HTTP, storing blobs under
 * `dir` (config and log there too). Docker and Berth both treat loopback registries as
 * insecure, so no TLS is needed. Resolves once `GET /v2/` answers.
 */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const daemon: Daemon = await startDaemon('docker-registry', ['serve', config], {
    logFile: join(dir, 'registry.log'),
    ready: async () => (await fetch(`http://${host}/v2/`)).status === 200,
  });
  return { host, pid: daemon.pid, stop: () => daemon.stop() };
}
