import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import type { BlobSource, OpenOptions } from '@berth/image';
import { type Descriptor, type Digest, isIndexMediaType, isManifestMediaType } from '@berth/spec';
import type { RemoteRepository } from '../client/remote-repository.js';

/** Configs and other documents larger than this are refused rather than read whole. */
const maxDocumentBytes = 16 << 20;

/**
 * A `BlobSource` over a registry repository: manifests and indexes through the manifests
 * endpoint, configs and layers through the blobs endpoint — every read verified against
 * the descriptor's digest and size. `known` holds documents already fetched (while
 * resolving a reference), so they are not fetched twice.
 */
export function remoteBlobSource(repository: RemoteRepository, known: Map<Digest, Uint8Array> = new Map()): BlobSource {
  return {
    async readDocument(descriptor: Descriptor, options?: OpenOptions): Promise<Uint8Array> {
      const cached = known.get(descriptor.digest);
      if (cached) return cached;
      if (descriptor.size > maxDocumentBytes) {
        throw new InvalidArgumentError(`document ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxDocumentBytes} allowed`);
      }
      let bytes: Uint8Array;
      if (isManifestMediaType(descriptor.mediaType) || isIndexMediaType(descriptor.mediaType)) {
        bytes = (await repository.fetchManifest(descriptor.digest, options?.signal ? { signal: options.signal } : {})).bytes;
        if (bytes.byteLength !== descriptor.size) {
          throw new InvalidArgumentError(`manifest ${descriptor.digest} has ${bytes.byteLength} bytes, its descriptor says ${descriptor.size}`);
        }
      } else {
        const stream = await repository.fetchBlob(descriptor, options?.signal ? { signal: options.signal } : {});
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        bytes = Buffer.concat(chunks);
      }
      known.set(descriptor.digest, bytes);
      return bytes;
    },
    openBlob(descriptor: Descriptor, options?: OpenOptions): Promise<Readable> {
      return repository.fetchBlob(descriptor, options?.signal ? { signal: options.signal } : {});
    },
  };
}
