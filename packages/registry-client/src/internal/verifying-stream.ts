import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import { type Digest, digestAlgorithm } from '@berth/spec';

/**
 * A pass-through that hashes what flows through it and fails at the end — before the
 * consumer sees a clean end — when the bytes do not match `digest` (or `size`, when known).
 * `what` names the blob in the error.
 */
export function verifyingStream(digest: Digest, size: number | undefined, what: string): Transform {
  const hash = createHash(digestAlgorithm(digest));
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.byteLength;
      if (size !== undefined && seen > size) {
        callback(new InvalidArgumentError(`${what}: received more than the expected ${size} bytes`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (size !== undefined && seen !== size) {
        callback(new InvalidArgumentError(`${what}: received ${seen} bytes, expected ${size}`));
        return;
      }
      const actual = `${digestAlgorithm(digest)}:${hash.digest('hex')}`;
      if (actual !== digest) {
        callback(new InvalidArgumentError(`${what}: content digest mismatch: got ${actual}`, { details: { expected: digest, actual } }));
        return;
      }
      callback();
    },
  });
}
