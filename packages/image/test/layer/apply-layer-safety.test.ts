import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInvalidArgument } from '@berth/errdefs';
import { makeTempDir, uniqueName } from '@berth/testkit';
import { applyLayer } from '@berth/image';
import { type FixtureEntry, buildTar, comparable, isRoot, snapshotTree, streamOf } from './fixtures.js';

/**
 * Every test runs in a sandbox holding `target/` (where layers go) next to `outside/`
 * (sentinels a malicious layer would like to touch), and asserts afterwards that
 * nothing in the sandbox but `target/` changed: no file, mode, owner, time, content,
 * link count or new name.
 */
describe('applyLayer never writes outside the target', () => {
  let sandbox: { path: string; remove: () => Promise<void> };
  let target: string;
  let outside: string;
  let before: Record<string, unknown>;

  const sandboxState = (): Record<string, unknown> => {
    const tree = snapshotTree(sandbox.path);
    const state: Record<string, unknown> = {};
    for (const [path, node] of Object.entries(comparable(tree))) {
      if (path === 'target' || path.startsWith('target/')) continue;
      state[path] = { ...(node as object), nlink: lstatSync(`${sandbox.path}/${path}`).nlink };
    }
    // The sandbox root's own entry changes only if a name is added next to target/.
    return state;
  };

  const apply = (entries: FixtureEntry[], whiteouts: 'oci' | 'overlay' = 'oci') =>
    buildTar(entries).then((tar) => applyLayer(streamOf(tar, 512 * 3), target, { whiteouts }));

  beforeEach(async () => {
    sandbox = await makeTempDir('berth-escape');
    target = `${sandbox.path}/target`;
    outside = `${sandbox.path}/outside`;
    mkdirSync(target);
    mkdirSync(`${outside}/dir`, { recursive: true });
    writeFileSync(`${outside}/secret`, 'secret');
    writeFileSync(`${outside}/dir/file`, 'file');
    mkdirSync(`${outside}/e`);
    for (const path of ['secret', 'dir/file', 'dir', 'e', '']) utimesSync(`${outside}/${path}`, 1_000_000_000, 1_000_000_000);
    utimesSync(sandbox.path, 1_000_000_000, 1_000_000_000);
    before = sandboxState();
  });

  afterEach(async () => {
    try {
      expect(sandboxState()).toEqual(before);
    } finally {
      await sandbox.remove();
    }
  });

  it('refuses names that climb out with ..', async () => {
    for (const name of ['../outside/evil', 'a/../../outside/evil', './../evil', 'x/../../../../../tmp/evil']) {
      await expect(apply([{ name, content: 'pwned' }]), name).rejects.toSatisfy(isInvalidArgument);
    }
    await expect(apply([{ name: '../outside/dir/', type: 'directory' }])).rejects.toSatisfy(isInvalidArgument);
    await expect(apply([{ name: '../.wh.secret', content: '' }])).rejects.toSatisfy(isInvalidArgument);
  });

  it('takes absolute names as relative to the target', async () => {
    await apply([
      { name: '/abs/file', content: 'contained' },
      { name: `/${outside}/secret`, content: 'contained too' },
      { name: '/../../evil', content: 'clamped at the root' },
    ]);
    expect(readFileSync(`${target}/abs/file`, 'utf8')).toBe('contained');
    expect(readFileSync(`${target}${outside}/secret`, 'utf8')).toBe('contained too');
    expect(readFileSync(`${target}/evil`, 'utf8')).toBe('clamped at the root');
  });

  it('resolves an absolute symlinked parent inside the target', async () => {
    const etcName = uniqueName('berth-escape-test');
    try {
      await apply([
        { name: 'a', type: 'symlink', linkname: outside },
        { name: 'a/secret', content: 'pwned' },
        { name: 'a/dir/', type: 'directory', mode: 0o777 },
        { name: 'a/dir/file', content: 'pwned' },
        { name: 'host-etc', type: 'symlink', linkname: '/etc' },
        { name: `host-etc/${etcName}`, content: 'pwned' },
      ]);
      expect(existsSync(`/etc/${etcName}`)).toBe(false);
      expect(readFileSync(`${target}${outside}/secret`, 'utf8')).toBe('pwned');
      expect(readFileSync(`${target}/etc/${etcName}`, 'utf8')).toBe('pwned');
      expect(readlinkSync(`${target}/a`)).toBe(outside);
    } finally {
      rmSync(`/etc/${etcName}`, { force: true });
    }
  });

  it('resolves relative symlinks that climb, and chains of them, inside the target', async () => {
    await apply([
      { name: 'deep/er/', type: 'directory' },
      { name: 'deep/er/up', type: 'symlink', linkname: '../../../../../..' },
      { name: 'deep/er/up/outside/secret', content: 'pwned' },
      { name: 'one', type: 'symlink', linkname: 'two/x' },
      { name: 'two', type: 'symlink', linkname: 'deep/er/up' },
      { name: 'one/outside/dir/file', content: 'pwned' },
    ]);
    expect(readFileSync(`${target}/outside/secret`, 'utf8')).toBe('pwned');
    expect(readFileSync(`${target}/x/outside/dir/file`, 'utf8')).toBe('pwned');
  });

  it('contains writes through symlinks that were already in the target', async () => {
    symlinkSync(outside, `${target}/lower-link`);
    symlinkSync('../outside/secret', `${target}/lower-file-link`);
    await apply([
      { name: 'lower-link/secret', content: 'pwned' },
      { name: 'lower-link/new', content: 'pwned' },
      { name: 'lower-file-link', content: 'replaces the link, not its target' },
    ]);
    expect(readFileSync(`${target}${outside}/secret`, 'utf8')).toBe('pwned');
    expect(lstatSync(`${target}/lower-file-link`).isFile()).toBe(true);
  });

  it('contains a directory replaced by a symlink within one layer, directory times included', async () => {
    await apply([
      { name: 'd/', type: 'directory', mtime: 1_234 },
      { name: 'd/e/', type: 'directory', mtime: 5_678, mode: 0o700 },
      { name: 'd', content: 'now a file' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/e/x', content: 'pwned' },
    ]);
    expect(readFileSync(`${target}${outside}/e/x`, 'utf8')).toBe('pwned');
  });

  it('refuses hardlinks to paths outside the target or missing inside it', async () => {
    await expect(apply([{ name: 'h', type: 'link', linkname: '../outside/secret' }])).rejects.toSatisfy(isInvalidArgument);
    // Absolute: resolved inside the target, where nothing exists.
    await expect(apply([{ name: 'h', type: 'link', linkname: `${outside}/secret` }])).rejects.toSatisfy(isInvalidArgument);
    // Through a symlinked parent: same.
    await expect(
      apply([
        { name: 'p', type: 'symlink', linkname: outside },
        { name: 'h', type: 'link', linkname: 'p/secret' },
      ]),
    ).rejects.toSatisfy(isInvalidArgument);
    await expect(
      apply([
        { name: 'up', type: 'symlink', linkname: '..' },
        { name: 'h', type: 'link', linkname: 'up/outside/secret' },
      ]),
    ).rejects.toSatisfy(isInvalidArgument);
  });

  it('links a hardlink to a symlink itself, never to what the symlink points at', async () => {
    await apply([
      { name: 's', type: 'symlink', linkname: `${outside}/secret` },
      { name: 'h', type: 'link', linkname: 's' },
    ]);
    expect(lstatSync(`${target}/h`).isSymbolicLink()).toBe(true);
    expect(lstatSync(`${target}/h`).ino).toBe(lstatSync(`${target}/s`).ino);
  });

  it('applies whiteouts and opaque markers under symlinked parents inside the target', async () => {
    symlinkSync(outside, `${target}/lower-link`);
    await apply([
      { name: 'lower-link/.wh.secret', content: '' },
      { name: 'lower-link/dir/.wh..wh..opq', content: '' },
      { name: 'up', type: 'symlink', linkname: '../..' },
      { name: 'up/outside/.wh.dir', content: '' },
      { name: 'up/outside/e/.wh..wh..opq', content: '' },
    ]);
  });

  it('writes overlay whiteouts and opaque xattrs under symlinked parents inside the target', async () => {
    symlinkSync(outside, `${target}/lower-link`);
    await apply(
      [
        { name: 'lower-link/.wh.secret', content: '' },
        { name: 'lower-link/dir/.wh..wh..opq', content: '' },
      ],
      'overlay',
    );
    expect(lstatSync(`${target}${outside}/secret`).isCharacterDevice()).toBe(true);
  });

  it('creates fifos, devices and xattrs through symlinked parents inside the target', async () => {
    symlinkSync(outside, `${target}/lower-link`);
    await apply([
      { name: 'lower-link/fifo', type: 'fifo' },
      { name: 'lower-link/dir', type: 'fifo' },
      { name: 'lower-link/e/', type: 'directory', pax: { 'SCHILY.xattr.user.pwned': 'yes' } },
      ...(isRoot ? [{ name: 'lower-link/null', type: 'character-device' as const, devmajor: 1, devminor: 3 }] : []),
    ]);
    expect(lstatSync(`${target}${outside}/fifo`).isFIFO()).toBe(true);
    expect(lstatSync(`${target}${outside}/dir`).isFIFO()).toBe(true);
  });

  it('refuses symlink loops', async () => {
    // In the layer's own view, /etc -> /etc is a loop (the link is its own target).
    await expect(
      apply([
        { name: 'etc', type: 'symlink', linkname: '/etc' },
        { name: 'etc/passwd', content: 'x' },
      ]),
    ).rejects.toSatisfy(isInvalidArgument);
    await expect(
      apply([
        { name: 'loop1', type: 'symlink', linkname: 'loop2' },
        { name: 'loop2', type: 'symlink', linkname: 'loop1' },
        { name: 'loop1/x', content: 'x' },
      ]),
    ).rejects.toSatisfy(isInvalidArgument);
  });

  it('refuses to replace the root with a file', async () => {
    await expect(apply([{ name: './', content: 'x' }])).rejects.toSatisfy(isInvalidArgument);
  });
});
