import { InvalidArgumentError } from '@berth/errdefs';

/**
 * A boolean query parameter read as dockerd's `httputils.BoolValue`: empty, `0`, `no`, `false`
 * and `none` (trimmed, any case) are false; any other value is true. Absent is false.
 */
export function queryBoolean(value: string | null | undefined): boolean {
  const normalized = (value ?? '').trim().toLowerCase();
  return !(normalized === '' || normalized === '0' || normalized === 'no' || normalized === 'false' || normalized === 'none');
}

/**
 * A boolean query parameter with a default for when it is absent or empty, as dockerd's
 * `httputils.BoolValueOrDefault`.
 */
export function queryBooleanOrDefault(value: string | null | undefined, defaultValue: boolean): boolean {
  return value === null || value === undefined || value === '' ? defaultValue : queryBoolean(value);
}

/**
 * An integer query parameter (`t`, `tail`, `since`…) as dockerd's `strconv.Atoi`/`ParseInt`:
 * absent or empty → `defaultValue`; anything not a base-10 integer throws `InvalidArgumentError`
 * naming the parameter.
 */
export function queryInteger(name: string, value: string | null | undefined, defaultValue: number): number;
export function queryInteger(name: string, value: string | null | undefined): number | undefined;
export function queryInteger(name: string, value: string | null | undefined, defaultValue?: number): number | undefined {
  if (value === null || value === undefined || value === '') return defaultValue;
  if (!/^[+-]?\d+$/.test(value)) {
    throw new InvalidArgumentError(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  const parsed = Number.parseInt(value, 10);
  // Go's int64 would overflow where a double stops being exact: refuse both, as ParseInt does.
  if (!Number.isSafeInteger(parsed)) {
    throw new InvalidArgumentError(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  }
  return parsed;
}
