import { Readable } from 'node:stream';

/**
 * Reads up to `length` bytes from the start of `stream` and hands back a stream that still
 * starts at the first byte (usually `stream` itself, with the bytes put back). Used to sniff
 * magic numbers (gzip, zstd, tar headers) without a second open. `head` is shorter when the
 * stream is.
 */
export async function peekHead(stream: Readable, length: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < length) {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      have += bytes.byteLength;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReadable = () => settle();
      const onEnd = () => settle();
      const onError = (err: Error) => settle(err);
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onEnd);
    });
  }
  if (stream.errored) throw stream.errored;
  const head = Buffer.concat(chunks);
  if (stream.readableEnded) return { head: head.subarray(0, length), stream: Readable.from(head.byteLength ? [head] : []) };
  if (head.byteLength > 0) stream.unshift(head);
  return { head: head.subarray(0, length), stream };
}
