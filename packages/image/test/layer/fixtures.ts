import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { extract, pack } from 'tar-stream';

/** A tar member for test layers, written with tar-stream (an implementation independent of ours). */
export interface FixtureEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds. */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records (tar-stream writes values as UTF-8 strings). */
  pax?: Record<string, string>;
}

/** Builds an uncompressed tar in memory. */
export async function buildTar(entries: FixtureEntry[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of tar) chunks.push(Buffer.from(chunk as Uint8Array));
  })();
  for (const e of entries) {
    const type = e.type ?? (e.content !== undefined ? 'file' : 'directory');
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date((e.mtime ?? 1_600_000_000) * 1000),
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      pax: e.pax,
    };
    await new Promise<void>((resolve, reject) => {
      if (type === 'file') tar.entry(header, e.content ?? '', (err) => (err ? reject(err) : resolve()));
      else tar.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A readable stream over bytes, in small chunks so that parsing across chunk borders is exercised. */
export function streamOf(bytes: Buffer, chunkSize = 4096): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** gzip of bytes. */
export function gzip(bytes: Buffer): Buffer {
  return gzipSync(bytes);
}

/** zstd of bytes, through the zstd program. */
export function zstd(bytes: Buffer): Buffer {
  const result = spawnSync('zstd', ['-q', '-c'], { input: bytes, maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr}`);
  return result.stdout;
}

/** Everything a test compares about one path of a tree. */
export interface NodeSnapshot {
  type: 'file' | 'directory' | 'symlink' | 'char' | 'block' | 'fifo' | 'other';
  mode: number;
  uid: number;
  gid: number;
  /** Whole seconds. */
  mtime: number;
  size: number;
  rdev: number;
  target?: string;
  sha256?: string;
  ino: number;
}

/** Walks a tree (not following symlinks) into path → snapshot; the root is `''`. */
export function snapshotTree(root: string): Map<string, NodeSnapshot> {
  const out = new Map<string, NodeSnapshot>();
  const visit = (rel: string): void => {
    const abs = rel === '' ? root : `${root}/${rel}`;
    const st = lstatSync(abs);
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'directory'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isCharacterDevice()
            ? 'char'
            : st.isBlockDevice()
              ? 'block'
              : st.isFIFO()
                ? 'fifo'
                : 'other';
    out.set(rel, {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
      size: type === 'file' ? st.size : 0,
      rdev: st.rdev,
      target: type === 'symlink' ? readlinkSync(abs) : undefined,
      sha256: type === 'file' ? createHash('sha256').update(readFileSync(abs)).digest('hex') : undefined,
      ino: st.ino,
    });
    if (type === 'directory') for (const name of readdirSync(abs).sort()) visit(rel === '' ? name : `${rel}/${name}`);
  };
  visit('');
  return out;
}

/** Groups of paths sharing an inode (hardlinks), as sorted path lists, sorted. */
export function hardlinkGroups(tree: Map<string, NodeSnapshot>): string[][] {
  const byInode = new Map<number, string[]>();
  for (const [path, node] of tree) {
    if (node.type === 'directory') continue;
    byInode.set(node.ino, [...(byInode.get(node.ino) ?? []), path]);
  }
  return [...byInode.values()]
    .filter((group) => group.length > 1)
    .map((group) => group.sort())
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** A tree snapshot without inode numbers (which differ between copies), for equality checks. */
export function comparable(tree: Map<string, NodeSnapshot>, options: { directoryMtimes?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, { ino: _ino, ...rest }] of tree) {
    out[path] = rest.type === 'directory' && options.directoryMtimes === false ? { ...rest, mtime: 0 } : rest;
  }
  return out;
}

export const isRoot = process.getuid?.() === 0;

/** A tar header as tar-stream reads it. */
export interface ListedEntry {
  name: string;
  type: string;
  size: number;
  linkname: string | null;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  pax: Record<string, string> | null;
}

/** The headers of a tar, read with tar-stream. */
export async function listTar(bytes: Buffer): Promise<ListedEntry[]> {
  const reader = extract();
  const headers: ListedEntry[] = [];
  const done = (async () => {
    for await (const entry of reader) {
      const h = entry.header;
      headers.push({
        name: h.name,
        type: h.type,
        size: h.size,
        linkname: h.linkname ?? null,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        mtime: Math.floor(h.mtime.getTime() / 1000),
        pax: (h.pax as Record<string, string> | null) ?? null,
      });
      entry.resume();
    }
  })();
  reader.end(bytes);
  await done;
  return headers;
}

/** Reads a whole stream into one buffer (tests only: layers here are small). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
