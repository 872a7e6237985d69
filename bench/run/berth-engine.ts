import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuncRuntime } from '@berth/container';
import { type Engine, createEngine } from '@berth/engine';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { type NetworkDriver, createBridgeDriver, createHostDriver, createLinuxHostNet, createMemoryDriver, createNoneDriver } from '@berth/network';
import { removeTree } from '../lib/scratch.js';
import { type RuntimeTimes, timedRuntime } from './timed-runtime.js';

/** An in-process Berth engine the benchmark opened on private roots. */
export interface BenchEngine {
  readonly engine: Engine;
  /** Time spent in each runtime (runc/conmon) call, for the breakdown. */
  readonly runtimeTimes: RuntimeTimes;
  /** Force-removes every container (and, with real bridge networking, the networks and bridge), closes the engine, removes its roots. */
  close(): Promise<void>;
}

/** Writes the busybox fixture (`@berth/image/testing`) as a `docker save` archive tagged `busybox:latest`. */
export async function writeBusyboxArchive(path: string): Promise<void> {
  await writeDockerArchive(path, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
}

/**
 * Opens the real engine (`createEngine`: runc under conmon, overlayfs) with its data root
 * under `dir` and a short state root `/run/bt-bench-<hex>` (conmon's socket paths must fit
 * in 108 bytes), and loads busybox from `archive`. With `bridge: false` the `bridge`
 * network is the memory driver, so the engine touches no host network state (containers
 * use network mode `none` anyway); with `bridge: true` it is the real bridge driver with a
 * private bridge name (`bb<hex>`) and chain prefix (`BB<HEX>`), removed on close.
 */
export async function openBenchEngine(dir: string, archive: string, options: { bridge: boolean }): Promise<BenchEngine> {
  const tag = randomBytes(3).toString('hex');
  const stateRoot = `/run/bt-bench-${tag}`;
  const dataRoot = join(dir, 'data');
  const hostNet = createLinuxHostNet();
  const bridge = options.bridge ? createBridgeDriver({ hostNet, chainPrefix: `BB${tag.toUpperCase()}` }) : undefined;
  const drivers: NetworkDriver[] = [bridge ?? createMemoryDriver({ type: 'bridge' }), createHostDriver(), createNoneDriver()];
  const { runtime, times } = timedRuntime(createRuncRuntime({ root: join(dataRoot, 'runtime'), stateDir: join(stateRoot, 'runtime') }));
  const engine = await createEngine({
    dataRoot,
    stateRoot,
    runtime,
    hostNet,
    networkDrivers: drivers,
    ...(bridge ? { defaultBridge: { bridgeName: `bb${tag}` } } : {}),
  });
  const close = async () => {
    const containers = await engine.containers.list({ all: true }).catch(() => []);
    await Promise.all(containers.map((c) => engine.containers.remove(c.id, { force: true }).catch(() => undefined)));
    for (const network of await engine.networks.list({ filters: { type: ['custom'] } }).catch(() => [])) {
      await engine.networks.remove(network.id).catch((err: unknown) => console.error(`removing network ${network.name}: ${String(err)}`));
    }
    if (bridge) {
      // The predefined `bridge` network cannot be removed through the engine; its Linux bridge and chains are ours.
      const defaultBridge = await engine.networks.inspect('bridge').catch(() => undefined);
      if (defaultBridge) await bridge.removeNetwork(defaultBridge.id).catch((err: unknown) => console.error(`removing bb${tag}: ${String(err)}`));
    }
    await engine.close().catch((err: unknown) => console.error(`closing the engine: ${String(err)}`));
    await removeTree(stateRoot);
    await removeTree(dir);
  };
  try {
    await engine.images.load(archive);
  } catch (err) {
    await close();
    throw err;
  }
  return { engine, runtimeTimes: times, close };
}

/** Phases of one Berth `run --rm`, in ms. */
export interface BerthRunTiming {
  totalMs: number;
  createMs: number;
  startMs: number;
  waitMs: number;
  removeMs: number;
  /** Runtime calls made during the run, by method: ms and calls. */
  runtime: Record<string, { ms: number; calls: number }>;
}

/** `docker run --rm busybox true` on the engine: create + start + wait + remove, network `none`. */
export async function berthRunRm(bench: BenchEngine, cmd: string[] = ['true']): Promise<BerthRunTiming> {
  const { engine } = bench;
  bench.runtimeTimes.reset();
  const t0 = performance.now();
  const { id } = await engine.containers.create({ image: 'busybox', cmd, networkMode: 'none' });
  const t1 = performance.now();
  await engine.containers.start(id);
  const t2 = performance.now();
  const { statusCode } = await engine.containers.wait(id);
  const t3 = performance.now();
  await engine.containers.remove(id);
  const t4 = performance.now();
  if (statusCode !== 0) throw new Error(`berth: ${cmd.join(' ')} exited with ${statusCode}`);
  return {
    totalMs: t4 - t0,
    createMs: t1 - t0,
    startMs: t2 - t1,
    waitMs: t3 - t2,
    removeMs: t4 - t3,
    runtime: Object.fromEntries([...bench.runtimeTimes.totals].map(([k, v]) => [k, { ...v }])),
  };
}

/** Removes a file if present (archives written for loading). */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
