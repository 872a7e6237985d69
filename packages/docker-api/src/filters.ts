import { InvalidArgumentError } from '@berth/errdefs';

/**
 * A decoded `filters` query parameter: filter name → values (`{ label: ['a=b'], dangling: ['true'] }`).
 * Values keep the order they arrived in; a name maps to at least one value.
 */
export type Filters = Record<string, string[]>;

/**
 * The filter names each endpoint accepts at API v1.47, copied from dockerd. An endpoint
 * rejects any other name with `invalid filter '<name>'`.
 */
export const FILTER_KEYS = {
  containerList: [
    'ancestor', 'before', 'exited', 'expose', 'health', 'id', 'isolation', 'is-task', 'label',
    'name', 'network', 'publish', 'since', 'status', 'volume',
  ],
  containerPrune: ['label', 'label!', 'until'],
  imageList: ['before', 'dangling', 'label', 'reference', 'since', 'until'],
  imagePrune: ['dangling', 'label', 'label!', 'until'],
  imageSearch: ['is-automated', 'is-official', 'stars'],
  networkList: ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'],
  networkPrune: ['label', 'label!', 'until'],
  volumeList: ['dangling', 'driver', 'label', 'name'],
  volumePrune: ['all', 'label', 'label!'],
  events: [
    'config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin',
    'scope', 'secret', 'service', 'type', 'volume',
  ],
  buildPrune: ['description', 'id', 'inuse', 'parent', 'private', 'shared', 'type', 'until'],
} as const satisfies Record<string, readonly string[]>;

/** An endpoint with a fixed set of filter names: a key of {@link FILTER_KEYS}. */
export type FilterEndpoint = keyof typeof FILTER_KEYS;

/**
 * dockerd's `invalid filter` message: `invalid filter 'name'`, or with values
 * `invalid filter 'name=[a b]'` (Go's `%s` of a string slice), or bare `invalid filter`.
 */
export function invalidFilterMessage(name?: string, values?: readonly string[]): string {
  if (name === undefined || name === '') return 'invalid filter';
  const shown = values === undefined ? name : `${name}=[${values.join(' ')}]`;
  return `invalid filter '${shown}'`;
}

/**
 * Decodes the `filters` query parameter. dockerd accepts two JSON forms and so does this:
 * `{"label": {"a=b": true}}` (what the docker CLI sends, `map[string]map[string]bool`) and the
 * older `{"label": ["a=b"]}` (`map[string][]string`, sent by docker-py and others). An absent
 * or empty parameter is no filter. Anything else throws `InvalidArgumentError('invalid filter')`.
 *
 * In the map form every key counts as a value, whatever its boolean, as dockerd's `Args.Get` does.
 */
export function parseFilters(raw: string | null | undefined): Filters {
  if (raw === null || raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new InvalidArgumentError(invalidFilterMessage(), { cause });
  }
  // Go decodes JSON `null` into an empty map.
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError(invalidFilterMessage());
  const filters: Filters = {};
  for (const [name, value] of Object.entries(parsed)) {
    const values = filterValues(value);
    if (values === undefined) throw new InvalidArgumentError(invalidFilterMessage());
    if (values.length > 0) filters[name] = [...new Set([...(filters[name] ?? []), ...values])];
  }
  return filters;
}

function filterValues(value: unknown): string[] | undefined {
  if (value === null) return [];
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.every(([, flag]) => typeof flag === 'boolean') ? entries.map(([key]) => key) : undefined;
  }
  return undefined;
}

/**
 * Encodes filters in the form the docker CLI sends (`{"label":{"a=b":true}}`), which every
 * dockerd since API 1.22 reads. Names without values are left out; no filters → `undefined`
 * (send no parameter at all).
 */
export function encodeFilters(filters: Readonly<Record<string, readonly string[]>>): string | undefined {
  const wire: Record<string, Record<string, true>> = {};
  for (const [name, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    wire[name] = Object.fromEntries(values.map((value) => [value, true] as const));
  }
  return Object.keys(wire).length === 0 ? undefined : JSON.stringify(wire);
}

/**
 * Throws `InvalidArgumentError` with `invalid filter '<name>'` for the first filter name that
 * `endpoint` does not accept (a key of {@link FILTER_KEYS}, or an explicit list of names).
 */
export function validateFilters(filters: Filters, endpoint: FilterEndpoint | readonly string[]): void {
  const accepted: readonly string[] = typeof endpoint === 'string' ? FILTER_KEYS[endpoint] : endpoint;
  for (const name of Object.keys(filters)) {
    if (!accepted.includes(name)) throw new InvalidArgumentError(invalidFilterMessage(name));
  }
}

/** {@link parseFilters} then {@link validateFilters}: what an endpoint does with its `filters` parameter. */
export function parseEndpointFilters(raw: string | null | undefined, endpoint: FilterEndpoint | readonly string[]): Filters {
  const filters = parseFilters(raw);
  validateFilters(filters, endpoint);
  // Every endpoint with `dangling` reads it as a boolean and refuses other values (`dangling=maybe`).
  if (filters['dangling'] !== undefined) booleanFilter(filters, 'dangling', false);
  return filters;
}

/**
 * A boolean filter (`dangling`, `is-official`, `all`…), as dockerd's `GetBoolOrDefault`: absent →
 * `defaultValue`; values among `true`/`1` → true, among `false`/`0` → false (case-sensitive);
 * anything else, or both kinds at once, throws `invalid filter 'name=[values]'`.
 */
export function booleanFilter(filters: Filters, name: string, defaultValue: boolean): boolean {
  const values = filters[name];
  if (values === undefined) return defaultValue;
  const isTrue = values.includes('true') || values.includes('1');
  const isFalse = values.includes('false') || values.includes('0');
  if (isTrue === isFalse) throw new InvalidArgumentError(invalidFilterMessage(name, values));
  return isTrue;
}
