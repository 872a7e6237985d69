import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type Descriptor, digestAlgorithm, digestOf } from '@berth/spec';
import { blobPath, maxDocumentSize } from '../layout/oci-layout-format.js';
import type { BlobSource } from '../partial/compressed-image.js';
import type { TarEntry, TarIndex } from './tar-index.js';

/**
 * A {@link BlobSource} over the `blobs/<alg>/<hex>` members of an indexed tar (an OCI
 * layout inside a docker archive). Documents are verified against their digest when read;
 * blob streams are byte ranges of the tar file, verified by whoever consumes them.
 */
export function tarBlobSource(tar: TarIndex): BlobSource & { has(descriptor: Descriptor): boolean } {
  const entryOf = (descriptor: Descriptor): TarEntry => {
    const entry = tar.resolve(blobPath(descriptor.digest));
    if (!entry || entry.type !== 'file') throw new NotFoundError(`blob ${descriptor.digest} is not in archive ${tar.path}`);
    if (entry.size !== descriptor.size) {
      throw new InvalidArgumentError(`blob ${descriptor.digest} in ${tar.path} is ${entry.size} bytes, its descriptor says ${descriptor.size}`);
    }
    return entry;
  };
  return {
    has(descriptor) {
      const entry = tar.resolve(blobPath(descriptor.digest));
      return entry?.type === 'file' && entry.size === descriptor.size;
    },
    async readDocument(descriptor) {
      const bytes = await tar.readAll(entryOf(descriptor), maxDocumentSize);
      if (digestOf(bytes, digestAlgorithm(descriptor.digest)) !== descriptor.digest) {
        throw new InvalidArgumentError(`blob ${descriptor.digest} in ${tar.path} does not match its digest`);
      }
      return bytes;
    },
    async openBlob(descriptor, options) {
      return tar.open(entryOf(descriptor), options);
    },
  };
}
