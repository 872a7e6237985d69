import { InvalidArgumentError } from '@berth/errdefs';

/** A filesystem the `local` driver mounts on a volume's data directory (`mount -t type -o o device`). */
export interface LocalMountSpec {
  /** Filesystem type: `tmpfs`, `none` (with `o=bind`), `nfs`, `ext4` … */
  type: string;
  /** What to mount: `tmpfs`, a host path for bind mounts, a block device, `:/export` … */
  device: string;
  /** Comma-separated mount options (`size=64m,uid=1000`, `bind`); may be empty. */
  o: string;
}

const validOptions = ['type', 'o', 'device', 'size'];
/** Docker's rule: an option requires others (`o` alone means nothing to mount). */
const requiredWith: [string, string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/**
 * Validates the options of Docker's `local` driver and returns the mount they describe,
 * or `undefined` for a plain directory volume. Errors (`InvalidArgument`) carry Docker's
 * messages: `invalid option: "x"`, `missing required option: "type"`. `size` (an XFS
 * project quota in Docker) is accepted only as zero: this driver has no quota support.
 */
export function parseLocalVolumeOptions(options: Record<string, string>): LocalMountSpec | undefined {
  const keys = Object.keys(options);
  if (keys.length === 0) return undefined;
  for (const key of keys) {
    if (!validOptions.includes(key)) throw new InvalidArgumentError(`invalid option: ${JSON.stringify(key)}`);
  }
  if (options.size !== undefined && parseSize(options.size) > 0) {
    throw new InvalidArgumentError('quota size requested but no quota support');
  }
  for (const [key, required] of requiredWith) {
    if (options[key] === undefined) continue;
    for (const other of required) {
      if (options[other] === undefined) throw new InvalidArgumentError(`missing required option: ${JSON.stringify(other)}`);
    }
  }
  if (options.type === undefined || options.device === undefined) return undefined;
  const spec: LocalMountSpec = { type: options.type, device: options.device, o: options.o ?? '' };
  if (isBindMount(spec) && !spec.device.startsWith('/')) {
    throw new InvalidArgumentError(`invalid device for a bind volume: ${JSON.stringify(spec.device)} is not an absolute path`);
  }
  return spec;
}

/** Whether the spec bind-mounts a host directory (`type=none,o=bind,device=/path`). */
export function isBindMount(spec: LocalMountSpec): boolean {
  return spec.o.split(',').some((option) => option === 'bind' || option === 'rbind');
}

/** Parses a RAM size as Docker's `units.RAMInBytes` does: `64m`, `1g`, `512k`, `100` (binary units). */
function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid size: '${text}'`);
  const power = ' kmgtp'.indexOf((match[2] || ' ').toLowerCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}
