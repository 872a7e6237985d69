import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, NotImplementedError, UnavailableError, isBerthError } from '@berth/errdefs';
import { type SnapshotLayout, openDirectorySnapshotter } from './directory-snapshotter.js';
import { mountAll, unmountAll } from './mount.js';
import type { Mount, Snapshotter } from './snapshotter.js';

/** Options of {@link createOverlaySnapshotter}. */
export interface OverlaySnapshotterOptions {
  /** Directory holding the snapshotter's metadata and trees; created if missing. Must not contain `,` or `:`. */
  root: string;
}

/** Whether the running kernel knows the overlay file system. */
async function kernelHasOverlay(): Promise<boolean> {
  try {
    const filesystems = await readFile('/proc/filesystems', 'utf8');
    return filesystems.split('\n').some((line) => line.trim().split(/\s+/).pop() === 'overlay');
  } catch {
    return false;
  }
}

/**
 * Proves that an overlay with upper and work dirs on `root`'s file system mounts (some
 * file systems cannot host an upper dir), by mounting and unmounting a tiny one. Only
 * root can mount, so others skip the proof and learn at mount time.
 */
async function checkOverlayMounts(root: string, extraOptions: string[]): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const probe = join(root, `.overlay-probe-${process.pid}`);
  await rm(probe, { recursive: true, force: true });
  try {
    await Promise.all(['lower', 'upper', 'work', 'merged'].map((d) => mkdir(join(probe, d), { recursive: true })));
    const mount: Mount = {
      type: 'overlay',
      source: 'overlay',
      options: [...extraOptions, `workdir=${join(probe, 'work')}`, `upperdir=${join(probe, 'upper')}`, `lowerdir=${join(probe, 'lower')}`],
    };
    await mountAll([mount], join(probe, 'merged'));
    await unmountAll(join(probe, 'merged'));
  } catch (err) {
    throw new UnavailableError(
      `overlay mounts do not work on ${root}: ${isBerthError(err) ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    await rm(probe, { recursive: true, force: true }).catch(() => undefined);
  }
}

function overlayLayout(extraOptions: string[]): SnapshotLayout {
  const fs = (directory: string) => join(directory, 'fs');
  return {
    whiteoutFormat: 'overlay',
    async create(directory, kind) {
      await mkdir(fs(directory), { mode: 0o755 });
      if (kind === 'active') await mkdir(join(directory, 'work'), { mode: 0o711 });
    },
    mounts(directory, kind, ancestors) {
      if (kind === 'active') {
        if (ancestors.length === 0) return [{ type: 'bind', source: fs(directory), options: ['rbind', 'rw'] }];
        return [
          {
            type: 'overlay',
            source: 'overlay',
            options: [
              ...extraOptions,
              `workdir=${join(directory, 'work')}`,
              `upperdir=${fs(directory)}`,
              `lowerdir=${ancestors.map(fs).join(':')}`,
            ],
          },
        ];
      }
      // A view has no upper dir: one layer is a read-only bind, several a read-only overlay of lower dirs.
      if (ancestors.length <= 1) return [{ type: 'bind', source: fs(ancestors[0] ?? directory), options: ['rbind', 'ro'] }];
      return [{ type: 'overlay', source: 'overlay', options: [...extraOptions, `lowerdir=${ancestors.map(fs).join(':')}`] }];
    },
  };
}

/**
 * containerd's overlayfs snapshotter. Every snapshot is a directory `snapshots/<id>/`
 * under `root` holding its own layer in `fs/` (and, while active, an overlay `work/`
 * dir); an active snapshot with parents mounts as an overlay whose lower dirs are the
 * parents' `fs` dirs (nearest first) and whose upper dir is its own `fs`. Commit only
 * changes metadata — no data moves. Ids are short numbers so that deep chains fit the
 * kernel's one-page limit on mount options; beyond it, {@link mountAll} passes lower
 * dirs relative to the snapshots directory.
 *
 * Layers are applied straight into {@link Snapshotter.applyTarget} (the upper dir) with
 * overlay whiteouts, which takes root (device nodes, `trusted.*` xattrs), as does
 * mounting. Fails with `NotImplemented` when the kernel has no overlayfs and
 * `Unavailable` when overlays cannot be mounted on `root`'s file system.
 */
export async function createOverlaySnapshotter(options: OverlaySnapshotterOptions): Promise<Snapshotter> {
  const root = resolve(options.root);
  if (/[,:]/.test(root)) {
    throw new InvalidArgumentError(`overlay snapshotter root ${root} contains "," or ":", which overlay mount options cannot carry`);
  }
  if (!(await kernelHasOverlay())) {
    throw new NotImplementedError('the overlay file system is not available in this kernel (/proc/filesystems lists no overlay)');
  }
  // With the index feature on, overlay refuses lower dirs shared by concurrent mounts and upper
  // dirs remounted over other lowers; turn it off where the kernel knows it (as containerd does).
  const extraOptions = existsSync('/sys/module/overlay/parameters/index') ? ['index=off'] : [];
  await mkdir(root, { recursive: true, mode: 0o711 });
  await checkOverlayMounts(root, extraOptions);
  return openDirectorySnapshotter(root, overlayLayout(extraOptions));
}
