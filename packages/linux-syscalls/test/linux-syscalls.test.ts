import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LinuxSyscalls, MNT_DETACH, MS_RDONLY, isSyscallError, loadLinuxSyscalls } from '@berth/linux-syscalls';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject');
}

/** Mount points at or under `directory`, deepest (latest) first, from this process's mount table. */
async function mountPointsUnder(directory: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === directory || point.startsWith(`${directory}/`));
  return points.reverse();
}

describe('loadLinuxSyscalls', () => {
  it('loads the addon on Linux once it is built, and the same object every time', () => {
    const syscalls = loadLinuxSyscalls();
    // scripts/setup builds the addon; without it Berth falls back to mount(8) and this is undefined.
    if (process.platform === 'linux' && syscalls === undefined) {
      throw new Error('the addon is not built: run `npm run build:native -w @berth/linux-syscalls`');
    }
    expect(typeof syscalls?.mount).toBe('function');
    expect(typeof syscalls?.umount2).toBe('function');
    expect(loadLinuxSyscalls()).toBe(syscalls);
  });

  it('rejects arguments of the wrong type before calling the kernel', () => {
    const syscalls = loadLinuxSyscalls()!;
    expect(() => syscalls.mount(null, 42 as unknown as string, null, 0, null)).toThrow(TypeError);
    expect(() => syscalls.umount2('/nowhere', -1)).toThrow(TypeError);
    expect(() => syscalls.umount2('/no\0where', 0)).toThrow(TypeError);
  });
});

describeIntegration('mount(2) and umount2(2)', { root: true }, () => {
  let syscalls: LinuxSyscalls;
  let temp: { path: string; remove: () => Promise<void> };

  beforeEach(async () => {
    syscalls = loadLinuxSyscalls()!;
    temp = await makeTempDir('berth-syscalls');
  });
  afterEach(async () => {
    const leaked = await mountPointsUnder(temp.path);
    for (const point of leaked) await syscalls.umount2(point, MNT_DETACH);
    await temp.remove();
    expect(leaked).toEqual([]);
  });

  it('mounts a tmpfs, writes through it, and unmounts it', async () => {
    const target = join(temp.path, 'tmpfs');
    await mkdir(target);
    await syscalls.mount('tmpfs', target, 'tmpfs', 0, 'size=1m,mode=700');
    expect(await mountPointsUnder(target)).toEqual([target]);
    await writeFile(join(target, 'file.txt'), 'in memory');
    expect(await readFile(join(target, 'file.txt'), 'utf8')).toBe('in memory');
    await syscalls.umount2(target, 0);
    expect(await mountPointsUnder(target)).toEqual([]);
    expect(await readdir(target)).toEqual([]);
  });

  it('mounts a read-only tmpfs that refuses writes', async () => {
    const target = join(temp.path, 'ro');
    await mkdir(target);
    await syscalls.mount('tmpfs', target, 'tmpfs', MS_RDONLY, null);
    const err = await rejection(writeFile(join(target, 'file.txt'), 'x'));
    expect((err as NodeJS.ErrnoException).code).toBe('EROFS');
    await syscalls.umount2(target, 0);
  });

  it('mounts an overlay that reads the lower layers and writes to the upper one', async () => {
    const [lower1, lower2, upper, work, merged] = ['lower1', 'lower2', 'upper', 'work', 'merged'].map((d) => join(temp.path, d)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    for (const dir of [lower1, lower2, upper, work, merged]) await mkdir(dir);
    await writeFile(join(lower1, 'a.txt'), 'from the top lower');
    await writeFile(join(lower2, 'a.txt'), 'shadowed');
    await writeFile(join(lower2, 'b.txt'), 'from the bottom lower');
    await syscalls.mount('overlay', merged, 'overlay', 0, `lowerdir=${lower1}:${lower2},upperdir=${upper},workdir=${work}`);
    try {
      expect(await readFile(join(merged, 'a.txt'), 'utf8')).toBe('from the top lower');
      expect(await readFile(join(merged, 'b.txt'), 'utf8')).toBe('from the bottom lower');
      await writeFile(join(merged, 'c.txt'), 'written');
    } finally {
      await syscalls.umount2(merged, 0);
    }
    expect(await readFile(join(upper, 'c.txt'), 'utf8')).toBe('written');
    expect(await readdir(merged)).toEqual([]);
  });

  it('rejects with ENOENT, naming the call and paths, when the target is missing', async () => {
    const missing = join(temp.path, 'missing');
    const err = await rejection(syscalls.mount('tmpfs', missing, 'tmpfs', 0, null));
    expect(isSyscallError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'mount', path: missing, source: 'tmpfs' });
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toMatch(/^mount\(tmpfs, /);
  });

  it('rejects with ENODEV for a file system the kernel does not know', async () => {
    const err = await rejection(syscalls.mount('none', temp.path, 'no-such-fs-type', 0, null));
    expect(err).toMatchObject({ code: 'ENODEV', syscall: 'mount' });
  });

  it('rejects with EINVAL when unmounting a directory that is not a mount point', async () => {
    const err = await rejection(syscalls.umount2(temp.path, 0));
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'umount2', path: temp.path });
    expect((err as Error).message).toContain(temp.path);
  });

  it('rejects with EBUSY while the mount is in use, and detaches it with MNT_DETACH', async () => {
    const target = join(temp.path, 'busy');
    await mkdir(target);
    await syscalls.mount('tmpfs', target, 'tmpfs', 0, null);
    const inner = join(target, 'inner');
    await mkdir(inner);
    await syscalls.mount('tmpfs', inner, 'tmpfs', 0, null);
    // A mount below it keeps the outer one busy.
    expect(await rejection(syscalls.umount2(target, 0))).toMatchObject({ code: 'EBUSY' });
    await syscalls.umount2(target, MNT_DETACH);
    expect(await mountPointsUnder(target)).toEqual([]);
    await rmdir(target);
  });
});
