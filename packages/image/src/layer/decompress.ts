import { spawn } from 'node:child_process';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgumentError, UnavailableError } from '@berth/errdefs';
import type { LayerCompression } from '@berth/spec';

const gzipMagic = [0x1f, 0x8b];
const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Guesses the compression of a blob from its first bytes. */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (startsWith(head, gzipMagic)) return 'gzip';
  if (startsWith(head, zstdMagic)) return 'zstd';
  return 'none';
}

/**
 * Decompresses a layer stream. `auto` sniffs the magic bytes. zstd goes through the
 * `zstd` program (Node 20's zlib has no zstd). Corrupt input surfaces as an
 * `InvalidArgument` error on the returned stream.
 */
export function decompress(input: Readable, compression: LayerCompression | 'auto'): Readable {
  if (compression === 'none') return input;
  if (compression === 'auto') return decompressSniffed(input);
  const output = compression === 'gzip' ? gunzip(input) : unzstd(input);
  return output;
}

function gunzip(input: Readable): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const inflate = createGunzip({ chunkSize: 1 << 20 });
  // Registered before pipeline's own handler, so `out` fails with InvalidArgument rather
  // than zlib's raw error (a destroyed stream keeps its first error). Source errors pass as they are.
  inflate.once('error', (err) => out.destroy(corrupt('gzip', err)));
  pipeline(input, inflate, out, () => {});
  return out;
}

function unzstd(input: Readable): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('error', (err) => out.destroy(new UnavailableError('cannot run zstd to decompress a layer', { cause: err })));
  pipeline(input, child.stdin, (err) => {
    if (err && !out.destroyed) out.destroy(err);
  });
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(corrupt('zstd', new Error(stderr.trim() || `zstd exited ${code}`)));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

function corrupt(kind: string, cause: unknown): Error {
  if (cause instanceof Error && cause.name === 'AbortError') return cause;
  return new InvalidArgumentError(`corrupt ${kind} layer stream: ${(cause as Error)?.message ?? cause}`, { cause });
}

function decompressSniffed(input: Readable): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const head: Buffer[] = [];
  let headLength = 0;
  const forward = (inner: Readable) => {
    pipeline(inner, out, (err) => {
      if (err && !out.destroyed) out.destroy(err);
    });
  };
  const stopWatching = () => {
    input.off('readable', onReadable);
    input.off('end', onEnd);
    input.off('error', onError);
  };
  // Wait for enough bytes to see the longest magic number, however the source chunks them.
  const onReadable = () => {
    let chunk: Buffer | null;
    while (headLength < zstdMagic.length && (chunk = input.read() as Buffer | null) !== null) {
      head.push(chunk);
      headLength += chunk.length;
    }
    if (headLength < zstdMagic.length) return;
    stopWatching();
    const buffered = Buffer.concat(head);
    input.unshift(buffered);
    forward(decompress(input, sniffCompression(buffered)));
  };
  const onEnd = () => {
    stopWatching();
    const buffered = Buffer.concat(head);
    if (buffered.length === 0) out.end();
    else forward(decompress(Readable.from([buffered], { objectMode: false }), sniffCompression(buffered)));
  };
  const onError = (err: Error) => {
    stopWatching();
    out.destroy(err);
  };
  input.on('readable', onReadable);
  input.once('end', onEnd);
  input.once('error', onError);
  out.once('close', () => {
    if (!input.readableEnded) input.destroy();
  });
  return out;
}

/** Applies an `AbortSignal` to a stream: destroys it with an `AbortError` when aborted. */
export function withSignal<T extends Readable>(stream: T, signal: AbortSignal | undefined): T {
  if (!signal) return stream;
  if (signal.aborted) {
    stream.destroy(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
    return stream;
  }
  const onAbort = () =>
    stream.destroy(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
  return stream;
}
