import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** A member of a hand-made tar file. */
export interface Member {
  name: string;
  content?: string | Uint8Array;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** Writes `members` as a tar file at `path` (for building archives the writer would never make). */
export async function writeTarFile(path: string, members: Member[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack as unknown as Readable, createWriteStream(path));
  for (const member of members) {
    await new Promise<void>((resolve, reject) => {
      const header = { name: member.name, type: member.type ?? 'file', mtime: new Date(0), ...(member.linkname ? { linkname: member.linkname } : {}) };
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (header.type === 'file') pack.entry(header, Buffer.from(member.content ?? ''), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
}

/** The bytes of a whole stream. */
export async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
