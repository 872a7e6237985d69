import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@berth/errdefs';
import { makeTempDir } from '@berth/testkit';
import { createFsVolumeRecordStore, createLocalVolumeDriver, createVolumeService } from '@berth/volume';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('volume service over the local driver and the file store', () => {
  let root: string;
  let removeRoot: () => Promise<void>;
  const open = async () =>
    createVolumeService({
      drivers: [await createLocalVolumeDriver({ root: join(root, 'volumes') })],
      store: await createFsVolumeRecordStore({ root: join(root, 'meta') }),
    });

  beforeEach(async () => {
    ({ path: root, remove: removeRoot } = await makeTempDir('berth-volume-service'));
  });
  afterEach(async () => {
    await removeRoot();
  });

  it('keeps labels, options and the copy-up flag across a restart', async () => {
    const image = join(root, 'image');
    await mkdir(image);
    await writeFile(join(image, 'seed'), 's');
    const first = await open();
    const created = await first.create({ name: 'app-data', labels: { app: 'x' } });
    await first.mount('app-data', 'm', { copyFrom: image });
    await first.unmount('app-data', 'm');

    const second = await open();
    expect(await second.inspect('app-data')).toEqual(created);
    const stored = JSON.parse(await readFile(join(root, 'meta', 'volumes.json'), 'utf8'));
    expect(stored.volumes).toEqual([
      { name: 'app-data', driver: 'local', labels: { app: 'x' }, options: {}, populated: true },
    ]);
  });

  it('adopts volumes its driver has without a record, and drops records of vanished volumes', async () => {
    const driver = await createLocalVolumeDriver({ root: join(root, 'volumes') });
    await driver.create('made-by-driver');
    const store = await createFsVolumeRecordStore({ root: join(root, 'meta') });
    await store.put({ name: 'vanished', driver: 'local', labels: {}, options: {}, populated: false });
    await store.put({ name: 'elsewhere', driver: 'nfs-plugin', labels: {}, options: {}, populated: false });
    const service = await createVolumeService({ drivers: [driver], store });
    const listed = await service.list();
    expect(listed.Volumes.map((v) => v.Name)).toEqual(['made-by-driver']);
    expect(listed.Warnings).toEqual(['volume elsewhere: volume driver nfs-plugin is not available']);
    expect((await store.list()).map((r) => r.name).sort()).toEqual(['elsewhere', 'made-by-driver']);
  });

  it('refuses a malformed store file (Internal)', async () => {
    await mkdir(join(root, 'meta'));
    await writeFile(join(root, 'meta', 'volumes.json'), '{"version":1,"volumes":[{"name":""}]}');
    expect(errorCode(await createFsVolumeRecordStore({ root: join(root, 'meta') }).catch((e: unknown) => e))).toBe(
      'Internal',
    );
  });
});
