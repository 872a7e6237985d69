import type { Readable } from 'node:stream';
import { InternalError, NotImplementedError } from '@berth/errdefs';
import type { DiffOptions } from './diff-directories.js';
import { withSignal } from './decompress.js';
import { LayerEntries } from './internal/layer-entries.js';
import { tarStream, type TarWriteEntry } from './internal/tar-writer.js';
import { type XattrIndex, fileInfo, readXattrs, sortedNames, treeRoot } from './internal/tree-scan.js';

const opaqueXattr = 'trusted.overlay.opaque';
const redirectXattr = 'trusted.overlay.redirect';
const metacopyXattr = 'trusted.overlay.metacopy';

/** Where the data of a metacopy-only upper file lives: the first lower that has it as a regular file. */
function metacopySource(path: string, xattrs: Map<string, Buffer>, lowers: string[]): string {
  const redirect = xattrs.get(redirectXattr)?.toString('utf8');
  const dataPath = redirect?.startsWith('/') ? redirect.slice(1) : path;
  for (const lower of lowers) {
    const candidate = `${lower}/${dataPath}`;
    if (fileInfo(candidate)?.kind === 'file') return candidate;
  }
  throw new InternalError(`overlay upper file ${path} is a metacopy, but no lower directory holds its data`);
}

async function* overlayEntries(upper: string, lowerDirs: string[], signal?: AbortSignal): AsyncGenerator<TarWriteEntry> {
  const root = await treeRoot(upper, 'overlay upper');
  const lowers = await Promise.all(lowerDirs.map((dir) => treeRoot(dir, 'overlay lower')));
  const xattrs: XattrIndex = await readXattrs(root, signal);
  const entries = new LayerEntries(root, xattrs);

  function* walk(dir: string): Generator<TarWriteEntry> {
    for (const name of sortedNames(dir === '' ? root : `${root}/${dir}`)) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const info = fileInfo(`${root}/${path}`);
      if (info === undefined || info.kind === 'socket') continue;
      const own = xattrs.get(path);
      // Checked before hardlinks: whiteouts may share one inode (applyLayer links them).
      if (info.kind === 'char' && info.rdev === 0n) {
        yield LayerEntries.whiteout(path, info);
        continue;
      }
      if (info.kind === 'directory') {
        if (own?.has(redirectXattr)) {
          throw new NotImplementedError(
            `overlay upper directory ${path} is a redirect (a renamed lower directory); mount overlays with redirect_dir=off`,
          );
        }
        yield entries.entry(path, info);
        if (own?.get(opaqueXattr)?.toString('utf8') === 'y') yield LayerEntries.opaque(path, info);
        yield* walk(path);
        continue;
      }
      const entry = entries.entry(path, info);
      if (entry.type === 'file' && own?.has(metacopyXattr)) {
        entry.contentPath = metacopySource(path, own, lowers);
        delete entry.contentIdentity;
      }
      yield entry;
    }
  }
  yield* walk('');
}

/**
 * Converts an overlayfs upper directory into an uncompressed OCI layer tar (the overlay
 * snapshotter's differ): char-device 0:0 whiteouts become `.wh.<name>` members, a
 * directory with `trusted.overlay.opaque=y` gets a `.wh..wh..opq` member, other
 * `trusted.overlay.*` xattrs are dropped, and the data of metacopy-only files is read
 * from `lowerDirs` (top-most first, as in `lowerdir=`). Everything else is kept as
 * {@link diffDirectories} keeps it, in the same sorted order. Upper directories that
 * are redirects (`redirect_dir=on`) are refused with `NotImplemented`.
 */
export function diffOverlayUpper(upperDir: string, lowerDirs: string[], options: DiffOptions = {}): Readable {
  return withSignal(tarStream(() => overlayEntries(upperDir, lowerDirs, options.signal), options.signal), options.signal);
}
