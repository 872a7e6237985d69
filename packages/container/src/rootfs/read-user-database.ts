import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { InvalidArgumentError, isInvalidArgument } from '@berth/errdefs';
import { type UserDatabase, userDatabase } from '../config/user-database.js';
import { resolveInRoot } from './resolve-in-root.js';

/** /etc/passwd and /etc/group larger than this are refused rather than read into memory. */
const maxDatabaseBytes = 4 * 1024 * 1024;

async function readInRoot(root: string, path: string): Promise<string | undefined> {
  let hostPath: string;
  try {
    hostPath = await resolveInRoot(root, path);
  } catch (err) {
    // A link loop: the file cannot be read in the container either.
    if (isInvalidArgument(err)) return undefined;
    throw err;
  }
  let handle;
  try {
    // O_NOFOLLOW: the path was resolved inside the root; a link swapped in since is refused.
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    if (stats.size > maxDatabaseBytes) {
      throw new InvalidArgumentError(`${path} in the container is ${stats.size} bytes; refusing to read more than ${maxDatabaseBytes}`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads the user and group databases (/etc/passwd, /etc/group) of the root file system
 * at `root`, resolving the paths inside it (a container's `etc -> /etc` link cannot make
 * the host's files be read). Missing files count as empty.
 */
export async function readUserDatabase(root: string): Promise<UserDatabase> {
  const [passwd, group] = await Promise.all([readInRoot(root, '/etc/passwd'), readInRoot(root, '/etc/group')]);
  return userDatabase(passwd, group);
}
