import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writeFileAtomic } from '@berth/atomic-file';
import { createFsMetadataStore, createMemoryMetadataStore } from '@berth/engine';

const schema = z.object({ name: z.string(), count: z.number() });

describe.each([
  ['memory', async () => ({ store: createMemoryMetadataStore(), dispose: async () => undefined })],
  [
    'fs',
    async () => {
      const dir = await makeTempDir('berth-metadata');
      return { store: createFsMetadataStore(dir.path), dispose: dir.remove };
    },
  ],
] as const)('%s metadata store', (_kind, open) => {
  let opened: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('puts, gets, lists, replaces and deletes objects by key', async () => {
    const things = opened.store.collection('things', schema);
    expect(await things.get('a')).toBeUndefined();
    await things.put('a', { name: 'a', count: 1 });
    await things.put('b', { name: 'b', count: 2 });
    await things.put('a', { name: 'a', count: 3 });
    expect(await things.get('a')).toEqual({ name: 'a', count: 3 });
    expect((await things.list()).map((t) => t.name).sort()).toEqual(['a', 'b']);
    await things.delete('a');
    await things.delete('a');
    expect((await things.list()).map((t) => t.name)).toEqual(['b']);
  });

  it('refuses keys that could name another file', async () => {
    const things = opened.store.collection('things', schema);
    await expect(things.put('../escape', { name: 'x', count: 0 })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  it('keeps collections apart', async () => {
    await opened.store.collection('one', schema).put('k', { name: 'one', count: 1 });
    expect(await opened.store.collection('two', schema).get('k')).toBeUndefined();
  });
});

describe('fs metadata store on disk', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    dir = await makeTempDir('berth-metadata-disk');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('survives a reopen, ignores temporary files a crash left, and reports a corrupt file as Internal', async () => {
    await createFsMetadataStore(dir.path).collection('things', schema).put('a', { name: 'a', count: 1 });
    await writeFile(join(dir.path, 'things', '.a.json.tmp-123'), '{"half": ');
    const reopened = createFsMetadataStore(dir.path).collection('things', schema);
    expect(await reopened.list()).toEqual([{ name: 'a', count: 1 }]);
    await writeFile(join(dir.path, 'things', 'bad.json'), '{"name": 1}');
    await expect(reopened.get('bad')).rejects.toMatchObject({ code: 'Internal' });
  });

  it('writes atomically: no temporary file stays behind', async () => {
    const path = join(dir.path, 'file.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readdir(dir.path)).toEqual(['file.json']);
  });
});
