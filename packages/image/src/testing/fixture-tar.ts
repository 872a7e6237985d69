import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Header, type Pack } from 'tar-stream';
import type { Layer } from '../image.js';
import { type LayerFromTarOptions, layerFromTar } from '../mutate/layer-from-tar.js';

/** The modification time of every fixture entry: fixed, so fixture digests are stable. */
export const fixtureMtime = new Date('2024-01-01T00:00:00Z');

/** Ownership and permissions common to all {@link FixtureEntry} kinds. */
interface EntryBase {
  /** Path inside the layer, without leading `/` (`etc/passwd`). */
  path: string;
  /** Permission bits (defaults: 0755 for directories, 0644 for files). */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Content of a fixture file: text, bytes, or a file of the host streamed in (its size must be given). */
export type FixtureContent = string | Uint8Array | { hostPath: string; size: number };

/**
 * One entry of a fixture layer. `whiteout` and `opaque` write the OCI markers
 * (`dir/.wh.name`, `dir/.wh..wh..opq`) that delete a lower file or hide a lower directory.
 */
export type FixtureEntry =
  | (EntryBase & { type: 'dir' })
  | (EntryBase & { type: 'file'; content: FixtureContent })
  | (EntryBase & { type: 'symlink'; target: string })
  | (EntryBase & { type: 'link'; target: string })
  | (EntryBase & { type: 'whiteout' })
  | (EntryBase & { type: 'opaque' });

function headerOf(entry: FixtureEntry): Header {
  const base = {
    mtime: fixtureMtime,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
    linkname: '',
    size: 0,
  };
  switch (entry.type) {
    case 'dir':
      return { ...base, name: `${entry.path}/`, type: 'directory', mode: entry.mode ?? 0o755 };
    case 'file': {
      const { content } = entry;
      const size = typeof content === 'string' ? Buffer.byteLength(content) : content instanceof Uint8Array ? content.byteLength : content.size;
      return { ...base, name: entry.path, type: 'file', mode: entry.mode ?? 0o644, size };
    }
    case 'symlink':
      return { ...base, name: entry.path, type: 'symlink', mode: entry.mode ?? 0o777, linkname: entry.target };
    case 'link':
      return { ...base, name: entry.path, type: 'link', mode: entry.mode ?? 0o644, linkname: entry.target };
    case 'whiteout':
      return { ...base, name: posix.join(posix.dirname(entry.path), `.wh.${posix.basename(entry.path)}`), type: 'file', mode: 0o644 };
    case 'opaque':
      return { ...base, name: posix.join(entry.path, '.wh..wh..opq'), type: 'file', mode: 0o644 };
  }
}

function addEntry(pack: Pack, entry: FixtureEntry): Promise<void> {
  const header = headerOf(entry);
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (entry.type !== 'file') {
      // Bodiless entries; whiteout markers are empty files.
      if (header.type === 'file') pack.entry(header, Buffer.alloc(0), done);
      else pack.entry(header, done);
      return;
    }
    const { content } = entry;
    if (typeof content === 'string' || content instanceof Uint8Array) {
      pack.entry(header, Buffer.from(content), done);
      return;
    }
    const sink = pack.entry(header, done);
    sink.on('error', () => undefined); // reported through `done`
    const source = createReadStream(content.hostPath);
    source.on('error', (err) => sink.destroy(err));
    source.on('data', (chunk) => {
      if (!sink.write(chunk)) {
        source.pause();
        sink.once('drain', () => source.resume());
      }
    });
    source.on('end', () => sink.end(null));
  });
}

/**
 * A deterministic tar of `entries`, in order, as a factory of fresh streams (the shape
 * {@link layerFromTar} takes): every header has the fixed {@link fixtureMtime} and numeric
 * ownership, so the same entries always give the same bytes and digests.
 */
export function tarOf(entries: FixtureEntry[]): () => Readable {
  return () => {
    const pack = tar.pack();
    void (async () => {
      try {
        for (const entry of entries) await addEntry(pack, entry);
        pack.finalize();
      } catch (err) {
        pack.destroy(err as Error);
      }
    })();
    return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
  };
}

/** A layer (gzip by default) holding `entries`; see {@link tarOf}. */
export function layerFromEntries(entries: FixtureEntry[], options: LayerFromTarOptions = {}): Layer {
  return layerFromTar(tarOf(entries), options);
}
