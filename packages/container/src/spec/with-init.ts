import { processOf, type SpecOption } from './spec-option.js';

/** Where the init binary is mounted in the container (docker's path). */
export const CONTAINER_INIT_PATH = '/sbin/docker-init';

/**
 * Runs an init (catatonit, `hostInitPath` on the host) as PID 1 in front of the
 * process: it is bind-mounted read-only at `/sbin/docker-init` and the argv becomes
 * `/sbin/docker-init -- <args>`. Apply after the args are set.
 */
export function withInit(hostInitPath: string): SpecOption {
  return (spec) => {
    const process = processOf(spec);
    process.args = [CONTAINER_INIT_PATH, '--', ...(process.args ?? [])];
    spec.mounts = [
      ...(spec.mounts ?? []).filter((m) => m.destination !== CONTAINER_INIT_PATH),
      { destination: CONTAINER_INIT_PATH, type: 'bind', source: hostInitPath, options: ['bind', 'ro'] },
    ];
  };
}
