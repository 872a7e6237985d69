import { type Hash, createHash } from 'node:crypto';
import { Transform, type TransformCallback, Writable } from 'node:stream';
import type { Digest, DigestAlgorithm } from '@berth/spec';

/**
 * A pass-through that hashes and counts the bytes flowing through it, so one pass over
 * a stream yields both the bytes and their digest. Read {@link DigestingStream.digest}
 * only after the stream has finished.
 */
export class DigestingStream extends Transform {
  private readonly hash: Hash;
  private readonly algorithm: DigestAlgorithm;
  /** Bytes seen so far. */
  bytes = 0;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    super({ highWaterMark: 1 << 20 });
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    callback(null, chunk);
  }

  /** The digest of everything that went through; call once, after the end. */
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** A sink that hashes and counts what is written to it and throws the bytes away. */
export class DigestingSink extends Writable {
  private readonly hash: Hash;
  private readonly algorithm: DigestAlgorithm;
  /** Bytes seen so far. */
  bytes = 0;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    super({ highWaterMark: 1 << 20 });
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    callback();
  }

  /** The digest of everything written; call once, after `finish`. */
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
