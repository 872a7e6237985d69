import { InvalidArgumentError } from '@berth/errdefs';

/** Docker's filter arguments: values per key (`{ label: ['a=b'], dangling: ['true'] }`). */
export type VolumeFilters = Record<string, readonly string[]>;

/** Rejects keys outside `accepted` with Docker's message. */
export function checkFilterKeys(filters: VolumeFilters, accepted: readonly string[]): void {
  for (const key of Object.keys(filters)) {
    if (!accepted.includes(key)) throw new InvalidArgumentError(`Invalid filter '${key}'`);
  }
}

/**
 * The single boolean value of filter `key` (`true`/`1`/`false`/`0`, as Go's
 * `strconv.ParseBool`), or `undefined` when the filter is absent.
 */
export function booleanFilter(filters: VolumeFilters, key: string): boolean | undefined {
  const values = filters[key];
  if (values === undefined || values.length === 0) return undefined;
  const parsed = values.map((value) => {
    const lower = value.toLowerCase();
    if (['1', 't', 'true'].includes(lower)) return true;
    if (['0', 'f', 'false'].includes(lower)) return false;
    throw new InvalidArgumentError(`Invalid filter '${key}=${value}'`);
  });
  if (new Set(parsed).size > 1) throw new InvalidArgumentError(`Invalid filter '${key}': conflicting values`);
  return parsed[0];
}

/** Whether `labels` have every `key` or `key=value` of `wanted` (Docker's `label` filter). */
export function matchesLabels(labels: Record<string, string>, wanted: readonly string[]): boolean {
  return wanted.every((term) => {
    const [key, value] = splitTerm(term);
    if (!Object.hasOwn(labels, key)) return false;
    return value === undefined || labels[key] === value;
  });
}

/**
 * Whether `labels` avoid every term of `unwanted` (Docker's `label!` filter): `key` excludes
 * volumes having the label, `key=value` those having it with that value.
 */
export function avoidsLabels(labels: Record<string, string>, unwanted: readonly string[]): boolean {
  return unwanted.every((term) => {
    const [key, value] = splitTerm(term);
    if (!Object.hasOwn(labels, key)) return true;
    return value !== undefined && labels[key] !== value;
  });
}

function splitTerm(term: string): [string, string | undefined] {
  const at = term.indexOf('=');
  return at < 0 ? [term, undefined] : [term.slice(0, at), term.slice(at + 1)];
}
