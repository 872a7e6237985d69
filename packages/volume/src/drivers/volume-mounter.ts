import { InternalError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import { isMountPoint } from '../internal/mount-table.js';
import type { LocalMountSpec } from './local-options.js';

/**
 * The OS boundary of the `local` driver: the only place that mounts and unmounts. The real
 * one runs `mount`/`umount` (root); tests of the driver's reference counting pass a
 * recording fake.
 */
export interface VolumeMounter {
  /** Mounts `spec` on the directory `target`. */
  mount(spec: LocalMountSpec, target: string): Promise<void>;
  /** Unmounts whatever is mounted on `target`. */
  unmount(target: string): Promise<void>;
  /** Whether something is mounted exactly on `target` (adopting mounts after a restart). */
  isMounted(target: string): Promise<boolean>;
}

/** Hides a CIFS password from an error message, as Docker does. */
function redact(text: string): string {
  return text.replace(/password=[^,\s]*/g, 'password=********');
}

/** The {@link VolumeMounter} of this host: `mount -t type -o o device target`, `umount target`. */
export function createSystemMounter(): VolumeMounter {
  return {
    async mount(spec, target) {
      const args = ['-t', spec.type, ...(spec.o ? ['-o', spec.o] : []), '--', spec.device, target];
      const result = await runProgram('mount', args);
      if (result.code !== 0) {
        throw new InternalError(`failed to mount local volume: mount ${redact(args.join(' '))}: ${redact(result.stderr.trim())}`, {
          details: { target },
        });
      }
    },
    async unmount(target) {
      const result = await runProgram('umount', ['--', target]);
      if (result.code !== 0 && (await isMountPoint(target))) {
        throw new InternalError(`failed to unmount local volume at ${target}: ${result.stderr.trim()}`, { details: { target } });
      }
    },
    isMounted: isMountPoint,
  };
}
