/**
 * Response headers of `GET`/`HEAD /_ping` (and, for `Api-Version` and `Ostype`, of every
 * response): clients read them to negotiate the API version and to learn about the daemon.
 */
export const PingHeaders = {
  /** The newest API version the daemon speaks, e.g. `1.47`. */
  apiVersion: 'Api-Version',
  /** The daemon's operating system: `linux`. */
  osType: 'Ostype',
  /** The default builder: `1` (classic) or `2` (BuildKit). */
  builderVersion: 'Builder-Version',
  /** `true` when experimental features are enabled, else `false`. */
  experimental: 'Docker-Experimental',
  /** Swarm state: `inactive`, `pending`, `error`, `locked`, `active/worker` or `active/manager`. */
  swarm: 'Swarm',
} as const;

/** What a daemon reports about itself in the ping headers. */
export interface PingInfo {
  apiVersion: string;
  osType: string;
  builderVersion?: '1' | '2';
  experimental: boolean;
  swarm?: string;
}

/**
 * The header set dockerd sends on `/_ping`, including its no-cache headers, so that clients
 * never see a cached answer after the daemon changed.
 */
export function pingResponseHeaders(info: PingInfo): Record<string, string> {
  const headers: Record<string, string> = {
    [PingHeaders.apiVersion]: info.apiVersion,
    [PingHeaders.osType]: info.osType,
    [PingHeaders.experimental]: String(info.experimental),
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  };
  if (info.builderVersion !== undefined) headers[PingHeaders.builderVersion] = info.builderVersion;
  if (info.swarm !== undefined) headers[PingHeaders.swarm] = info.swarm;
  return headers;
}

/**
 * Reads ping headers (case-insensitively, from `fetch` `Headers` or a plain record as node's
 * `IncomingMessage.headers`). Missing fields stay `undefined`: old daemons send fewer headers.
 */
export function parsePingHeaders(
  headers: { get(name: string): string | null } | Record<string, string | string[] | undefined>,
): Partial<PingInfo> {
  const read = (name: string): string | undefined => {
    if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const info: Partial<PingInfo> = {};
  const apiVersion = read(PingHeaders.apiVersion);
  if (apiVersion !== undefined) info.apiVersion = apiVersion;
  const osType = read(PingHeaders.osType);
  if (osType !== undefined) info.osType = osType;
  const builder = read(PingHeaders.builderVersion);
  if (builder === '1' || builder === '2') info.builderVersion = builder;
  const experimental = read(PingHeaders.experimental);
  if (experimental !== undefined) info.experimental = experimental.toLowerCase() === 'true';
  const swarm = read(PingHeaders.swarm);
  if (swarm !== undefined) info.swarm = swarm;
  return info;
}
