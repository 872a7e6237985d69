import { REGISTRY_AUTH_HEADER, encodeRegistryAuth } from '@berth/docker-api';
import type { ImagePullOptions } from '@berth/engine';

type AuthOption = NonNullable<ImagePullOptions['auth']>;
type Credentials = Exclude<AuthOption, (...args: never[]) => unknown>;

/** The registry host of a reference, as docker reads it: a first component with `.` or `:`, or `localhost`; else Docker Hub. */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/**
 * `X-Registry-Auth` for a pull or push of `reference`: the credentials (asked from the source
 * for the reference's registry). Without any, docker's empty config `{}`: newer daemons refuse
 * a push without the header.
 */
export async function registryAuthHeader(reference: string, auth: AuthOption | undefined): Promise<Record<string, string>> {
  const registry = registryOf(reference);
  const credentials: Credentials | undefined = typeof auth === 'function' ? await auth(registry) : auth;
  if (!credentials) return { [REGISTRY_AUTH_HEADER]: encodeRegistryAuth({}) };
  const serveraddress = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  if ('registryToken' in credentials) return { [REGISTRY_AUTH_HEADER]: encodeRegistryAuth({ registrytoken: credentials.registryToken, serveraddress }) };
  if ('identityToken' in credentials) {
    return {
      [REGISTRY_AUTH_HEADER]: encodeRegistryAuth({
        identitytoken: credentials.identityToken,
        ...(credentials.username ? { username: credentials.username } : {}),
        serveraddress,
      }),
    };
  }
  return { [REGISTRY_AUTH_HEADER]: encodeRegistryAuth({ username: credentials.username, password: credentials.password, serveraddress }) };
}
