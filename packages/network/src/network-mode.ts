import { InvalidArgumentError } from '@berth/errdefs';

/**
 * How a container's network namespace is set up (`--network`): its own namespace on the default
 * bridge or a named network, the host's namespace, an isolated namespace with only loopback, or
 * the namespace of another container (`container:<id>`), which the engine joins by path.
 */
export type NetworkMode =
  | { kind: 'bridge' }
  | { kind: 'host' }
  | { kind: 'none' }
  | { kind: 'container'; container: string }
  | { kind: 'network'; network: string };

/** Parses docker's `--network` value (`default` means the default bridge). */
export function parseNetworkMode(text: string): NetworkMode {
  if (text === '' || text === 'default' || text === 'bridge') return { kind: 'bridge' };
  if (text === 'host') return { kind: 'host' };
  if (text === 'none') return { kind: 'none' };
  if (text.startsWith('container:')) {
    const container = text.slice('container:'.length);
    if (container === '') throw new InvalidArgumentError(`invalid network mode ${JSON.stringify(text)}: container name or id missing`);
    return { kind: 'container', container };
  }
  return { kind: 'network', network: text };
}

/** docker's text form of a mode (inverse of {@link parseNetworkMode}). */
export function formatNetworkMode(mode: NetworkMode): string {
  switch (mode.kind) {
    case 'container':
      return `container:${mode.container}`;
    case 'network':
      return mode.network;
    default:
      return mode.kind;
  }
}

/** Whether the container gets its own network namespace that Berth creates. */
export function ownsNetworkNamespace(mode: NetworkMode): boolean {
  return mode.kind === 'bridge' || mode.kind === 'network' || mode.kind === 'none';
}
