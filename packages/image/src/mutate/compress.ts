import { spawn } from 'node:child_process';
import { PassThrough, type Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import { InvalidArgumentError, UnavailableError } from '@berth/errdefs';
import type { LayerCompression } from '@berth/spec';

/**
 * Compresses a tar stream into a layer blob. Output is deterministic for the same input
 * (gzip with a zero mtime in its header; zstd at a fixed level), which is what lets a lazy
 * layer compute its digest in one pass and produce the same bytes again later.
 */
export function compress(input: Readable, compression: LayerCompression): Readable {
  switch (compression) {
    case 'none':
      return input;
    case 'gzip': {
      const out = createGzip({ level: 6, chunkSize: 1 << 17 });
      pipeline(input, out, () => {
        // pipeline destroys `out` with the error; nothing else to do.
      });
      return out;
    }
    case 'zstd':
      return zstd(input);
    default:
      throw new InvalidArgumentError(`unknown layer compression "${String(compression)}"`);
  }
}

function zstd(input: Readable): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  // -T1 keeps the output independent of the machine's core count.
  const child = spawn('zstd', ['-c', '-q', '-3', '-T1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('error', (err) => out.destroy(new UnavailableError('cannot run zstd to compress a layer', { cause: err })));
  pipeline(input, child.stdin, (err) => {
    if (err && !out.destroyed) out.destroy(err);
  });
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(new UnavailableError(`zstd failed: ${stderr.trim() || `exit ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}
