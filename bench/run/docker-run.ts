import type { PrivateDockerd } from '../lib/dockerd.js';

/** `docker run --rm --network none busybox <cmd>` on a private dockerd; resolves with its wall time in ms. */
export async function dockerRunRm(dockerd: PrivateDockerd, cmd: string[] = ['true']): Promise<number> {
  const start = performance.now();
  await dockerd.docker(['run', '--rm', '--network', 'none', 'busybox', ...cmd]);
  return performance.now() - start;
}

/** Loads the busybox archive into a private dockerd (`docker load`). */
export async function dockerLoad(dockerd: PrivateDockerd, archive: string): Promise<void> {
  await dockerd.docker(['load', '-i', archive]);
}
