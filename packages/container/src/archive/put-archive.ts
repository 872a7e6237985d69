import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { FailedPreconditionError, InvalidArgumentError, isBerthError } from '@berth/errdefs';
import tar from 'tar-stream';
import { resolveInRoot } from '../rootfs/resolve-in-root.js';
import { type ArchiveOptions, missingPath } from './path-stat.js';

const execFileAsync = promisify(execFile);

/** Options of {@link putArchive}, as docker's `PUT /containers/{id}/archive` has them. */
export interface PutArchiveOptions extends ArchiveOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (docker's `noOverwriteDirNonDir`). */
  noOverwriteDirNonDir?: boolean;
  /**
   * Own every extracted file by this user (`docker cp -a` passes the container's user);
   * otherwise the owners in the tar are kept (when running as root).
   */
  chownTo?: { uid: number; gid: number };
}

/**
 * Cleans a tar member name into a path relative to the extraction directory; `undefined`
 * when it climbs out with `..` (a breakout, refused). Leading `/` and `./` are dropped.
 */
export function cleanMemberName(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

interface Extraction {
  root: string;
  /** The extraction directory, as a container path. */
  directory: string;
  options: PutArchiveOptions;
  isRoot: boolean;
  /** Directory mtimes, set at the end (writing into a directory changes its mtime). */
  directoryTimes: Array<{ path: string; mtime: Date }>;
}

/** Makes way for a new entry at `target`: removes what is there, unless it is a directory kept as one. */
async function prepareTarget(x: Extraction, target: string, name: string, isDirectory: boolean): Promise<boolean> {
  const existing = await lstatOrUndefined(target);
  if (!existing) return false;
  if (existing.isDirectory() && isDirectory) return true;
  if (x.options.noOverwriteDirNonDir) {
    if (existing.isDirectory()) throw new InvalidArgumentError(`cannot overwrite directory "${name}" with non-directory "${name}"`);
    if (isDirectory) throw new InvalidArgumentError(`cannot overwrite non-directory "${name}" with directory "${name}"`);
  }
  // Never write through what is there (a link would be followed): remove it first.
  if (existing.isDirectory()) await rm(target, { recursive: true, force: true });
  else await unlink(target);
  return false;
}

async function setMetadata(x: Extraction, target: string, header: tar.Header, isLink: boolean): Promise<void> {
  if (x.isRoot) {
    const uid = x.options.chownTo?.uid ?? header.uid ?? 0;
    const gid = x.options.chownTo?.gid ?? header.gid ?? 0;
    await lchown(target, uid, gid);
  }
  const mtime = header.mtime ?? new Date();
  if (isLink) {
    await lutimes(target, mtime, mtime).catch(() => undefined);
    return;
  }
  // After chown, which clears setuid/setgid bits.
  await chmod(target, (header.mode ?? 0o644) & 0o7777);
  if (header.type === 'directory') x.directoryTimes.push({ path: target, mtime });
  else await utimes(target, mtime, mtime);
}

/** A member's content: the tar reader's stream (a streamx one, so typed by what is used). */
type MemberContent = AsyncIterable<unknown> & { resume(): unknown };

async function extractEntry(x: Extraction, header: tar.Header, content: MemberContent): Promise<void> {
  const relative = cleanMemberName(header.name);
  if (relative === undefined) throw new InvalidArgumentError(`invalid tar member name ${JSON.stringify(header.name)}: it climbs out of the extraction directory`);
  const type = header.type ?? 'file';
  if (relative === '') {
    content.resume();
    return; // `./`: the extraction directory itself is left as it is
  }
  const containerPath = posix.join(x.directory, relative);
  // Parents are resolved inside the root (links followed, never out of it) and created if missing.
  const parent = await resolveInRoot(x.root, posix.dirname(containerPath));
  await mkdir(parent, { recursive: true });
  const target = join(parent, basename(containerPath));
  const keepDirectory = await prepareTarget(x, target, relative, type === 'directory');

  switch (type) {
    case 'directory':
      if (!keepDirectory) await mkdir(target, { mode: 0o700 });
      content.resume();
      break;
    case 'file':
    case 'contiguous-file': {
      // O_EXCL | O_NOFOLLOW: create a new file; never open something swapped in meanwhile.
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      const handle = await open(target, flags, 0o600);
      // The stream owns the handle and closes it when done (or failed).
      await pipeline(content, handle.createWriteStream());
      break;
    }
    case 'symlink':
      content.resume();
      await symlink(header.linkname ?? '', target);
      break;
    case 'link': {
      content.resume();
      const linked = cleanMemberName(header.linkname ?? '');
      if (linked === undefined || linked === '') {
        throw new InvalidArgumentError(`invalid hardlink ${JSON.stringify(header.name)} -> ${JSON.stringify(header.linkname)}`);
      }
      const source = await resolveInRoot(x.root, posix.join(x.directory, linked), { followFinal: false });
      const sourceStats = await lstatOrUndefined(source);
      if (!sourceStats || sourceStats.isDirectory()) {
        throw new InvalidArgumentError(`invalid hardlink ${JSON.stringify(header.name)} -> ${JSON.stringify(header.linkname)}`);
      }
      await link(source, target);
      return; // a hardlink shares the metadata of its target
    }
    case 'fifo':
    case 'character-device':
    case 'block-device': {
      content.resume();
      if (!x.isRoot && type !== 'fifo') return; // only root can make device nodes; skipped like docker does rootless
      const args =
        type === 'fifo'
          ? [target, 'p']
          : [target, type === 'character-device' ? 'c' : 'b', String(header.devmajor ?? 0), String(header.devminor ?? 0)];
      await execFileAsync('mknod', args);
      break;
    }
    default:
      content.resume();
      return; // PAX and GNU meta entries are handled by the reader; others are ignored
  }
  await setMetadata(x, target, header, type === 'symlink');
}

/**
 * Extracts the tar `archive` into directory `path` of the container whose root file
 * system is `root` (docker's `PUT /containers/{id}/archive`). The directory is resolved
 * inside the root (links followed, never out of it) and must exist (`NotFound`) and be a
 * directory (`FailedPrecondition`, "extraction point is not a directory").
 *
 * Every member is written safely: names climbing out with `..` are refused, parent
 * directories are resolved inside the root — a link the container (or an earlier member)
 * made can only redirect writes to somewhere else *inside* it — and what exists at a
 * member's path is removed first, never written through. Files are created with
 * `O_EXCL|O_NOFOLLOW`. Owners are kept (or set to `chownTo`) when running as root,
 * modes and mtimes always; whiteout names are not special (this is a copy, not a layer).
 * Streams: nothing is buffered. After a failure the directory may be partly written.
 */
export async function putArchive(root: string, path: string, archive: Readable, options: PutArchiveOptions = {}): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  const directory = posix.join('/', path);
  const hostDirectory = await resolveInRoot(root, directory);
  const stats = await lstatOrUndefined(hostDirectory);
  if (!stats) throw missingPath(path, options);
  if (!stats.isDirectory()) throw new FailedPreconditionError('extraction point is not a directory', { details: { path } });

  const x: Extraction = { root, directory, options, isRoot: process.getuid?.() === 0, directoryTimes: [] };
  const extract = tar.extract();
  const feeding = pipeline(archive, extract, { signal }).catch((err: unknown) => {
    extract.destroy(err as Error);
    throw err;
  });
  try {
    for await (const entry of extract) {
      signal?.throwIfAborted();
      await extractEntry(x, entry.header, entry);
    }
    await feeding;
  } catch (err) {
    archive.destroy();
    await feeding.catch(() => undefined);
    if (isBerthError(err) || (err as Error).name === 'AbortError') throw err;
    throw new InvalidArgumentError(`extracting the archive into ${directory} failed: ${(err as Error).message}`, { cause: err });
  }
  for (const { path: dir, mtime } of x.directoryTimes.reverse()) await utimes(dir, mtime, mtime).catch(() => undefined);
}
