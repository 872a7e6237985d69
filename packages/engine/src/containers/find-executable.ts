import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { processArgs, resolveInRoot } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import type { ContainerRecord } from './container-record.js';

async function isExecutableFile(rootfs: string, path: string): Promise<boolean> {
  return (await programStatus(rootfs, path)) === 'executable';
}

/** Whether `path` in the root is a program, something that cannot run (a directory, no `x` bit), or absent. */
async function programStatus(rootfs: string, path: string): Promise<'executable' | 'not-executable' | 'missing'> {
  let hostPath: string;
  try {
    hostPath = await resolveInRoot(rootfs, path);
    const stats = await stat(hostPath);
    if (!stats.isFile()) return 'not-executable';
  } catch {
    return 'missing';
  }
  try {
    await access(hostPath, constants.X_OK);
    return 'executable';
  } catch {
    return 'not-executable';
  }
}

/**
 * Checks, before the runtime is asked, that the container's program exists in its root
 * file system (looked up in the container's `PATH` when it has no `/`), with the messages
 * runc gives — so every runtime, the fake included, fails such a start the same way
 * (docker then records exit code 127). `InvalidArgument` when it does not.
 */
export async function checkExecutable(rootfs: string, record: ContainerRecord): Promise<void> {
  const [program] = processArgs(record.config);
  if (program === undefined) return;
  await checkProgram(rootfs, program, record.config.env, record.config.workingDir || '/');
}

/**
 * Checks that `program` exists in the root file system: a path (relative to `workingDir`)
 * as is, a bare name in the directories of the first `PATH=` of `env` (docker's default
 * path without one). `InvalidArgument`, with runc's message and exit code 127, when it
 * does not. Used for container starts and for execs.
 */
export async function checkProgram(rootfs: string, program: string, env: readonly string[], workingDir: string): Promise<void> {
  if (program.includes('/')) {
    const path = program.startsWith('/') ? program : `${workingDir || '/'}/${program}`;
    const status = await programStatus(rootfs, path);
    if (status === 'not-executable') {
      // runc's words; the docker CLI maps "permission denied" to exit code 126.
      throw new InvalidArgumentError(`exec: "${program}": permission denied`, { details: { program, exitCode: 126 } });
    }
    if (status === 'missing') {
      throw new InvalidArgumentError(`exec: "${program}": stat ${program}: no such file or directory`, { details: { program, exitCode: 127 } });
    }
    return;
  }
  const pathEntry = env.find((entry) => entry.startsWith('PATH='));
  const directories = (pathEntry?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean);
  for (const directory of directories) {
    if (await isExecutableFile(rootfs, `${directory}/${program}`)) return;
  }
  throw new InvalidArgumentError(`exec: "${program}": executable file not found in $PATH`, { details: { program, exitCode: 127 } });
}
