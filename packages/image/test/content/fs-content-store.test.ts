import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFsContentStore, type ContentStore } from '@berth/image';
import { describeContentStore } from '@berth/image/conformance';
import type { Digest } from '@berth/spec';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describeContentStore('fs', async () => {
  const dir = await makeTempDir('berth-content');
  return { store: await createFsContentStore({ root: dir.path }), cleanup: dir.remove };
});

function blobOf(size: number) {
  const bytes = randomBytes(size);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
  return { bytes, digest, expected: { digest, size } };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const refDir = (root: string, ref: string) =>
  join(root, 'ingest', createHash('sha256').update(ref).digest('hex'));

describe('fs content store on disk', () => {
  let root: string;
  let remove: () => Promise<void>;
  let store: ContentStore;

  beforeEach(async () => {
    ({ path: root, remove } = await makeTempDir('berth-content'));
    store = await createFsContentStore({ root });
  });
  afterEach(async () => {
    await remove();
  });

  it('keeps blobs read-only at blobs/<algorithm>/<hex>', async () => {
    const blob = blobOf(100);
    await store.ingest(blob.expected, once(blob.bytes));
    const path = join(root, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
    const stats = await stat(path);
    expect(stats.mode & 0o777).toBe(0o444);
    expect(Buffer.compare(await readFile(path), blob.bytes)).toBe(0);
  });

  it('keeps a pending ingest in ingest/<hash of ref>/ with its metadata and a lock', async () => {
    const blob = blobOf(1000);
    const writer = await store.writer('layer-1', blob.expected);
    await writer.write(blob.bytes.subarray(0, 10));
    const dir = refDir(root, 'layer-1');
    expect((await readdir(dir)).sort()).toEqual(['data', 'expected', 'lock', 'ref', 'updatedat']);
    expect(await readFile(join(dir, 'ref'), 'utf8')).toBe('layer-1');
    expect(JSON.parse(await readFile(join(dir, 'expected'), 'utf8'))).toEqual(blob.expected);
    expect((await readFile(join(dir, 'lock'), 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await writer.close();
    expect((await readdir(dir)).sort()).toEqual(['data', 'expected', 'ref', 'updatedat']);
    expect((await stat(join(dir, 'data'))).size).toBe(10);
    await store.abortIngest('layer-1');
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('removes the ingest directory after a commit', async () => {
    const blob = blobOf(100);
    const writer = await store.writer('committed', blob.expected);
    await writer.write(blob.bytes);
    await writer.commit();
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('serialises writers of one ref across two stores opened on the same root', async () => {
    const blob = blobOf(1000);
    const other = await createFsContentStore({ root });
    const first = await store.writer('shared-ref', blob.expected);
    const controller = new AbortController();
    const blocked = other.writer('shared-ref', blob.expected, { signal: controller.signal });
    await first.write(blob.bytes.subarray(0, 500));
    controller.abort();
    await expect(blocked).rejects.toMatchObject({ name: 'AbortError' });
    await first.close();
    const second = await other.writer('shared-ref', blob.expected);
    expect(second.offset).toBe(500);
    await second.write(blob.bytes.subarray(500));
    await second.commit();
    expect(await store.has(blob.digest)).toBe(true);
  });

  it('cleans crash leftovers on open and keeps resumable ingests', async () => {
    const blob = blobOf(1000);
    const writer = await store.writer('survivor', blob.expected);
    await writer.write(blob.bytes.subarray(0, 300));
    await writer.close();
    const survivor = refDir(root, 'survivor');
    // A metadata temp file from a write interrupted before its rename.
    await writeFile(join(survivor, 'expected.tmp-0123456789ab'), '{"dig');
    // A directory whose data was already renamed into blobs/ when the process died.
    const committed = refDir(root, 'committed-before-crash');
    await mkdir(committed);
    await writeFile(join(committed, 'ref'), 'committed-before-crash');
    await writeFile(join(committed, 'expected'), JSON.stringify(blob.expected));
    // A directory created but never written (killed right after mkdir), with a dead holder's lock.
    const empty = refDir(root, 'never-started');
    await mkdir(empty);
    await writeFile(join(empty, 'lock'), '999999999 1 deadbeef\n');

    const reopened = await createFsContentStore({ root });
    expect((await readdir(join(root, 'ingest'))).sort()).toEqual([survivor.split('/').pop()]);
    expect((await readdir(survivor)).sort()).toEqual(['data', 'expected', 'ref', 'updatedat']);
    expect(await reopened.ingests()).toMatchObject([{ ref: 'survivor', offset: 300 }]);
    const resumed = await reopened.writer('survivor', blob.expected);
    expect(resumed.offset).toBe(300);
    await resumed.write(blob.bytes.subarray(300));
    expect(await resumed.commit()).toMatchObject({ digest: blob.digest });
  });

  it('breaks the lock of a dead holder', async () => {
    const blob = blobOf(100);
    const writer = await store.writer('orphaned', blob.expected);
    await writer.write(blob.bytes.subarray(0, 40));
    await writer.close();
    // What a process killed while holding the writer leaves behind (no such pid).
    await writeFile(join(refDir(root, 'orphaned'), 'lock'), '999999999 1 0badc0de\n');
    const resumed = await store.writer('orphaned', blob.expected);
    expect(resumed.offset).toBe(40);
    await resumed.write(blob.bytes.subarray(40));
    expect(await resumed.commit()).toMatchObject({ digest: blob.digest });
  });

  it('restarts an ingest whose data outgrew the expected size', async () => {
    const blob = blobOf(100);
    const writer = await store.writer('overgrown', blob.expected);
    await writer.write(blob.bytes.subarray(0, 50));
    await writer.close();
    await writeFile(join(refDir(root, 'overgrown'), 'data'), randomBytes(150));
    const resumed = await store.writer('overgrown', blob.expected);
    expect(resumed.offset).toBe(0);
    await resumed.write(blob.bytes);
    expect(await resumed.commit()).toMatchObject({ digest: blob.digest });
  });
});
