import { cpuBetween, processCpu } from '../lib/cpu-time.js';
import type { PrivateDockerd } from '../lib/dockerd.js';
import { since } from '../lib/stats.js';

/** One timed `docker pull`, in ms. */
export interface DockerPullTiming {
  totalMs: number;
  /** CPU time of dockerd (with the `docker-untar` children it reaps) and of the docker CLI. */
  cpuMs: number;
}

/**
 * `docker pull` on the private dockerd, timed from the CLI's start to its exit. The
 * image is removed afterwards (`docker rmi` + `docker image prune`, untimed) so every
 * run downloads and extracts everything again.
 */
export async function dockerPull(dockerd: PrivateDockerd, reference: string): Promise<DockerPullTiming> {
  const [daemonBefore, cliBefore] = [await processCpu(dockerd.pid), await processCpu()];
  const start = performance.now();
  await dockerd.docker(['pull', '--quiet', reference]);
  const totalMs = since(start);
  const [daemonAfter, cliAfter] = [await processCpu(dockerd.pid), await processCpu()];
  const cpuMs = cpuBetween(daemonBefore, daemonAfter) + cliAfter.childrenMs - cliBefore.childrenMs;
  await dockerd.docker(['rmi', reference]);
  await dockerd.docker(['image', 'prune', '--force', '--all']);
  return { totalMs, cpuMs };
}
