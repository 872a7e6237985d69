import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { AuthConfigSchema } from './generated/engine-api-schemas.js';
import type { AuthConfig } from './generated/engine-api-schemas.js';

/** The header carrying one registry's credentials on pull, push and image create. */
export const REGISTRY_AUTH_HEADER = 'X-Registry-Auth';
/** The header carrying credentials for every registry a build may pull from. */
export const REGISTRY_CONFIG_HEADER = 'X-Registry-Config';

/** Credentials per registry address (`https://index.docker.io/v1/`, `localhost:5000`…), as `X-Registry-Config` carries them. */
export type RegistryAuthConfigs = Record<string, AuthConfig>;

const RegistryAuthConfigsSchema = z.record(z.string(), AuthConfigSchema);

/**
 * Encodes credentials for `X-Registry-Auth`: JSON in URL-safe base64 with padding, as docker's
 * `registry.EncodeAuthConfig` writes it. Empty fields are left out, like Go's `omitempty`.
 */
export function encodeRegistryAuth(config: AuthConfig): string {
  return encodeBase64UrlJson(withoutEmptyFields(config));
}

/**
 * Decodes `X-Registry-Auth`. Absent or empty → no credentials (`{}`). The base64 may be URL-safe
 * (what docker sends) or standard, padded or not: old clients send either. Undecodable content
 * throws `InvalidArgumentError('invalid X-Registry-Auth header: …')`, which dockerd answers with 400.
 */
export function decodeRegistryAuth(header: string | null | undefined): AuthConfig {
  if (header === null || header === undefined || header.trim() === '') return {};
  const decoded = decodeBase64Json(header, REGISTRY_AUTH_HEADER);
  // Go decodes JSON `null` into an empty struct.
  if (decoded === null) return {};
  const result = AuthConfigSchema.safeParse(decoded);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${REGISTRY_AUTH_HEADER} header: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** Encodes `X-Registry-Config` for a build: a map of registry address → credentials. */
export function encodeRegistryConfig(configs: RegistryAuthConfigs): string {
  return encodeBase64UrlJson(
    Object.fromEntries(Object.entries(configs).map(([address, config]) => [address, withoutEmptyFields(config)])),
  );
}

/**
 * Decodes `X-Registry-Config`. Like dockerd, an invalid header is ignored (no credentials)
 * rather than failing the build: "for a pull it is not an error if no auth was given".
 */
export function decodeRegistryConfig(header: string | null | undefined): RegistryAuthConfigs {
  if (header === null || header === undefined || header.trim() === '') return {};
  try {
    const result = RegistryAuthConfigsSchema.safeParse(decodeBase64Json(header, REGISTRY_CONFIG_HEADER));
    return result.success ? result.data : {};
  } catch {
    return {};
  }
}

function withoutEmptyFields(config: AuthConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined && value !== null && value !== ''));
}

function encodeBase64UrlJson(value: unknown): string {
  // Go's base64.URLEncoding keeps the `=` padding; node's 'base64url' drops it.
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

function decodeBase64Json(header: string, headerName: string): unknown {
  const text = header.trim();
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(text)) {
    throw new InvalidArgumentError(`invalid ${headerName} header: not base64`);
  }
  // node's base64 decoder reads both alphabets and tolerates missing padding.
  const json = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(json) as unknown;
  } catch (cause) {
    throw new InvalidArgumentError(`invalid ${headerName} header: not JSON`, { cause });
  }
}
