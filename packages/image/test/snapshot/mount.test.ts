import { mkdir, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { mountAll, mountsToDirectory, unmountAll, withMounts } from '@berth/image';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadLinuxSyscalls } from '@berth/linux-syscalls';
import { isMountPoint } from '../../src/snapshot/mount-table.js';
import { releaseLeakedMounts } from './fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

describe('mountsToDirectory', () => {
  it('returns the source of a single bind mount', () => {
    expect(mountsToDirectory([{ type: 'bind', source: '/some/dir', options: ['rbind', 'ro'] }])).toBe('/some/dir');
  });

  it('refuses anything that needs a real mount', () => {
    const overlay = { type: 'overlay', source: 'overlay', options: ['lowerdir=/a:/b'] };
    const bind = { type: 'bind', source: '/a', options: ['rbind'] };
    for (const mounts of [[overlay], [bind, bind], []]) {
      expect(errorCode(rejectionSync(() => mountsToDirectory(mounts)))).toBe('FailedPrecondition');
    }
  });
});

function rejectionSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('unmountAll', () => {
  it('does nothing for a directory with nothing mounted', async () => {
    const temp = await makeTempDir('berth-unmount');
    try {
      await unmountAll(temp.path);
      await unmountAll(join(temp.path, 'missing'));
    } finally {
      await temp.remove();
    }
  });
});

/**
 * Both ways of mounting: `mount(2)` through @berth/linux-syscalls (when the addon is built)
 * and `mount(8)`, which `BERTH_NO_NATIVE_MOUNT=1` forces.
 */
const mountPaths = [
  ...(loadLinuxSyscalls() ? [{ name: 'mount(2)', noNativeMount: '' }] : []),
  { name: 'mount(8)', noNativeMount: '1' },
];

for (const mountPath of mountPaths) describeIntegration(`mounting with ${mountPath.name}`, { root: true }, () => {
  let temp: { path: string; remove: () => Promise<void> };
  let source: string;
  let target: string;

  beforeEach(async () => {
    vi.stubEnv('BERTH_NO_NATIVE_MOUNT', mountPath.noNativeMount);
    temp = await makeTempDir('berth-mount');
    source = join(temp.path, 'source');
    target = join(temp.path, 'target');
    await mkdir(source);
    await mkdir(target);
    await writeFile(join(source, 'file.txt'), 'content');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    const leaked = await releaseLeakedMounts(temp.path);
    await temp.remove();
    expect(leaked).toEqual([]);
  });

  if (mountPath.noNativeMount === '') {
    it('mounts overlays and plain binds and unmounts them without running mount(8) or umount(8)', async () => {
      const upper = join(temp.path, 'upper');
      const work = join(temp.path, 'work');
      await mkdir(upper);
      await mkdir(work);
      // No program can be found: only the system calls can do this.
      vi.stubEnv('PATH', join(temp.path, 'no-programs-here'));
      await mountAll([{ type: 'overlay', source: 'overlay', options: [`workdir=${work}`, `upperdir=${upper}`, `lowerdir=${source}`] }], target);
      await mountAll([{ type: 'bind', source, options: ['rbind', 'rw'] }], target);
      expect(await readFile(join(target, 'file.txt'), 'utf8')).toBe('content');
      await unmountAll(target);
      expect(await isMountPoint(target)).toBe(false);
    });
  } else {
    it('runs mount(8), even for mounts the system call could do', async () => {
      vi.stubEnv('PATH', join(temp.path, 'no-programs-here'));
      const err = await rejection(mountAll([{ type: 'bind', source, options: ['rbind'] }], target));
      expect(errorCode(err)).toBe('Unavailable');
      expect(await isMountPoint(target)).toBe(false);
    });
  }

  it('bind-mounts read-only and unmounts', async () => {
    await mountAll([{ type: 'bind', source, options: ['rbind', 'ro'] }], target);
    expect(await isMountPoint(target)).toBe(true);
    expect(await readFile(join(target, 'file.txt'), 'utf8')).toBe('content');
    const err = await rejection(writeFile(join(target, 'new.txt'), 'x'));
    expect((err as NodeJS.ErrnoException).code).toBe('EROFS');
    await unmountAll(target);
    expect(await isMountPoint(target)).toBe(false);
    expect(await readdir(target)).toEqual([]);
  });

  it('stacks several mounts and unmounts them all', async () => {
    const second = join(temp.path, 'second');
    await mkdir(second);
    await writeFile(join(second, 'other.txt'), 'other');
    await mountAll(
      [
        { type: 'bind', source, options: ['rbind'] },
        { type: 'bind', source: second, options: ['rbind'] },
      ],
      target,
    );
    expect(await readdir(target)).toEqual(['other.txt']);
    await unmountAll(target);
    expect(await isMountPoint(target)).toBe(false);
  });

  it('mounts an overlay and passes errors on as errdefs codes', async () => {
    const upper = join(temp.path, 'upper');
    const work = join(temp.path, 'work');
    await mkdir(upper);
    await mkdir(work);
    await mountAll([{ type: 'overlay', source: 'overlay', options: [`workdir=${work}`, `upperdir=${upper}`, `lowerdir=${source}`] }], target);
    await writeFile(join(target, 'up.txt'), 'up');
    await unmountAll(target);
    expect(await readFile(join(upper, 'up.txt'), 'utf8')).toBe('up');

    const missing = await rejection(mountAll([{ type: 'bind', source: join(temp.path, 'missing'), options: ['rbind'] }], target));
    expect(errorCode(missing)).toBe('NotFound');
    const unknownType = await rejection(mountAll([{ type: 'berthfs', source: 'none', options: [] }], target));
    expect(errorCode(unknownType)).toBe('NotImplemented');
    expect(await isMountPoint(target)).toBe(false);
  });

  it('undoes earlier mounts when a later one fails', async () => {
    const err = await rejection(
      mountAll(
        [
          { type: 'bind', source, options: ['rbind'] },
          { type: 'bind', source: join(temp.path, 'missing'), options: ['rbind'] },
        ],
        target,
      ),
    );
    expect(errorCode(err)).toBe('NotFound');
    expect(await isMountPoint(target)).toBe(false);
  });

  it('detaches a busy mount lazily', async () => {
    await mountAll([{ type: 'bind', source, options: ['rbind'] }], target);
    const handle = await open(join(target, 'file.txt'), 'r');
    try {
      await unmountAll(target);
      expect(await isMountPoint(target)).toBe(false);
      // The open file still reads: a lazy unmount only detaches.
      expect((await handle.readFile('utf8'))).toBe('content');
    } finally {
      await handle.close();
    }
  });

  it('withMounts unmounts and removes its mount point when the callback throws', async () => {
    let seen = '';
    const err = await rejection(
      withMounts(
        [{ type: 'bind', source, options: ['rbind', 'ro'] }],
        async (dir) => {
          seen = dir;
          expect(await isMountPoint(dir)).toBe(true);
          throw new Error('callback failed');
        },
        { parent: temp.path },
      ),
    );
    expect((err as Error).message).toBe('callback failed');
    expect(seen.startsWith(temp.path)).toBe(true);
    expect(await isMountPoint(seen)).toBe(false);
    expect((await readdir(temp.path)).sort()).toEqual(['source', 'target']);
  });

  it('withMounts returns the callback result and cleans up', async () => {
    const result = await withMounts([{ type: 'bind', source, options: ['rbind'] }], (dir) => readFile(join(dir, 'file.txt'), 'utf8'), {
      parent: temp.path,
    });
    expect(result).toBe('content');
    expect((await readdir(temp.path)).sort()).toEqual(['source', 'target']);
  });

  it('does not mount when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(mountAll([{ type: 'bind', source, options: ['rbind'] }], target, { signal: controller.signal }));
    expect((err as Error).name).toBe('AbortError');
    expect(await isMountPoint(target)).toBe(false);
  });
});
