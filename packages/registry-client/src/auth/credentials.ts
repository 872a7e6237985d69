/**
 * What a user authenticates to a registry with: a username and password (or personal
 * access token), an OAuth2 refresh token (docker's `identitytoken`), or a ready bearer
 * token (docker's `registrytoken`).
 */
export type Credentials =
  | { username: string; password: string }
  | { identityToken: string; username?: string }
  | { registryToken: string };

/**
 * Finds the credentials for a registry host (`docker.io`, `localhost:5000`), or
 * `undefined` to go anonymously. Called lazily, only when a registry asks for auth.
 */
export type CredentialSource = (registry: string) => Promise<Credentials | undefined>;

/**
 * What pull, push and `remoteImage` accept as `auth`: credentials for the image's
 * registry, or a {@link CredentialSource} for any registry.
 */
export type AuthOption = Credentials | CredentialSource;

/** A {@link CredentialSource} over a fixed map of registry host → credentials. */
export function staticCredentials(byRegistry: Record<string, Credentials>): CredentialSource {
  return async (registry) => byRegistry[registry] ?? byRegistry[canonicalRegistry(registry)];
}

/** Docker Hub goes by several names; credentials are filed under `docker.io`. */
export function canonicalRegistry(registry: string): string {
  switch (registry) {
    case 'index.docker.io':
    case 'registry-1.docker.io':
    case 'registry.hub.docker.com':
      return 'docker.io';
    default:
      return registry;
  }
}

/** Tries each source in order; the first that knows the registry wins. */
export function chainCredentials(...sources: CredentialSource[]): CredentialSource {
  return async (registry) => {
    for (const source of sources) {
      const found = await source(registry);
      if (found) return found;
    }
    return undefined;
  };
}
