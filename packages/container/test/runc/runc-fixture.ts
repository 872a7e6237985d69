import { readdir, readFile, rmdir } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createOverlaySnapshotter, mountAll, unmountAll, unpackImage } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { makeTempDir } from '@berth/testkit';
import type { OciRuntimeFixture } from '@berth/container/conformance';
import { createRuncRuntime } from '../../src/runc/runc-runtime.js';

/** A runc runtime over temp directories, with busybox root file systems on overlay snapshots. */
export interface RuncFixture extends OciRuntimeFixture {
  base: string;
  stateDir: string;
  cgroupParent: string;
  /** What is left behind: conmon processes, mounts, runc containers, cgroups (all should be empty). */
  leftovers(): Promise<{ conmons: number[]; mounts: string[]; cgroups: string[] }>;
}

async function cgroupControllerDirs(): Promise<string[]> {
  const entries = await readdir('/sys/fs/cgroup', { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => join('/sys/fs/cgroup', e.name));
}

export async function runcFixture(): Promise<RuncFixture> {
  const dir = await makeTempDir('berth-runc');
  const base = dir.path;
  const stateDir = join(base, 'state');
  const root = join(base, 'root');
  const snapshotter = await createOverlaySnapshotter({ root: join(base, 'snapshots') });
  const { key } = await unpackImage(busyboxImage(), snapshotter);
  const mounted: Array<{ rootfs: string; snapshot: string }> = [];
  const cgroupParent = `/berth-test-${process.pid}-${Date.now().toString(36)}`;
  const runtime = createRuncRuntime({ root, stateDir });

  const leftovers = async () => {
    const conmons: number[] = [];
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.startsWith('/usr/bin/conmon') && cmdline.includes(stateDir)) conmons.push(Number(pid));
    }
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(base));
    const cgroups: string[] = [];
    for (const controller of await cgroupControllerDirs()) {
      const parent = join(controller, cgroupParent);
      const children = await readdir(parent, { withFileTypes: true }).catch(() => undefined);
      for (const child of children ?? []) if (child.isDirectory()) cgroups.push(join(parent, child.name));
    }
    return { conmons, mounts, cgroups };
  };

  return {
    runtime,
    base,
    stateDir,
    cgroupParent,
    async prepare(id) {
      const bundle = join(base, 'bundles', id);
      const rootfs = join(bundle, 'rootfs');
      await mkdir(rootfs, { recursive: true });
      const snapshot = `ctr-${id}`;
      await mountAll(await snapshotter.prepare(snapshot, key), rootfs);
      mounted.push({ rootfs, snapshot });
      return { bundle, rootfs, logPath: join(base, 'logs', `${id}.log`) };
    },
    reopen: async () => createRuncRuntime({ root, stateDir }),
    leftovers,
    async cleanup() {
      for (const container of await runtime.list().catch(() => [])) {
        await runtime.delete(container.id, { force: true }).catch(() => undefined);
      }
      await runtime.close();
      for (const { rootfs, snapshot } of mounted) {
        await unmountAll(rootfs).catch(() => undefined);
        await snapshotter.remove(snapshot).catch(() => undefined);
      }
      for (const controller of await cgroupControllerDirs()) await rmdir(join(controller, cgroupParent)).catch(() => undefined);
      await dir.remove();
    },
  };
}
