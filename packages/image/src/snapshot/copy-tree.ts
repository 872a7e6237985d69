import { InternalError } from '@berth/errdefs';
import { runProgram } from '@berth/program';

/**
 * Copies the tree at `source` to `destination` (which must not exist yet) with GNU
 * `cp -a`: modes, owners, timestamps, symbolic links, hard links within the tree,
 * device nodes, FIFOs and extended attributes are kept — owners and privileged xattrs
 * only where the caller may set them (root), which `cp` then skips silently. Clones
 * blocks instead of copying them where the file system can (`--reflink=auto`). Node
 * itself cannot make device nodes or set xattrs, hence the program.
 */
export async function copyTree(source: string, destination: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const result = await runProgram('cp', ['-a', '--reflink=auto', '--no-target-directory', source, destination], {
    signal: options.signal,
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (result.code !== 0) {
    throw new InternalError(`copying ${source} to ${destination} failed: ${result.stderr.trim() || `cp exited ${result.code}`}`);
  }
}
