import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isFailedPrecondition, isInvalidArgument } from '@berth/errdefs';
import { importRootfs } from '@berth/image';
import { tarOf } from '@berth/image/testing';
import { MediaTypes } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOfStream, listTar } from '../testing/stream-helpers.js';
import { bytesOf } from './tar-file.js';

let temp: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir('berth-import');
});
afterEach(async () => {
  await temp.remove();
});

const rootfs = async () =>
  bytesOf(
    tarOf([
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/hello', content: '#!/bin/sh\necho hello\n', mode: 0o755 },
      { type: 'file', path: 'etc/os-release', content: 'ID=berth\n' },
    ])(),
  );
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('importRootfs', () => {
  it('makes a one-layer gzip image from a one-shot stream, spooled and released', async () => {
    const tar = await rootfs();
    const image = await importRootfs(Readable.from([tar.subarray(0, 1000), tar.subarray(1000)]), {
      changes: { Cmd: ['/bin/hello'], Env: ['A=b'], WorkingDir: '/bin', User: 'nobody', ExposedPorts: { '80/tcp': {} }, Labels: { x: 'y' } },
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      message: 'from a test',
      created: new Date('2023-05-06T07:08:09Z'),
      tempDir: temp.path,
    });
    expect(await readdir(temp.path)).toHaveLength(1); // the spool
    const config = await image.config();
    expect(config).toMatchObject({
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      created: '2023-05-06T07:08:09.000Z',
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      config: { Cmd: ['/bin/hello'], Env: ['A=b'], WorkingDir: '/bin', User: 'nobody', ExposedPorts: { '80/tcp': {} }, Labels: { x: 'y' } },
    });
    expect(config.history).toEqual([{ created: '2023-05-06T07:08:09.000Z', comment: 'from a test' }]);
    const [layer] = await image.layers();
    expect(await layer!.mediaType()).toBe(MediaTypes.OciLayerGzip);
    const blob = await digestOfStream(await layer!.compressed());
    expect(blob).toEqual({ digest: await layer!.digest(), size: await layer!.size() });
    expect((await listTar(await layer!.uncompressed())).map((e) => e.name)).toEqual(['bin', 'bin/hello', 'etc/os-release']);
    // readable twice: it is a file, not the consumed stream
    expect((await digestOfStream(await layer!.uncompressed())).digest).toBe(sha256(tar));

    await image.release();
    expect(await readdir(temp.path)).toEqual([]);
    expect(isFailedPrecondition(await layer!.compressed().catch((e: unknown) => e))).toBe(true);
    await image.release(); // idempotent
  });

  it('accepts a gzipped tar and keeps the diff ID of the tar inside', async () => {
    const tar = await rootfs();
    const image = await importRootfs(Readable.from([gzipSync(tar)]), { tempDir: temp.path });
    expect((await image.config()).rootfs.diff_ids).toEqual([sha256(tar)]);
    await image.release();
  });

  it('imports re-openable sources lazily, without spooling', async () => {
    const tar = await rootfs();
    const image = await importRootfs(tar, { tempDir: temp.path, created: new Date(0) });
    expect(await readdir(temp.path)).toEqual([]);
    expect((await image.config()).rootfs.diff_ids).toEqual([sha256(tar)]);
    const again = await importRootfs(() => Readable.from([tar]), { created: new Date(0) });
    expect(await again.digest()).toBe(await image.digest());
    await image.release();
  });

  it('refuses input that is not a tar, and empty input, cleaning up the spool', async () => {
    for (const input of [Buffer.from('hello, this is plain text and not a tar archive'.repeat(20)), Buffer.alloc(0)]) {
      const err = await importRootfs(Readable.from(input.length ? [input] : []), { tempDir: temp.path }).catch((e: unknown) => e);
      expect(isInvalidArgument(err)).toBe(true);
    }
    expect(await readdir(temp.path)).toEqual([]);
  });

  it('refuses malformed changes', async () => {
    const err = await importRootfs(await rootfs(), { changes: { Cmd: 'not-an-array' as unknown as string[] } }).catch((e: unknown) => e);
    expect(isInvalidArgument(err)).toBe(true);
  });
});
