import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import {
  createLocalVolumeDriver,
  parseLocalVolumeOptions,
  type LocalMountSpec,
  type VolumeMounter,
} from '@berth/volume';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** A mounter that records calls and "mounts" nothing. */
function recordingMounter(mountedAtOpen: string[] = []) {
  const calls: string[] = [];
  const mounted = new Set(mountedAtOpen);
  const mounter: VolumeMounter = {
    async mount(spec: LocalMountSpec, target: string) {
      calls.push(`mount ${spec.type} ${spec.device} ${spec.o} ${target}`);
      mounted.add(target);
    },
    async unmount(target: string) {
      calls.push(`unmount ${target}`);
      mounted.delete(target);
    },
    async isMounted(target: string) {
      return mounted.has(target);
    },
  };
  return { mounter, calls, mounted };
}

describe('local driver options', () => {
  const message = (options: Record<string, string>) => {
    try {
      parseLocalVolumeOptions(options);
    } catch (err) {
      expect(errorCode(err)).toBe('InvalidArgument');
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('describes tmpfs and bind mounts, or none for plain volumes', () => {
    expect(parseLocalVolumeOptions({})).toBeUndefined();
    expect(parseLocalVolumeOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=64m,uid=1000' })).toEqual({
      type: 'tmpfs',
      device: 'tmpfs',
      o: 'size=64m,uid=1000',
    });
    expect(parseLocalVolumeOptions({ type: 'none', o: 'bind', device: '/srv' })).toEqual({
      type: 'none',
      device: '/srv',
      o: 'bind',
    });
  });

  it("refuses what Docker's local driver refuses, with its messages", () => {
    expect(message({ colour: 'blue' })).toBe('invalid option: "colour"');
    expect(message({ type: 'tmpfs' })).toBe('missing required option: "device"');
    expect(message({ device: 'tmpfs' })).toBe('missing required option: "type"');
    expect(message({ o: 'size=1m' })).toBe('missing required option: "device"');
    expect(message({ size: '10m' })).toBe('quota size requested but no quota support');
    expect(message({ size: 'lots' })).toBe("invalid size: 'lots'");
    expect(message({ size: '0' })).toBe('accepted');
    expect(message({ type: 'none', o: 'bind', device: 'relative/dir' })).toContain('not an absolute path');
  });
});

describe('local driver', () => {
  let root: string;
  let removeRoot: () => Promise<void>;

  beforeEach(async () => {
    ({ path: root, remove: removeRoot } = await makeTempDir('berth-local-volumes'));
  });
  afterEach(async () => {
    await removeRoot();
  });

  it("lays volumes out as Docker does and writes their metadata", async () => {
    const driver = await createLocalVolumeDriver({ root });
    const volume = await driver.create('data', { options: { type: 'tmpfs', device: 'tmpfs' } });
    expect(volume.mountpoint).toBe(join(root, 'data', '_data'));
    expect((await readdir(join(root, 'data'))).sort()).toEqual(['_data', 'volume.json']);
    const metadata = JSON.parse(await readFile(join(root, 'data', 'volume.json'), 'utf8'));
    expect(metadata).toMatchObject({ version: 1, name: 'data', options: { type: 'tmpfs', device: 'tmpfs' } });
    expect(await readdir(root)).toEqual(['data']);
  });

  it('mounts at the first mount and unmounts after the last', async () => {
    const { mounter, calls } = recordingMounter();
    const driver = await createLocalVolumeDriver({ root, mounter });
    await driver.create('scratch', { options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    const target = join(root, 'scratch', '_data');
    await driver.mount('scratch', 'a');
    await driver.mount('scratch', 'b');
    expect(calls).toEqual([`mount tmpfs tmpfs size=1m ${target}`]);
    await driver.unmount('scratch', 'a');
    expect(calls).toHaveLength(1);
    await driver.unmount('scratch', 'b');
    expect(calls).toEqual([`mount tmpfs tmpfs size=1m ${target}`, `unmount ${target}`]);
  });

  it('never mounts for plain volumes', async () => {
    const { mounter, calls } = recordingMounter();
    const driver = await createLocalVolumeDriver({ root, mounter });
    await driver.create('plain');
    await driver.mount('plain', 'a');
    await driver.unmount('plain', 'a');
    expect(calls).toEqual([]);
  });

  it('adopts a mount left in place by an earlier run and unmounts it before removal', async () => {
    const first = await createLocalVolumeDriver({ root, mounter: recordingMounter().mounter });
    await first.create('kept', { options: { type: 'tmpfs', device: 'tmpfs' } });
    const target = join(root, 'kept', '_data');
    const { mounter, calls } = recordingMounter([target]);
    const second = await createLocalVolumeDriver({ root, mounter });
    await second.mount('kept', 'again');
    expect(calls).toEqual([]);
    await second.unmount('kept', 'again');
    expect(calls).toEqual([`unmount ${target}`]);

    const third = await createLocalVolumeDriver({ root, mounter: recordingMounter([target]).mounter });
    await third.remove('kept');
    await expect(third.get('kept')).rejects.toThrow('no such volume');
  });

  it('cleans half-made and half-removed volumes at open, and skips foreign entries', async () => {
    await mkdir(join(root, '.creating-0123', '_data'), { recursive: true });
    await mkdir(join(root, '.removing-4567', '_data'), { recursive: true });
    await mkdir(join(root, 'not a volume'), { recursive: true });
    await mkdir(join(root, 'legacy', '_data'), { recursive: true });
    const driver = await createLocalVolumeDriver({ root });
    expect((await readdir(root)).sort()).toEqual(['legacy', 'not a volume']);
    expect((await driver.list()).map((v) => v.name)).toEqual(['legacy']);
  });

  it('refuses to open over malformed metadata (Internal)', async () => {
    await mkdir(join(root, 'broken', '_data'), { recursive: true });
    await writeFile(join(root, 'broken', 'volume.json'), '{"version": 7}');
    const err = await createLocalVolumeDriver({ root }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('Internal');
  });
});
