import type { PrivateDockerd } from '../lib/dockerd.js';
import type { BenchEngine } from './berth-engine.js';

/**
 * Starts `count` containers of `sleep 30` (network `none`, unique names) at once on the engine; resolves
 * with the ms until every `start` resolved (each resolves once its process runs). The
 * containers are then force-removed, untimed.
 */
export async function berthConcurrent(bench: BenchEngine, count: number): Promise<number> {
  const { engine } = bench;
  const ids: string[] = [];
  const begin = performance.now();
  let elapsed: number;
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        // Named: concurrent creates could draw the same generated name (see README).
        const name = `bench-${process.pid}-${Date.now().toString(36)}-${i}`;
        const { id } = await engine.containers.create({ image: 'busybox', name, cmd: ['sleep', '30'], networkMode: 'none' });
        ids.push(id);
        await engine.containers.start(id);
      }),
    );
    elapsed = performance.now() - begin;
    const states = await Promise.all(ids.map(async (id) => (await engine.containers.inspect(id)).state.status));
    const notRunning = states.filter((s) => s !== 'running').length;
    if (notRunning > 0) throw new Error(`berth: ${notRunning} of ${count} containers are not running`);
  } finally {
    await Promise.all(ids.map((id) => engine.containers.remove(id, { force: true }).catch((err: unknown) => console.error(`removing ${id}: ${String(err)}`))));
  }
  return elapsed;
}

/**
 * Runs `count` `docker run -d --network none busybox sleep 30` CLIs at once (each returns
 * once its container runs); resolves with the ms until the last returned. Then
 * `docker rm -f` of all, untimed.
 */
export async function dockerConcurrent(dockerd: PrivateDockerd, count: number): Promise<number> {
  const ids: string[] = [];
  const begin = performance.now();
  let elapsed: number;
  try {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const { stdout } = await dockerd.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '30']);
        ids.push(stdout.trim());
      }),
    );
    elapsed = performance.now() - begin;
    const { stdout } = await dockerd.docker(['inspect', '--format', '{{.State.Status}}', ...ids]);
    const notRunning = stdout.split('\n').filter((s) => s !== '' && s !== 'running').length;
    if (notRunning > 0) throw new Error(`docker: ${notRunning} of ${count} containers are not running`);
  } finally {
    // Failed runs leave created containers too: remove everything this dockerd holds.
    const all = (await dockerd.docker(['ps', '-aq'])).stdout.split('\n').filter((s) => s !== '');
    if (all.length > 0) await dockerd.docker(['rm', '-f', ...all], { allowFailure: true });
  }
  return elapsed;
}
