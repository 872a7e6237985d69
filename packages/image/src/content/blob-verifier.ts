import { createHash, type Hash } from 'node:crypto';
import { FailedPreconditionError, InvalidArgumentError } from '@berth/errdefs';
import { digestAlgorithm, parseDigest, type Digest } from '@berth/spec';
import type { ExpectedBlob } from './content-store.js';

/** Validates what a caller says it will write: a well-formed digest and a non-negative integer size. */
export function checkExpected(expected: ExpectedBlob): ExpectedBlob {
  const digest = parseDigest(expected.digest);
  const size = expected.size;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new InvalidArgumentError(`invalid expected size ${size} for blob ${digest}: must be a non-negative integer`);
  }
  return size === undefined ? { digest } : { digest, size };
}

/** Validates an ingest ref: any non-empty string. */
export function checkRef(ref: string): string {
  if (typeof ref !== 'string' || ref.length === 0) {
    throw new InvalidArgumentError('invalid ingest ref: must be a non-empty string');
  }
  return ref;
}

/**
 * What a resumed ingest expects: the stored expectation, refined by the new one. A ref
 * names one blob for its whole life, so another digest or another known size is refused
 * with `FailedPrecondition` (abort the ingest first).
 */
export function mergeExpected(ref: string, stored: ExpectedBlob, requested: ExpectedBlob): ExpectedBlob {
  if (stored.digest !== requested.digest) {
    throw new FailedPreconditionError(
      `ingest "${ref}" holds a partial blob ${stored.digest}, not ${requested.digest}; abort it first`,
    );
  }
  if (stored.size !== undefined && requested.size !== undefined && stored.size !== requested.size) {
    throw new FailedPreconditionError(
      `ingest "${ref}" expects ${stored.size} bytes of ${stored.digest}, not ${requested.size}; abort it first`,
    );
  }
  const size = stored.size ?? requested.size;
  return size === undefined ? { digest: stored.digest } : { digest: stored.digest, size };
}

/**
 * Hashes the bytes of one ingest as they arrive and checks them against the expected
 * blob: a write beyond the expected size fails at once, size and digest are checked at
 * the end. Digests are computed over the bytes written, never re-read.
 */
export class BlobVerifier {
  readonly #hash: Hash;
  #size = 0;

  constructor(readonly expected: ExpectedBlob) {
    this.#hash = createHash(digestAlgorithm(expected.digest));
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** Whether `length` more bytes would go past the expected size. */
  wouldExceed(length: number): boolean {
    return this.expected.size !== undefined && this.#size + length > this.expected.size;
  }

  /** The error a write of `length` more bytes earns when it goes past the expected size. */
  exceededError(length: number): InvalidArgumentError {
    return new InvalidArgumentError(
      `size exceeded: blob ${this.expected.digest} expected ${this.expected.size} bytes, got at least ${this.#size + length}`,
    );
  }

  /** Adds bytes (call {@link wouldExceed} first). */
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
  }

  /** Checks size and digest of everything seen; throws `InvalidArgument` on a mismatch. Call once. */
  verify(): Digest {
    const { digest: expected, size } = this.expected;
    if (size !== undefined && this.#size !== size) {
      throw new InvalidArgumentError(`size mismatch: blob ${expected} expected ${size} bytes, got ${this.#size}`);
    }
    const actual = `${digestAlgorithm(expected)}:${this.#hash.digest('hex')}` as Digest;
    if (actual !== expected) {
      throw new InvalidArgumentError(`digest mismatch: expected ${expected}, got ${actual}`);
    }
    return actual;
  }
}
