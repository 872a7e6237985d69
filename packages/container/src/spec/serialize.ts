import { RLIM_INFINITY } from './with-rlimits.js';
import type { RuntimeSpec } from '@berth/spec';

/**
 * The runtime spec as config.json text. Numbers JavaScript cannot hold exactly are
 * written exactly: the `RLIM_INFINITY` marker of rlimits (see `withRlimits`) becomes
 * 18446744073709551615, which runc reads as unlimited.
 */
export function serializeRuntimeSpec(spec: RuntimeSpec): string {
  const marker = new RegExp(`("(?:soft|hard)": )${RLIM_INFINITY}\\b`, 'g');
  return JSON.stringify(spec, null, 2).replace(marker, '$118446744073709551615');
}
