import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { type ArchiveOptions, type PathStat, missingPath, resolveArchivePath, statPath } from './path-stat.js';

type Stats = Awaited<ReturnType<typeof lstat>>;
type EntryHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

/** A path of a container as a tar stream, with its stat (docker's `GET /containers/{id}/archive`). */
export interface PathArchive {
  stat: PathStat;
  /** Uncompressed tar; read it to the end or destroy it. */
  tar: Readable;
}

function entryOf(name: string, stats: Stats): EntryHeader {
  return {
    name,
    mode: Number(stats.mode) & 0o7777,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mtime: stats.mtime,
    size: 0,
  };
}

/** Adds `hostPath` (and, for a directory, everything below it) to `pack` as `name`, never following links. */
async function addTree(pack: tar.Pack, hostPath: string, name: string, hardlinks: Map<string, string>, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const stats = await lstat(hostPath);
  const header = entryOf(name, stats);
  const add = (h: EntryHeader, content?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry(h, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  if (stats.isDirectory()) {
    await add({ ...header, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' });
    for (const child of (await readdir(hostPath)).sort()) {
      await addTree(pack, join(hostPath, child), name === '.' ? child : posix.join(name, child), hardlinks, signal);
    }
    return;
  }
  if (stats.isSymbolicLink()) {
    await add({ ...header, type: 'symlink', linkname: await readlink(hostPath) });
    return;
  }
  if (stats.isSocket()) return; // tar has no sockets; docker skips them too
  const inode = `${stats.dev}:${stats.ino}`;
  if (stats.nlink > 1 && !stats.isDirectory()) {
    const first = hardlinks.get(inode);
    if (first !== undefined) {
      await add({ ...header, type: 'link', linkname: first });
      return;
    }
    hardlinks.set(inode, name);
  }
  if (stats.isFIFO()) {
    await add({ ...header, type: 'fifo' });
    return;
  }
  if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const rdev = Number(stats.rdev);
    await add({
      ...header,
      type: stats.isCharacterDevice() ? 'character-device' : 'block-device',
      devmajor: Math.floor(rdev / 256) & 0xfff,
      devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    });
    return;
  }
  // O_NOFOLLOW: if the file was swapped for a link since lstat, refuse rather than follow it.
  const handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  // The stream owns the handle and closes it when done (or failed).
  const content = handle.createReadStream();
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ ...header, type: 'file', size: Number(stats.size) }, (err) => (err ? reject(err) : resolve()));
    pipeline(content, entry).catch(reject);
  });
}

/**
 * The file or directory at `path` in the container whose root file system is `root`,
 * as an uncompressed tar whose top entry is named like the path's last component (so
 * `/etc/hosts` gives `hosts`, `/etc/` gives `etc/…`, `/etc/.` gives `./…`), plus its
 * stat — what `docker cp container:path -` gets. The path is resolved inside the root
 * (links on the way followed, never out of it; a final link is archived as a link).
 * Walking never follows links, directories are sorted, hardlinks stay hardlinks,
 * ownership, modes and mtimes are kept (xattrs are not). Streams: nothing is buffered.
 * `NotFound` if the path does not exist; errors while walking end the stream.
 */
export async function getArchive(root: string, path: string, options: ArchiveOptions = {}): Promise<PathArchive> {
  const stat = await statPath(root, path, options);
  const hostPath = await resolveArchivePath(root, path);
  const topName = path.endsWith('/.') || path === '.' ? '.' : stat.name === '/' ? '.' : stat.name;
  const pack = tar.pack();
  const { signal } = options;
  const walk = async () => {
    try {
      await addTree(pack, hostPath, topName, new Map(), signal);
      pack.finalize();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      pack.destroy(code === 'ENOENT' ? missingPath(path, options) : (err as Error));
    }
  };
  void walk();
  const stream = Readable.from(pack, { objectMode: false });
  if (signal) {
    const onAbort = () => stream.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return { stat, tar: stream };
}
