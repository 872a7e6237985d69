import { InvalidArgumentError } from '@berth/errdefs';
import { type Digest, digestOf, isDigest } from '@berth/spec';

/**
 * The OCI chain IDs of a layer stack, bottom first: `chainIds[0] = diffIds[0]`,
 * `chainIds[n] = sha256(chainIds[n-1] + " " + diffIds[n])`. A chain ID names a whole
 * stack (a layer together with everything beneath it), so snapshots named by it are
 * shared by every image whose bottom layers are the same.
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const chain: Digest[] = [];
  for (const diffId of diffIds) {
    if (!isDigest(diffId)) throw new InvalidArgumentError(`invalid diff ID ${JSON.stringify(diffId)}`);
    const below = chain.at(-1);
    chain.push(below === undefined ? diffId : digestOf(`${below} ${diffId}`));
  }
  return chain;
}
