import { InvalidArgumentError } from '@berth/errdefs';

/**
 * A time query parameter (`since`, `until` of logs and events) as dockerd's
 * `timetypes.GetTimestamp`: Unix seconds with optional fraction (`1700000000.123`), RFC 3339,
 * or a Go duration relative to now (`10m`, `1h30m`: that long ago). Empty → `undefined`.
 */
export function queryTime(name: string, value: string | null): Date | undefined {
  if (value === null || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return new Date(Math.round(Number.parseFloat(value) * 1000));
  const duration = parseGoDuration(value);
  if (duration !== undefined) return new Date(Date.now() - duration);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`invalid value for ${name}: ${JSON.stringify(value)} is not a timestamp`);
  return date;
}

/**
 * The `h` and `w` of a resize, as dockerd's `strconv.Atoi` of each: present ones must be
 * non-negative integers (a terminal has no negative size), else 400.
 */
export function queryTerminalSize(query: URLSearchParams): { height?: number; width?: number } {
  const read = (name: 'h' | 'w'): number | undefined => {
    const value = query.get(name);
    if (value === null || value === '') return undefined;
    if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`invalid value for ${name}: ${JSON.stringify(value.slice(0, 64))} is not a terminal size`);
    return Number.parseInt(value, 10);
  };
  const height = read('h');
  const width = read('w');
  return { ...(height !== undefined ? { height } : {}), ...(width !== undefined ? { width } : {}) };
}

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseGoDuration(value: string): number | undefined {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return undefined;
  return parts.reduce((total, p) => total + Number.parseFloat(p[1]!) * units[p[2]!]!, 0);
}
