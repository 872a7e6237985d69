/**
 * docker's human units (go-units): `HumanDuration` for `2 minutes ago` and `Up 3 seconds`,
 * `HumanSizeWithPrecision(size, 3)` for decimal sizes (`4.26MB`), `BytesSize` for binary
 * ones (`1.5GiB`).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** `humanDuration(now - then) + ' ago'`, docker's CREATED column. */
export function timeAgo(then: Date, now: Date): string {
  return `${humanDuration(Math.max(0, now.getTime() - then.getTime()))} ago`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Decimal size with 3 significant digits: `4.26MB`, `512B`, `1kB`. */
export function humanSize(bytes: number): string {
  return scaled(bytes, 1000, DECIMAL_UNITS);
}

/** Binary size with 3 significant digits: `1.5GiB`. */
export function binarySize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS);
}

function scaled(bytes: number, base: number, units: readonly string[]): string {
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** docker's `stringid.TruncateID`: without the algorithm, 12 characters. */
export function shortId(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}

/** docker's `Ellipsis`: at most `max` characters, the last one `…` when cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}
