import { InternalError } from '@berth/errdefs';
import { type RuntimeSpec, runtimeSpecSchema } from '@berth/spec';

/**
 * One small change to a runtime spec draft (containerd's `SpecOpts`): `withUser(…)`,
 * `withMounts(…)`, `withResources(…)`… An option edits the draft it is given in place;
 * {@link buildRuntimeSpec} folds a list of them over a copy of the defaults. Options
 * are pure (no I/O): whatever they need from the host is passed in.
 */
export type SpecOption = (spec: RuntimeSpec) => void;

/**
 * Folds `options` in order over a deep copy of `base` and checks the result against the
 * runtime spec schema (`Internal` if an option produced an invalid spec: a bug here, not
 * bad input — inputs are validated before).
 */
export function buildRuntimeSpec(base: RuntimeSpec, options: readonly SpecOption[]): RuntimeSpec {
  const draft = structuredClone(base);
  for (const option of options) option(draft);
  const result = runtimeSpecSchema.safeParse(draft);
  if (!result.success) {
    throw new InternalError(`generated runtime spec is invalid: ${result.error.issues[0]?.message}`, { cause: result.error });
  }
  return result.data;
}

/** The `process` section of a draft, created when missing. */
export function processOf(spec: RuntimeSpec): NonNullable<RuntimeSpec['process']> {
  spec.process ??= { user: { uid: 0, gid: 0 }, cwd: '/' };
  return spec.process;
}

/** The `linux` section of a draft, created when missing. */
export function linuxOf(spec: RuntimeSpec): NonNullable<RuntimeSpec['linux']> {
  spec.linux ??= {};
  return spec.linux;
}

/** The `linux.resources` section of a draft, created when missing. */
export function resourcesOf(spec: RuntimeSpec): NonNullable<NonNullable<RuntimeSpec['linux']>['resources']> {
  const linux = linuxOf(spec);
  linux.resources ??= {};
  return linux.resources;
}
