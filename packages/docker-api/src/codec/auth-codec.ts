import type { ImagePullOptions } from '@berth/engine';
import type { AuthConfig } from '../generated/engine-api-schemas.js';

/** Credentials as the engine takes them for pull and push. */
export type EngineCredentials = Exclude<NonNullable<ImagePullOptions['auth']>, (...args: never[]) => unknown>;

/**
 * Docker's `AuthConfig` (from `X-Registry-Auth` or `POST /auth`) → engine credentials; an empty
 * config is "anonymous" (`undefined`). A registry token wins over an identity token, which wins
 * over a password, as docker's registry client decides.
 */
export function credentialsFromAuthConfig(config: AuthConfig): EngineCredentials | undefined {
  if (config.registrytoken) return { registryToken: config.registrytoken };
  if (config.identitytoken) return { identityToken: config.identitytoken, ...(config.username ? { username: config.username } : {}) };
  if (config.username) return { username: config.username, password: config.password ?? '' };
  return undefined;
}
