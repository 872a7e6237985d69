import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

/** sha256 digest and byte count of a stream, consumed whole. */
export async function digestOfStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** A member of a tar as the tests look at it. */
export interface ListedEntry {
  name: string;
  type: string;
  mode: number;
  linkname: string | null;
  mtime: number;
  size: number;
  content?: string;
}

/** Every member of a tar stream, with the content of small files. */
export async function listTar(stream: Readable, options: { contentUpTo?: number } = {}): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  const extract = tar.extract();
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    const { header } = entry;
    const listed: ListedEntry = {
      name: header.name.replace(/\/$/, ''),
      type: header.type ?? 'file',
      mode: header.mode ?? 0,
      linkname: header.linkname ?? null,
      mtime: header.mtime?.getTime() ?? 0,
      size: chunks.reduce((n, c) => n + c.byteLength, 0),
    };
    if (header.type === 'file' && (header.size ?? 0) <= (options.contentUpTo ?? 4096)) listed.content = Buffer.concat(chunks).toString('utf8');
    entries.push(listed);
  }
  return entries;
}
