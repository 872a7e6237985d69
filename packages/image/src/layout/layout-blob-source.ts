import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type Descriptor, digestAlgorithm, digestOf } from '@berth/spec';
import { withSignal } from '../layer/decompress.js';
import type { BlobSource } from '../partial/compressed-image.js';
import { blobPath, maxDocumentSize } from './oci-layout-format.js';

/**
 * A {@link BlobSource} over the `blobs/<alg>/<hex>` files of an OCI image layout
 * directory. Documents are verified against their digest when read; blob streams are
 * verified by whoever consumes them (a content store, a sink). A missing blob is
 * `NotFound`; one of the wrong size is `InvalidArgument`.
 */
export function ociLayoutBlobSource(dir: string): BlobSource {
  const pathOf = async (descriptor: Descriptor): Promise<string> => {
    const path = join(dir, blobPath(descriptor.digest));
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`blob ${descriptor.digest} is not in OCI layout ${dir}`, { cause: err });
      }
      throw err;
    }
    if (size !== descriptor.size) {
      throw new InvalidArgumentError(`blob ${descriptor.digest} in ${dir} is ${size} bytes, its descriptor says ${descriptor.size}`);
    }
    return path;
  };
  return {
    async readDocument(descriptor, options) {
      if (descriptor.size > maxDocumentSize) {
        throw new InvalidArgumentError(`document ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxDocumentSize} allowed`);
      }
      const bytes = await readFile(await pathOf(descriptor), options?.signal ? { signal: options.signal } : {});
      if (digestOf(bytes, digestAlgorithm(descriptor.digest)) !== descriptor.digest) {
        throw new InvalidArgumentError(`blob ${descriptor.digest} in ${dir} does not match its digest`);
      }
      return bytes;
    },
    async openBlob(descriptor, options) {
      return withSignal(createReadStream(await pathOf(descriptor), { highWaterMark: 1 << 20 }), options?.signal);
    },
  };
}
