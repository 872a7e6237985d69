import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { errorCode } from '@berth/errdefs';
import { applyLayer } from '@berth/image';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayerOffThread, layerWorkerStatus } from '../../src/layer/internal/apply-off-thread.js';
import { type FixtureEntry, buildTar, comparable, gzip, hardlinkGroups, snapshotTree, streamOf } from './fixtures.js';

const entries: FixtureEntry[] = [
  { name: 'bin/', mode: 0o755 },
  { name: 'bin/tool', content: 'tool', mode: 0o4755 },
  { name: 'bin/tool-link', type: 'link', linkname: 'bin/tool' },
  { name: 'bin/alias', type: 'symlink', linkname: 'tool' },
  { name: 'etc/', mode: 0o750, mtime: 1_500_000_000 },
  { name: 'etc/big', content: Buffer.alloc(3 << 20, 7) },
  { name: 'etc/.wh.gone', content: '' },
];

/** The first test of a file starts a worker (from source: through tsx), slow on a loaded machine. */
const workerStartTimeout = 120_000;

describe('applyLayerOffThread', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await makeTempDir('berth-apply-off-thread');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('writes the same tree and diff ID as applyLayer in the main thread', async () => {
    const tar = await buildTar(entries);
    mkdirSync(`${dir.path}/main`);
    mkdirSync(`${dir.path}/worker`);
    const inThread = await applyLayer(streamOf(gzip(tar)), `${dir.path}/main`);
    const offThread = await applyLayerOffThread(streamOf(gzip(tar), 1 << 20), `${dir.path}/worker`, { compression: 'gzip' });
    expect(offThread).toEqual(inThread);
    const main = snapshotTree(`${dir.path}/main`);
    const worker = snapshotTree(`${dir.path}/worker`);
    expect(comparable(worker, { directoryMtimes: false })).toEqual(comparable(main, { directoryMtimes: false }));
    expect(hardlinkGroups(worker)).toEqual([['bin/tool', 'bin/tool-link']]);
    expect(readFileSync(`${dir.path}/worker/etc/big`)).toEqual(Buffer.alloc(3 << 20, 7));
  }, workerStartTimeout);

  it('rejects corrupt compression with InvalidArgument', async () => {
    const bytes = gzip(await buildTar(entries));
    bytes[bytes.length - 6]! ^= 0xff; // the trailer's CRC
    const err = await applyLayerOffThread(streamOf(bytes), dir.path, { compression: 'gzip' }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('InvalidArgument');
  });

  it('refuses entries that climb out of the target, writing nothing outside', async () => {
    mkdirSync(`${dir.path}/target`);
    const tar = await buildTar([{ name: '../escaped', content: 'x' }]);
    const err = await applyLayerOffThread(streamOf(tar), `${dir.path}/target`, { compression: 'none' }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('InvalidArgument');
    expect((err as Error).message).toContain('outside');
    expect(lstatSync(`${dir.path}/escaped`, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('names a missing target NotFound', async () => {
    const err = await applyLayerOffThread(streamOf(await buildTar(entries)), `${dir.path}/missing`).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('NotFound');
  });

  it('rejects with the error of its source', async () => {
    const failure = new Error('source broke');
    const source = Readable.from(
      (async function* () {
        yield (await buildTar(entries)).subarray(0, 2048);
        throw failure;
      })(),
      { objectMode: false },
    );
    await expect(applyLayerOffThread(source, dir.path, { compression: 'none' })).rejects.toBe(failure);
  });

  it('stops when aborted, with an AbortError', async () => {
    const controller = new AbortController();
    const tar = await buildTar(entries);
    const source = Readable.from(
      (async function* () {
        yield tar.subarray(0, 4096);
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 50));
        yield tar.subarray(4096);
      })(),
      { objectMode: false },
    );
    const err = await applyLayerOffThread(source, dir.path, { compression: 'none', signal: controller.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('applies several layers at once, each in full, and hands every worker back', async () => {
    const layers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => buildTar([{ name: `layer${i}/file`, content: Buffer.alloc(256 << 10, i) }])),
    );
    const results = await Promise.all(
      layers.map((tar, i) => {
        mkdirSync(`${dir.path}/${i}`);
        return applyLayerOffThread(streamOf(gzip(tar), 64 << 10), `${dir.path}/${i}`, { compression: 'auto' });
      }),
    );
    expect(results.map((r) => r.size)).toEqual(layers.map((tar) => tar.length));
    for (const i of layers.keys()) expect(readFileSync(`${dir.path}/${i}/layer${i}/file`).equals(Buffer.alloc(256 << 10, i))).toBe(true);
    expect(layerWorkerStatus().busy).toBe(0);
  }, workerStartTimeout);

  it('runs in a worker thread, not the main-thread fallback', async () => {
    await applyLayerOffThread(streamOf(await buildTar(entries)), dir.path, { compression: 'none' });
    const status = layerWorkerStatus();
    expect(status.unavailable).toBe(false);
    expect(status.started).toBeGreaterThan(0);
  });
});

describeIntegration('deferred lower dirs', { root: true }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await makeTempDir('berth-apply-deferred');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it.each([
    ['in the main thread', applyLayer],
    ['in a worker thread', applyLayerOffThread],
  ] as const)('give implied parents the lower metadata once known, and explicit ones the layer%s', async (_, apply) => {
    const lower = `${dir.path}/lower`;
    const upper = `${dir.path}/upper`;
    mkdirSync(lower);
    mkdirSync(upper);
    await applyLayer(streamOf(await buildTar([{ name: 'home/user/', mode: 0o750, uid: 1000, gid: 1000 }, { name: 'srv/', mode: 0o700 }])), lower);
    let deliver: (dirs: string[]) => void = () => undefined;
    const lowerDirs = new Promise<string[]>((resolve) => (deliver = resolve));
    let settled = false;
    const applying = apply(
      streamOf(
        await buildTar([
          { name: 'home/user/new', content: 'x' },
          { name: 'srv/data', content: 'y' },
          { name: 'srv/', mode: 0o711 },
        ]),
      ),
      upper,
      { whiteouts: 'overlay', lowerDirs },
    ).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false); // waits for the lower dirs
    deliver([lower]);
    await applying;
    const user = lstatSync(`${upper}/home/user`);
    expect([user.mode & 0o7777, user.uid, user.gid]).toEqual([0o750, 1000, 1000]);
    expect(lstatSync(`${upper}/srv`).mode & 0o7777).toBe(0o711);
  });
});
