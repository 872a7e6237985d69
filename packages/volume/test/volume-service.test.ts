import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import {
  ANONYMOUS_VOLUME_LABEL,
  createMemoryVolumeDriver,
  createVolumeService,
  type VolumeDriver,
  type VolumeService,
} from '@berth/volume';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to reject');
}

describe('volume service', () => {
  let memory: VolumeDriver;
  let other: VolumeDriver;
  let service: VolumeService;

  beforeEach(async () => {
    memory = await createMemoryVolumeDriver();
    other = await createMemoryVolumeDriver({ name: 'other' });
    service = await createVolumeService({ drivers: [memory, other] });
  });

  afterEach(async () => {
    await memory.close();
    await other.close();
  });

  describe('create', () => {
    it('creates a named volume with Docker inspect fields', async () => {
      const volume = await service.create({ name: 'web-data', labels: { app: 'web' } });
      expect(volume).toEqual({
        Name: 'web-data',
        Driver: 'memory',
        Mountpoint: (await memory.get('web-data')).mountpoint,
        CreatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        Labels: { app: 'web' },
        Options: {},
        Scope: 'local',
      });
      expect(await service.inspect('web-data')).toEqual(volume);
    });

    it('returns the existing volume for the same name and driver, unchanged', async () => {
      const first = await service.create({ name: 'same', labels: { a: '1' } });
      expect(await service.create({ name: 'same', driver: 'memory', labels: { b: '2' } })).toEqual(first);
      expect(await service.create({ name: 'same' })).toEqual(first);
      expect((await service.list()).Volumes).toHaveLength(1);
    });

    it('creates one volume when the same name is created concurrently', async () => {
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => service.create({ name: 'race' })));
      expect(new Set(results.map((v) => v.Mountpoint)).size).toBe(1);
      expect((await memory.list()).map((v) => v.name)).toEqual(['race']);
    });

    it('refuses the name of a volume of another driver (Conflict)', async () => {
      await service.create({ name: 'taken', driver: 'other' });
      const err = await rejection(service.create({ name: 'taken', driver: 'memory' }));
      expect(errorCode(err)).toBe('Conflict');
      expect(err.message).toBe("create taken: driver 'other' already has volume 'taken': volume name must be unique");
    });

    it('refuses invalid names with Docker message and unknown drivers', async () => {
      const err = await rejection(service.create({ name: '../etc' }));
      expect(errorCode(err)).toBe('InvalidArgument');
      expect(err.message).toContain('"../etc" includes invalid characters for a local volume name');
      expect(errorCode(await rejection(service.create({ name: 'ok-name', driver: 'nfs-plugin' })))).toBe('NotFound');
      expect((await service.list()).Volumes).toEqual([]);
    });

    it('passes driver options on and reports them', async () => {
      const volume = await service.create({ name: 'scratch', driverOptions: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
      expect(volume.Options).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
      const err = await rejection(service.create({ name: 'bad-opts', driverOptions: { colour: 'blue' } }));
      expect(errorCode(err)).toBe('InvalidArgument');
      expect(err.message).toBe('invalid option: "colour"');
      await expect(service.inspect('bad-opts')).rejects.toThrow('get bad-opts: no such volume');
    });

    it('makes anonymous volumes with 64-hex names and the anonymous label', async () => {
      const a = await service.create({ labels: { x: 'y' } });
      const b = await service.create();
      expect(a.Name).toMatch(/^[0-9a-f]{64}$/);
      expect(a.Name).not.toBe(b.Name);
      expect(a.Labels).toEqual({ x: 'y', [ANONYMOUS_VOLUME_LABEL]: '' });
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      await service.create({ name: 'alpha-db', labels: { tier: 'db', env: 'prod' } });
      await service.create({ name: 'beta-cache', labels: { tier: 'cache' } });
      await service.create({ name: 'gamma-db', driver: 'other', labels: { tier: 'db', env: 'dev' } });
      await service.addUser('alpha-db', 'c1');
    });
    const names = async (filters: Record<string, string[]>) =>
      (await service.list({ filters })).Volumes.map((v) => v.Name);

    it('lists everything sorted by name without filters', async () => {
      expect(await names({})).toEqual(['alpha-db', 'beta-cache', 'gamma-db']);
    });
    it('filters by name substring (any value)', async () => {
      expect(await names({ name: ['db'] })).toEqual(['alpha-db', 'gamma-db']);
      expect(await names({ name: ['beta', 'gamma'] })).toEqual(['beta-cache', 'gamma-db']);
    });
    it('filters by label key and key=value (all must match)', async () => {
      expect(await names({ label: ['env'] })).toEqual(['alpha-db', 'gamma-db']);
      expect(await names({ label: ['tier=db', 'env=dev'] })).toEqual(['gamma-db']);
    });
    it('filters by dangling', async () => {
      expect(await names({ dangling: ['true'] })).toEqual(['beta-cache', 'gamma-db']);
      expect(await names({ dangling: ['false'] })).toEqual(['alpha-db']);
    });
    it('filters by driver', async () => {
      expect(await names({ driver: ['other'] })).toEqual(['gamma-db']);
    });
    it('refuses unknown filters and bad values', async () => {
      expect((await rejection(names({ colour: ['x'] }))).message).toBe("Invalid filter 'colour'");
      expect(errorCode(await rejection(names({ dangling: ['maybe'] })))).toBe('InvalidArgument');
    });
    it('reports usage data when asked', async () => {
      await writeFile(join((await service.inspect('beta-cache')).Mountpoint, 'f'), Buffer.alloc(300));
      const listed = (await service.list({ size: true })).Volumes;
      expect(listed.find((v) => v.Name === 'beta-cache')?.UsageData).toEqual({ Size: 300, RefCount: 0 });
      expect(listed.find((v) => v.Name === 'alpha-db')?.UsageData).toEqual({ Size: 0, RefCount: 1 });
      expect((await service.list()).Volumes[0]?.UsageData).toBeUndefined();
    });
  });

  describe('remove', () => {
    it('refuses a volume in use, naming the containers, even with force', async () => {
      await service.create({ name: 'shared' });
      await service.addUser('shared', 'c1');
      await service.addUser('shared', 'c2');
      await service.addUser('shared', 'c1');
      for (const force of [false, true]) {
        const err = await rejection(service.remove('shared', { force }));
        expect(errorCode(err)).toBe('Conflict');
        expect(err.message).toBe('remove shared: volume is in use - [c1, c2]');
      }
      await service.removeUser('shared', 'c1');
      await expect(service.remove('shared')).rejects.toThrow('[c2]');
      await service.removeUser('shared', 'c2');
      await service.remove('shared');
      expect(errorCode(await rejection(service.inspect('shared')))).toBe('NotFound');
      await expect(memory.get('shared')).rejects.toThrow();
    });

    it('answers NotFound for a missing volume unless forced', async () => {
      const err = await rejection(service.remove('ghost'));
      expect(errorCode(err)).toBe('NotFound');
      expect(err.message).toBe('get ghost: no such volume');
      await service.remove('ghost', { force: true });
    });

    it('holds a volume created with a user', async () => {
      const volume = await service.create({ user: 'c9' });
      expect(service.users(volume.Name)).toEqual(['c9']);
      expect(errorCode(await rejection(service.remove(volume.Name)))).toBe('Conflict');
    });

    it('refuses users for volumes that do not exist', async () => {
      expect(errorCode(await rejection(service.addUser('ghost', 'c1')))).toBe('NotFound');
    });
  });

  describe('prune', () => {
    it('removes unused anonymous volumes only by default, and reports the space', async () => {
      const unused = await service.create();
      const used = await service.create({ user: 'c1' });
      await service.create({ name: 'named' });
      await writeFile(join(unused.Mountpoint, 'blob'), Buffer.alloc(4096));
      const report = await service.prune();
      expect(report).toEqual({ VolumesDeleted: [unused.Name], SpaceReclaimed: 4096 });
      expect((await service.list()).Volumes.map((v) => v.Name).sort()).toEqual([used.Name, 'named'].sort());
    });

    it('removes unused named volumes too with all=true, never used ones', async () => {
      await service.create({ name: 'named' });
      await service.create({ name: 'kept', user: 'c1' });
      expect((await service.prune({ filters: { all: ['true'] } })).VolumesDeleted).toEqual(['named']);
      expect((await service.list()).Volumes.map((v) => v.Name)).toEqual(['kept']);
    });

    it('applies label and label! filters', async () => {
      await service.create({ name: 'keep-me', labels: { keep: 'yes' } });
      await service.create({ name: 'drop-me', labels: { keep: 'no' } });
      await service.create({ name: 'plain' });
      const report = await service.prune({ filters: { all: ['1'], 'label!': ['keep=yes'], label: ['keep'] } });
      expect(report.VolumesDeleted).toEqual(['drop-me']);
      const second = await service.prune({ filters: { all: ['true'], 'label!': ['keep'] } });
      expect(second.VolumesDeleted).toEqual(['plain']);
    });

    it('keeps volumes with driver options and mounted volumes, refuses unknown filters', async () => {
      await service.create({ name: 'tmp', driverOptions: { type: 'tmpfs', device: 'tmpfs' } });
      await service.create({ name: 'mounted' });
      await service.mount('mounted', 'm1');
      expect((await service.prune({ filters: { all: ['true'] } })).VolumesDeleted).toEqual([]);
      expect(errorCode(await rejection(service.prune({ filters: { dangling: ['true'] } })))).toBe('InvalidArgument');
    });
  });

  describe('mount and copy-up', () => {
    it('copies image content into an empty volume once, at its first mount', async () => {
      const { path: image, remove } = await makeTempDir('berth-volume-image');
      try {
        await mkdir(join(image, 'conf'));
        await writeFile(join(image, 'conf', 'app.ini'), 'x=1');
        await service.create({ name: 'cfg' });
        const path = await service.mount('cfg', 'm1', { copyFrom: image });
        expect(await readFile(join(path, 'conf', 'app.ini'), 'utf8')).toBe('x=1');
        // Emptied by a container, then mounted again over image content: not re-populated.
        await service.unmount('cfg', 'm1');
        await rm(join(path, 'conf'), { recursive: true });
        const again = await service.mount('cfg', 'm2', { copyFrom: image });
        expect(await readdir(again)).toEqual([]);
        await service.unmount('cfg', 'm2');
      } finally {
        await remove();
      }
    });

    it('fills a tmpfs volume again each time it comes up empty', async () => {
      const { path: image, remove } = await makeTempDir('berth-volume-image');
      try {
        await writeFile(join(image, 'seed'), 's');
        await service.create({ name: 'scratch', driverOptions: { type: 'tmpfs', device: 'tmpfs' } });
        const path = await service.mount('scratch', 'm1', { copyFrom: image });
        expect(await readdir(path)).toEqual(['seed']);
        await service.unmount('scratch', 'm1');
        expect(await readdir(path)).toEqual([]);
        await service.mount('scratch', 'm2', { copyFrom: image });
        expect(await readdir(path)).toEqual(['seed']);
      } finally {
        await remove();
      }
    });

    it('does not copy over data a volume already has, nor from a missing path', async () => {
      const { path: image, remove } = await makeTempDir('berth-volume-image');
      try {
        await writeFile(join(image, 'from-image'), 'i');
        await service.create({ name: 'filled' });
        const path = await service.mount('filled', 'm1', { copyFrom: join(image, 'nothing-here') });
        expect(await readdir(path)).toEqual([]);
        await writeFile(join(path, 'mine'), 'm');
        await service.mount('filled', 'm2', { copyFrom: image });
        expect(await readdir(path)).toEqual(['mine']);
      } finally {
        await remove();
      }
    });
  });

  it('reports a size of -1 for drivers that cannot measure', async () => {
    const blind: VolumeDriver = { ...memory, name: 'blind', capabilities: { usage: false, scope: 'global' }, usage: undefined };
    const withBlind = await createVolumeService({ drivers: [blind] });
    await withBlind.create({ name: 'dark' });
    expect(await withBlind.inspect('dark', { size: true })).toMatchObject({
      Driver: 'blind',
      Scope: 'global',
      UsageData: { Size: -1, RefCount: 0 },
    });
  });

  it('reports create, destroy and prune events', async () => {
    const events: string[] = [];
    const watched = await createVolumeService({
      drivers: [memory],
      onEvent: (e) => events.push(`${e.action} ${e.name} ${JSON.stringify(e.attributes)}`),
    });
    await watched.create({ name: 'evt' });
    await watched.create({ name: 'evt' });
    await watched.remove('evt');
    const anonymous = await watched.create();
    await watched.prune();
    expect(events).toEqual([
      'create evt {"driver":"memory"}',
      'destroy evt {"driver":"memory"}',
      `create ${anonymous.Name} {"driver":"memory"}`,
      `destroy ${anonymous.Name} {"driver":"memory"}`,
      'prune  {"reclaimed":"0"}',
    ]);
  });

  it('lists the default driver first', () => {
    expect(service.driverNames()).toEqual(['memory', 'other']);
  });
});
