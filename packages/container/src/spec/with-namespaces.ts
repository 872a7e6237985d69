import type { LinuxNamespaceType } from '@berth/spec';
import { linuxOf, type SpecOption } from './spec-option.js';

/**
 * Gives the container a namespace of `type`: a new one, or with `path` (`/proc/<pid>/ns/net`,
 * a bind-mounted netns) an existing one it joins. Replaces an entry of the same type.
 */
export function withNamespace(type: LinuxNamespaceType, path?: string): SpecOption {
  return (spec) => {
    const linux = linuxOf(spec);
    const entry = path === undefined ? { type } : { type, path };
    const namespaces = linux.namespaces ?? [];
    const index = namespaces.findIndex((n) => n.type === type);
    if (index >= 0) namespaces[index] = entry;
    else namespaces.push(entry);
    linux.namespaces = namespaces;
  };
}

/** Shares the host's namespace of `type` (`--network host`, `--pid host`…): the entry is removed. */
export function withoutNamespace(type: LinuxNamespaceType): SpecOption {
  return (spec) => {
    const linux = linuxOf(spec);
    linux.namespaces = (linux.namespaces ?? []).filter((n) => n.type !== type);
  };
}

/** Places the container in cgroup `path` (relative to the cgroup mounts; e.g. `/berth/<id>`). */
export function withCgroupsPath(path: string): SpecOption {
  return (spec) => {
    linuxOf(spec).cgroupsPath = path;
  };
}

/** Adds annotations to the spec (runtime-visible metadata, e.g. for conmon or hooks). */
export function withAnnotations(annotations: Readonly<Record<string, string>>): SpecOption {
  return (spec) => {
    spec.annotations = { ...(spec.annotations ?? {}), ...annotations };
  };
}
