import { InvalidArgumentError } from '@berth/errdefs';
import {
  type Descriptor,
  type ImageManifest,
  type ImageReference,
  type Platform,
  parseManifestDocument,
} from '@berth/spec';
import type { RemoteRepository } from '../client/remote-repository.js';
import { selectManifest } from './platform-selection.js';

/** A reference resolved down to one platform's manifest. */
export interface ResolvedImage {
  /** What the reference names (an index, or the manifest itself). */
  target: Descriptor;
  /** The bytes of the index, when the reference named one (the innermost one for nested indexes is not kept). */
  indexBytes: Uint8Array | undefined;
  manifestDescriptor: Descriptor;
  manifestBytes: Uint8Array;
  manifest: ImageManifest;
  /** The platform picked from an index; `undefined` for a single-platform image. */
  platform: Platform | undefined;
}

/** Indexes of indexes deeper than this are refused (a loop, or an attack). */
const maxIndexDepth = 4;

/**
 * Fetches what `reference` names and, for an index (OCI index, Docker manifest list),
 * the manifest for `platform` — by digest, verified. `NotFound` names the available
 * platforms when none matches.
 */
export async function resolveImage(
  repository: RemoteRepository,
  reference: ImageReference,
  platform: Platform,
  signal: AbortSignal | undefined,
): Promise<ResolvedImage> {
  const where = `registry ${repository.registry}, repository ${repository.name}, reference ${reference.digest ?? reference.tag ?? 'latest'}`;
  const top = await repository.fetchManifest(reference.digest ?? reference.tag ?? 'latest', signal ? { signal } : {});
  let current = top;
  let chosenPlatform: Platform | undefined;
  for (let depth = 0; ; depth++) {
    const document = parseManifestDocument(parseJson(current.bytes, where), current.descriptor.mediaType);
    if (document.kind === 'image') {
      return {
        target: top.descriptor,
        indexBytes: current === top ? undefined : top.bytes,
        manifestDescriptor: current.descriptor,
        manifestBytes: current.bytes,
        manifest: document.manifest,
        platform: chosenPlatform,
      };
    }
    if (depth >= maxIndexDepth) throw new InvalidArgumentError(`${where}: indexes nested more than ${maxIndexDepth} deep`);
    const child = selectManifest(document.index, platform, where);
    chosenPlatform = child.platform;
    const fetched = await repository.fetchManifest(child.digest, signal ? { signal } : {});
    if (fetched.bytes.byteLength !== child.size) {
      throw new InvalidArgumentError(`${where}: manifest ${child.digest} has ${fetched.bytes.byteLength} bytes, the index says ${child.size}`);
    }
    current = { descriptor: { ...fetched.descriptor, mediaType: child.mediaType || fetched.descriptor.mediaType, ...(child.platform ? { platform: child.platform } : {}) }, bytes: fetched.bytes };
  }
}

function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${where}: manifest is not valid JSON`, { cause: err });
  }
}
