import { InvalidArgumentError } from '@berth/errdefs';

/** The oldest API version berthd serves, as dockerd 27 does (`/v1.24/...`). */
export const MIN_API_VERSION = '1.24';
/** The newest API version berthd serves: the version of `reference/docker-engine-api-v1.47.yaml`. */
export const MAX_API_VERSION = '1.47';
/** The version a request without a `/vX.Y` prefix is served at: the newest, as dockerd does. */
export const DEFAULT_API_VERSION = MAX_API_VERSION;

/** A request path split into its optional `/vX.Y` prefix and the route after it. */
export interface VersionedPath {
  /** The version from the prefix (`'1.43'`), or `undefined` when the path has none. */
  version: string | undefined;
  /** The path without the prefix (`'/containers/json'`). */
  path: string;
}

// dockerd's router matches `/v{version:[0-9.]+}`; anything else is part of the route.
const versionPrefix = /^\/v([0-9.]+)(?=\/|$)/;

/**
 * Splits `/v1.43/containers/json` into `{ version: '1.43', path: '/containers/json' }`.
 * A path without a version prefix keeps `version: undefined`; the version is not checked here
 * (see {@link checkApiVersion}).
 */
export function parseApiVersion(path: string): VersionedPath {
  const match = versionPrefix.exec(path);
  if (match === null) return { version: undefined, path };
  const rest = path.slice(match[0].length);
  return { version: match[1], path: rest === '' ? '/' : rest };
}

/**
 * The version a request is served at: `version`, or {@link DEFAULT_API_VERSION} when absent.
 * Throws `InvalidArgumentError` (HTTP 400) with dockerd's exact text when it is outside
 * {@link MIN_API_VERSION}…{@link MAX_API_VERSION}.
 */
export function checkApiVersion(version: string | undefined): string {
  const effective = version === undefined || version === '' ? DEFAULT_API_VERSION : version;
  if (apiVersionLessThan(effective, MIN_API_VERSION)) {
    throw new InvalidArgumentError(
      `client version ${effective} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (apiVersionGreaterThan(effective, MAX_API_VERSION)) {
    throw new InvalidArgumentError(
      `client version ${effective} is too new. Maximum supported API version is ${MAX_API_VERSION}`,
    );
  }
  return effective;
}

/**
 * Compares two API versions the way docker's `api/types/versions.compare` does: dot-separated
 * parts compared as integers, missing or non-numeric parts count as 0. Returns -1, 0 or 1.
 */
export function compareApiVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = versionPart(left[i]);
    const r = versionPart(right[i]);
    if (l > r) return 1;
    if (l < r) return -1;
  }
  return 0;
}

function versionPart(part: string | undefined): number {
  // Go's strconv.Atoi: an unparsable part is 0.
  if (part === undefined || !/^[+-]?\d+$/.test(part)) return 0;
  return Number.parseInt(part, 10);
}

/** `a < b` in API version order (`'1.9' < '1.10'`). */
export function apiVersionLessThan(a: string, b: string): boolean {
  return compareApiVersions(a, b) < 0;
}

/** `a > b` in API version order. */
export function apiVersionGreaterThan(a: string, b: string): boolean {
  return compareApiVersions(a, b) > 0;
}

/** `a >= b` in API version order: "does this request's version have the feature added in `b`?". */
export function apiVersionAtLeast(a: string, b: string): boolean {
  return compareApiVersions(a, b) >= 0;
}

/**
 * The version a client should speak after pinging a server, as docker's client negotiates:
 * the lower of the server's `Api-Version` header and the client's own maximum; a server that
 * sends no header is assumed to speak 1.24.
 */
export function negotiateApiVersion(serverVersion: string | undefined, clientMaximum: string = MAX_API_VERSION): string {
  const server = serverVersion === undefined || serverVersion === '' ? MIN_API_VERSION : serverVersion;
  return apiVersionLessThan(server, clientMaximum) ? server : clientMaximum;
}
