import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATOMIC_TEMP_SUFFIX, removeStaleTempFiles, syncDirectory, writeFileAtomic } from '@berth/atomic-file';
import { makeTempDir } from '@berth/testkit';

let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await makeTempDir('berth-atomic-file');
});

afterEach(async () => {
  await dir.remove();
});

describe('writeFileAtomic', () => {
  it('creates a file that did not exist, with mode 0600 by default', async () => {
    const path = join(dir.path, 'state.json');
    await writeFileAtomic(path, '{"a":1}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replaces the content of an existing file, from a string or bytes', async () => {
    const path = join(dir.path, 'state.json');
    await writeFile(path, 'old content that is longer than the new one');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    await writeFileAtomic(path, new Uint8Array([0, 1, 2, 255]));
    expect([...(await readFile(path))]).toEqual([0, 1, 2, 255]);
  });

  it('replaces a file just the same without the directory fsync', async () => {
    const path = join(dir.path, 'state.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two', { syncDirectory: false });
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir.path)).toEqual(['state.json']);
  });

  it('applies the requested mode', async () => {
    const path = join(dir.path, 'shared.json');
    await writeFileAtomic(path, 'x', { mode: 0o644 & ~process.umask() });
    expect((await stat(path)).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('leaves no temporary file behind after a successful write', async () => {
    const path = join(dir.path, 'state.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readdir(dir.path)).toEqual(['state.json']);
  });

  it('keeps the old content and removes its temporary file when writing the data fails', async () => {
    const path = join(dir.path, 'state.json');
    await writeFile(path, 'old');
    // Not a string or bytes: the write into the temporary file throws after the file was created.
    await expect(writeFileAtomic(path, 42 as unknown as string)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir.path)).toEqual(['state.json']);
  });

  it('keeps what was there and removes its temporary file when the rename fails', async () => {
    const path = join(dir.path, 'occupied');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');
    await expect(writeFileAtomic(path, 'new')).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
    expect((await readdir(dir.path)).sort()).toEqual(['occupied']);
  });

  it('fails without creating anything when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir.path, 'missing', 'state.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir.path)).toEqual([]);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes the temporary files a crash left for the path, and nothing else', async () => {
    const path = join(dir.path, 'state.json');
    await writeFile(path, 'current');
    await writeFile(join(dir.path, `.state.json.0123456789ab${ATOMIC_TEMP_SUFFIX}`), 'half');
    await writeFile(join(dir.path, `.state.json.ba9876543210${ATOMIC_TEMP_SUFFIX}`), 'half');
    await writeFile(join(dir.path, `.other.json.0123456789ab${ATOMIC_TEMP_SUFFIX}`), 'another file’s temp');
    await writeFile(join(dir.path, '.state.json.keep'), 'not a temp');
    await removeStaleTempFiles(path);
    expect((await readdir(dir.path)).sort()).toEqual(['.other.json.0123456789ab.tmp', '.state.json.keep', 'state.json']);
    expect(await readFile(path, 'utf8')).toBe('current');
  });

  it('does nothing when the directory does not exist', async () => {
    await expect(removeStaleTempFiles(join(dir.path, 'missing', 'state.json'))).resolves.toBeUndefined();
  });
});

describe('syncDirectory', () => {
  it('syncs an existing directory and rejects a missing one', async () => {
    await expect(syncDirectory(dir.path)).resolves.toBeUndefined();
    await expect(syncDirectory(join(dir.path, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
