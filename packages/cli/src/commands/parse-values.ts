import { InvalidArgumentError } from '@berth/errdefs';

/** `-f key=value` flags as the engine's filter map (`{ status: ['running'] }`). */
export function parseFilterFlags(values: readonly string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`bad format of filter (expected name=value)`);
    (filters[value.slice(0, eq).trim().toLowerCase()] ??= []).push(value.slice(eq + 1).trim());
  }
  return filters;
}

/** `KEY=value` flags (labels, driver options) as a record; `KEY` alone is `KEY=''`. */
export function parseKeyValues(values: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq === 0) throw new InvalidArgumentError(`invalid argument "${value}": key cannot be empty`);
    if (eq === -1) record[value] = '';
    else record[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return record;
}

/** docker's `RAMInBytes`: `512m`, `1g`, `1024k`, `100b`, plain bytes; units are binary. */
export function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid size: '${text}'`);
  const power = ['', 'k', 'm', 'g', 't', 'p'].indexOf(match[2]!.toLowerCase());
  return Math.round(Number(match[1]) * 1024 ** power);
}

/** A whole number flag (`--tail 10`, `-t 5`); docker's message otherwise. */
export function parseInteger(text: string, flagName: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError(`invalid argument "${text}" for "--${flagName}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/**
 * docker's time flags (`--since`, `--until`): RFC 3339 dates, Unix timestamps, or a
 * duration before now (`10m`, `1h30m`, `45s`).
 */
export function parseTimeFlag(text: string, now: Date): Date {
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  const duration = parseDuration(text);
  if (duration !== undefined) return new Date(now.getTime() - duration);
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`invalid value for "since/until": ${text}`);
  return date;
}

/** Go durations (`1h30m`, `500ms`, `10s`) in milliseconds; `undefined` if not one. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}
