import type { ImageImportOptions } from '@berth/engine';
import { InvalidArgumentError } from '@berth/errdefs';

/** The runtime part of an image config, in the image config's names (`Cmd`, `Env`…). */
export type ImageRuntimeConfig = NonNullable<ImageImportOptions['changes']>;

/** The Dockerfile instructions `docker commit --change` and `docker import --change` accept. */
export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

/**
 * Applies the `changes` query values of `POST /commit` and `POST /images/create?fromSrc=` to
 * `base`: each value holds one or more Dockerfile lines (dockerd joins them with newlines and
 * parses them as a Dockerfile). Shell forms run under `/bin/sh -c`, as the builder does. Any
 * other instruction is `InvalidArgument` with dockerd's text.
 */
export function applyChangeInstructions(changes: readonly string[], base: ImageRuntimeConfig = {}): ImageRuntimeConfig {
  const config: Record<string, unknown> = { ...base };
  const lines = changes.join('\n').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = match[1]!.toUpperCase();
    const rest = match[2]!.trim();
    switch (instruction) {
      case 'CMD':
        config['Cmd'] = commandForm(rest);
        break;
      case 'ENTRYPOINT':
        config['Entrypoint'] = commandForm(rest);
        break;
      case 'ENV': {
        const env = [...((config['Env'] as string[] | undefined) ?? [])];
        for (const [key, value] of keyValues(rest, 'ENV')) {
          const index = env.findIndex((e) => e.split('=')[0] === key);
          if (index >= 0) env[index] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        config['Env'] = env;
        break;
      }
      case 'LABEL':
        config['Labels'] = { ...((config['Labels'] as Record<string, string> | undefined) ?? {}), ...Object.fromEntries(keyValues(rest, 'LABEL')) };
        break;
      case 'EXPOSE': {
        const ports = { ...((config['ExposedPorts'] as Record<string, object> | undefined) ?? {}) };
        for (const port of rest.split(/\s+/).filter((p) => p !== '')) ports[port.includes('/') ? port : `${port}/tcp`] = {};
        config['ExposedPorts'] = ports;
        break;
      }
      case 'VOLUME': {
        const volumes = { ...((config['Volumes'] as Record<string, object> | undefined) ?? {}) };
        const paths = rest.startsWith('[') ? jsonArray(rest) : rest.split(/\s+/);
        for (const path of paths.filter((p) => p !== '')) volumes[path] = {};
        config['Volumes'] = volumes;
        break;
      }
      case 'WORKDIR':
        config['WorkingDir'] = rest;
        break;
      case 'USER':
        config['User'] = rest;
        break;
      case 'STOPSIGNAL':
        config['StopSignal'] = rest;
        break;
      case 'ONBUILD':
        config['OnBuild'] = [...((config['OnBuild'] as string[] | undefined) ?? []), rest];
        break;
      default:
        throw new InvalidArgumentError(`${instruction} is not a valid change command`);
    }
  }
  return config as ImageRuntimeConfig;
}

function commandForm(rest: string): string[] {
  return rest.startsWith('[') ? jsonArray(rest) : ['/bin/sh', '-c', rest];
}

function jsonArray(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  } catch {
    // Not JSON: the builder then treats it as shell form, but for changes that is surely a typo.
  }
  throw new InvalidArgumentError(`invalid JSON array in change: ${text}`);
}

/** `k=v k2="v 2"`, or the legacy `k value with spaces` (one pair) when the first word has no `=`. */
function keyValues(rest: string, instruction: string): Array<[string, string]> {
  const first = rest.split(/\s+/)[0] ?? '';
  if (first !== '' && !first.includes('=')) {
    const value = rest.slice(first.length).trim();
    if (value === '') throw new InvalidArgumentError(`${instruction} names can not be blank`);
    return [[first, value]];
  }
  const pairs: Array<[string, string]> = [];
  for (const match of rest.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    let value = match[2]!;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    pairs.push([match[1]!, value]);
  }
  if (pairs.length === 0) throw new InvalidArgumentError(`${instruction} requires at least one argument`);
  return pairs;
}
