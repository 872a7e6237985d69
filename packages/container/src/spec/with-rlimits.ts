import type { Ulimit } from '../config/container-config.js';
import { processOf, type SpecOption } from './spec-option.js';

/**
 * Stands for `RLIM_INFINITY` (2^64 − 1) in a spec object. JavaScript numbers (and the
 * spec schema's safe integers) cannot hold 2^64 − 1, so the largest safe integer marks
 * "unlimited" — no real limit is 2^53 − 1 — and `serializeRuntimeSpec` writes it as the
 * exact 18446744073709551615 runc expects.
 */
export const RLIM_INFINITY = Number.MAX_SAFE_INTEGER;

/**
 * Sets the process's resource limits to `ulimits` (`nofile` → `RLIMIT_NOFILE`, -1 →
 * unlimited). With no ulimits nothing is set, so the container inherits the engine's
 * limits: asking runc for limits above the engine's own hard limit fails without
 * CAP_SYS_RESOURCE, and docker's defaults are the daemon's limits anyway.
 */
export function withRlimits(ulimits: readonly Ulimit[]): SpecOption {
  return (spec) => {
    const process = processOf(spec);
    if (ulimits.length === 0) {
      delete process.rlimits;
      return;
    }
    process.rlimits = ulimits.map((u) => ({
      type: `RLIMIT_${u.name.toUpperCase()}`,
      soft: u.soft === -1 ? RLIM_INFINITY : u.soft,
      hard: u.hard === -1 ? RLIM_INFINITY : u.hard,
    }));
  };
}
