import { InvalidArgumentError } from '@berth/errdefs';
import type { Digest } from '@berth/spec';

/** `readBytes` refuses blobs above this size unless told otherwise: it is meant for documents. */
export const defaultMaxReadBytes = 4 * 1024 * 1024;

/** Validates a read offset: an integer within the blob (the end itself reads nothing). */
export function checkOffset(digest: Digest, offset: number | undefined, size: number): number {
  if (offset === undefined) return 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
    throw new InvalidArgumentError(`invalid offset ${offset} into blob ${digest} of ${size} bytes`);
  }
  return offset;
}

/** Refuses to load a blob of `size` bytes into memory when it is above `maxSize`. */
export function checkReadSize(digest: Digest, size: number, maxSize = defaultMaxReadBytes): void {
  if (size > maxSize) {
    throw new InvalidArgumentError(`blob ${digest} is ${size} bytes, more than the ${maxSize} allowed in memory`);
  }
}
