import { spawn } from 'node:child_process';
import { PassThrough, type Readable, pipeline } from 'node:stream';
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
  pipeline(input, createGunzip({ chunkSize: 1 << 17 }), out, (err) => {
    if (err && !out.destroyed) out.destroy(corrupt('gzip', err));
  });
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
  let decided = false;
  const onReadable = () => {
    const head = input.read() as Buffer | null;
    if (head === null) return;
    decided = true;
    input.off('readable', onReadable);
    input.off('end', onEarlyEnd);
    input.unshift(head);
    const inner = decompress(input, sniffCompression(head));
    pipeline(inner, out, (err) => {
      if (err && !out.destroyed) out.destroy(err);
    });
  };
  const onEarlyEnd = () => {
    if (!decided) out.end();
  };
  input.on('readable', onReadable);
  input.once('end', onEarlyEnd);
  input.once('error', (err) => {
    if (!decided) out.destroy(err);
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
