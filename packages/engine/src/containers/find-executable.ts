import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { processArgs, resolveInRoot } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import type { ContainerRecord } from './container-record.js';

async function isExecutableFile(rootfs: string, path: string): Promise<boolean> {
  try {
    const hostPath = await resolveInRoot(rootfs, path);
    const stats = await stat(hostPath);
    if (!stats.isFile()) return false;
    await access(hostPath, constants.X_OK);
    return true;
  } catch {
    return false;
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
  if (program.includes('/')) {
    const path = program.startsWith('/') ? program : `${record.config.workingDir || '/'}/${program}`;
    if (!(await isExecutableFile(rootfs, path))) {
      throw new InvalidArgumentError(`exec: "${program}": stat ${program}: no such file or directory`, { details: { program } });
    }
    return;
  }
  const pathEntry = record.config.env.find((entry) => entry.startsWith('PATH='));
  const directories = (pathEntry?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean);
  for (const directory of directories) {
    if (await isExecutableFile(rootfs, `${directory}/${program}`)) return;
  }
  throw new InvalidArgumentError(`exec: "${program}": executable file not found in $PATH`, { details: { program } });
}
