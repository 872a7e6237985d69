import { z } from 'zod';

/**
 * A JSON number that must be integral, as Go's `encoding/json` demands for `int`/`int64`/`uint64`
 * fields (`1.5` is rejected with "cannot unmarshal number"). Unlike `z.int()` it does not cap the
 * value at 2^53: docker sends `timeNano` and `uint64` counters far beyond it, and `JSON.parse`
 * turns those into integral (if imprecise) numbers.
 */
export function goInteger(): z.ZodNumber {
  return z.number().refine(Number.isInteger, { message: 'Expected an integer' });
}

/**
 * Docker's `strslice.StrSlice` (`Cmd`, `Entrypoint`, `Shell`): the daemon accepts either a
 * single string or an array of strings, so clients send both.
 */
export function stringOrStringArray(): z.ZodUnion<[z.ZodString, z.ZodArray<z.ZodString>]> {
  return z.union([z.string(), z.array(z.string())]);
}
