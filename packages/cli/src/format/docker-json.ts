/**
 * The engine's camelCase documents in docker's PascalCase (`state.exitCode` →
 * `State.ExitCode`, `id` → `Id`), so `inspect` prints what docker users read and their
 * `--format '{{.State.Status}}'` templates work. Keys of maps (labels, options, ports,
 * endpoints by container…) are data, not fields, and stay as they are.
 */
export function toDockerJson(value: unknown): unknown {
  return convert(value, false);
}

const MAP_FIELDS = new Set([
  'labels',
  'options',
  'driverOptions',
  'portBindings',
  'ports',
  'networks',
  'containers',
  'tmpfs',
  'sysctls',
  'status',
  'exposedPorts',
  'volumes',
]);

const SPECIAL: Record<string, string> = { id: 'Id', ipv4Address: 'IPv4Address', ipv6Address: 'IPv6Address', enableIpv6: 'EnableIPv6', ipam: 'IPAM', macAddress: 'MacAddress', ipAddress: 'IPAddress', rootFs: 'RootFS' };

function convert(value: unknown, keysAreData: boolean): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map((item) => convert(item, false));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'function') continue;
    const name = keysAreData ? key : (SPECIAL[key] ?? key.charAt(0).toUpperCase() + key.slice(1));
    // A map's values are documents again (an endpoint, a port list): their fields convert.
    out[name] = convert(item, !keysAreData && MAP_FIELDS.has(key));
  }
  return out;
}
