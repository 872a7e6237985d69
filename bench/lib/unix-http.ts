import { Agent, request } from 'node:http';

/** A response read to the end. */
export interface HttpAnswer {
  status: number;
  body: Buffer;
}

/**
 * An HTTP client of one unix socket (a daemon's API) with keep-alive connections, at most
 * `maxSockets` of them open: requests beyond that queue for a free connection, so a load
 * generator's concurrency is the number of connections. `close` destroys the connections.
 */
export interface UnixHttpClient {
  request(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  close(): void;
}

/** Opens a {@link UnixHttpClient} on `socketPath`. */
export function createUnixHttpClient(socketPath: string, options: { maxSockets?: number } = {}): UnixHttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
  return {
    request(method, path, body) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            socketPath,
            method,
            path,
            headers: { Host: 'localhost', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** Whether a Docker-API daemon answers `GET /_ping` with `OK` on `socketPath` (one short-lived connection). */
export function pingSocket(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', headers: { Host: 'localhost' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(res.statusCode === 200 && Buffer.concat(chunks).toString() === 'OK'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Throughput of a request loop: how many finished in how long. */
export interface Throughput {
  requests: number;
  ms: number;
  perSecond: number;
}

/**
 * Runs `send` from `concurrency` loops at once for `durationMs`, each loop starting its next
 * request when the previous one answered (closed-loop load). Every answer must satisfy
 * `check` (else the run rejects): a fast error is not a fast answer.
 */
export async function measureThroughput(
  send: () => Promise<HttpAnswer>,
  options: { concurrency: number; durationMs: number; check: (answer: HttpAnswer) => void },
): Promise<Throughput> {
  let requests = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      options.check(await send());
      requests++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const ms = performance.now() - start;
  return { requests, ms, perSecond: (requests * 1000) / ms };
}
