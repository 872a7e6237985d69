import type { FlagKind, FlagSpec } from '../command.js';

/** Shorthand for a {@link FlagSpec}: `flag('publish', 'list', 'Publish a port', { short: 'p' })`. */
export function flag(name: string, kind: FlagKind, description: string, extra: Partial<FlagSpec> = {}): FlagSpec {
  return { name, kind, description, ...(kind === 'list' ? { valueName: 'list' } : kind === 'string' ? { valueName: 'string' } : {}), ...extra };
}

/** docker's `--format` flag of listings. */
export const FORMAT_FLAG = flag('format', 'string', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template", { valueName: 'string' });
/** docker's `-f/--filter` of listings. */
export const FILTER_FLAG = flag('filter', 'list', 'Filter output based on conditions provided', { short: 'f', valueName: 'filter' });
/** `-q/--quiet`: only IDs. */
export const QUIET_FLAG = flag('quiet', 'boolean', 'Only display IDs', { short: 'q' });
/** `--no-trunc`. */
export const NO_TRUNC_FLAG = flag('no-trunc', 'boolean', "Don't truncate output");
