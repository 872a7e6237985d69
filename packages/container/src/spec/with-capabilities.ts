import type { SpecOption } from './spec-option.js';
import { processOf } from './spec-option.js';

/**
 * Gives the process exactly `capabilities` (`CAP_…` names, see `tweakCapabilities`) in
 * its bounding, effective and permitted sets — docker's way; the inheritable and ambient
 * sets stay empty.
 */
export function withCapabilities(capabilities: readonly string[]): SpecOption {
  return (spec) => {
    processOf(spec).capabilities = {
      bounding: [...capabilities],
      effective: [...capabilities],
      permitted: [...capabilities],
    };
  };
}
