import { InvalidArgumentError } from '@berth/errdefs';
import { type ImageReference, parseReference } from '@berth/spec';
import { type AuthOption, type CredentialSource, chainCredentials, staticCredentials } from '../auth/credentials.js';
import { type RegistryClient, type RegistryClientOptions, RegistryClientImpl } from '../client/registry-client.js';

/** The reference of a pull or push, normalised, with `latest` when it names neither tag nor digest. */
export function toReference(input: string | ImageReference): ImageReference {
  const reference = typeof input === 'string' ? parseReference(input) : input;
  if (reference.domain === '') throw new InvalidArgumentError(`reference ${input.toString()} names no registry`);
  return reference.withDefaultTag();
}

/** The client an operation uses: the caller's, or a fresh one closed when the operation ends. */
export function openClient(
  reference: ImageReference,
  options: { client?: RegistryClient; registry?: RegistryClientOptions; auth?: AuthOption },
): { client: RegistryClientImpl; close: () => void } {
  if (options.client) {
    if (!(options.client instanceof RegistryClientImpl)) {
      throw new InvalidArgumentError('client must come from createRegistryClient()');
    }
    return { client: options.client, close: () => undefined };
  }
  const sources: CredentialSource[] = [];
  if (typeof options.auth === 'function') sources.push(options.auth);
  else if (options.auth) sources.push(staticCredentials({ [reference.domain]: options.auth }));
  if (options.registry?.credentials) sources.push(options.registry.credentials);
  const client = new RegistryClientImpl({ ...options.registry, ...(sources.length > 0 ? { credentials: chainCredentials(...sources) } : {}) });
  return { client, close: () => client.close() };
}
