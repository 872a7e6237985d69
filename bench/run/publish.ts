import { request } from 'node:http';
import type { PrivateDockerd } from '../lib/dockerd.js';
import type { BenchEngine } from './berth-engine.js';

/** busybox httpd in the foreground on port 80, serving an empty directory (a 404 is an answer). */
const httpd = ['httpd', '-f', '-p', '80', '-h', '/var/www'];

/** One HTTP GET of 127.0.0.1:port; resolves with the status code, rejects if nothing answers. */
function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls every 5 ms until an HTTP response comes from 127.0.0.1:port (a TCP accept alone is not enough: docker-proxy accepts before the container listens). */
async function untilAnswering(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await httpStatus(port);
      return;
    } catch (err) {
      if (performance.now() > deadline) throw new Error(`nothing answered on 127.0.0.1:${port} after ${timeoutMs} ms: ${String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Phases of one published-port start, in ms from the create call. */
export interface PublishTiming {
  totalMs: number;
  /** Until the container was started (Berth: `start` resolved; docker: `docker run -d` returned). */
  startedMs: number;
  /** Until the host port was known (Berth: `inspect`; docker: `docker port`). */
  portKnownMs: number;
}

/**
 * Berth: create (on user network `network`, `127.0.0.1::80`), start, inspect for the
 * port, poll until httpd answers; then force-remove (untimed).
 */
export async function berthPublish(bench: BenchEngine, network: string): Promise<PublishTiming> {
  const { engine } = bench;
  const begin = performance.now();
  const { id } = await engine.containers.create({
    image: 'busybox',
    cmd: httpd,
    networkMode: network,
    portBindings: { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: 0 }] },
  });
  try {
    await engine.containers.start(id);
    const startedMs = performance.now() - begin;
    const port = (await engine.containers.inspect(id)).networkSettings.ports['80/tcp']?.[0]?.hostPort;
    if (!port) throw new Error('berth: no host port for 80/tcp');
    const portKnownMs = performance.now() - begin;
    await untilAnswering(port);
    return { totalMs: performance.now() - begin, startedMs, portKnownMs };
  } finally {
    await engine.containers.remove(id, { force: true });
  }
}

/**
 * docker: `docker run -d --network <network> -p 127.0.0.1::80 busybox httpd …`, `docker
 * port`, poll until httpd answers; then `docker rm -f` (untimed).
 */
export async function dockerPublish(dockerd: PrivateDockerd, network: string): Promise<PublishTiming> {
  const begin = performance.now();
  const { stdout } = await dockerd.docker(['run', '-d', '--network', network, '-p', '127.0.0.1::80', 'busybox', ...httpd]);
  const id = stdout.trim();
  try {
    const startedMs = performance.now() - begin;
    const mapping = (await dockerd.docker(['port', id, '80/tcp'])).stdout.trim();
    const port = Number(/:(\d+)$/m.exec(mapping)?.[1]);
    if (!port) throw new Error(`docker: no host port for 80/tcp (${mapping})`);
    const portKnownMs = performance.now() - begin;
    await untilAnswering(port);
    return { totalMs: performance.now() - begin, startedMs, portKnownMs };
  } finally {
    await dockerd.docker(['rm', '-f', id], { allowFailure: true });
  }
}
