import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename, dirname, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, isNotFound } from '@berth/errdefs';
import type { CommandSpec } from '../command.js';
import { flag } from './flag.js';

/** `CONTAINER:PATH` split, or `undefined` for a local path (`./a:b` and `/a:b` are local, as docker's). */
function containerPath(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const colon = arg.indexOf(':');
  if (colon <= 0) return undefined;
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) || '/' };
}

/** Runs GNU tar with `args`, feeding or reading the archive through its stdio. */
function runTar(args: string[], input?: Readable): { output: Readable; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  if (input) input.pipe(child.stdin!);
  // Piped into our own stream at once: when a child exits, Node resumes (drains and drops)
  // stdio streams nobody listens to yet — and the engine starts reading the archive only
  // after it has taken its hold on the container, which can be after a small tar is done.
  const output = child.stdout!.pipe(new PassThrough());
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new InvalidArgumentError(`tar: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new InvalidArgumentError(`tar ${args.join(' ')}: ${stderr.trim() || `exit ${code}`}`))));
  });
  return { output, done };
}

/**
 * `cp`: between a container and the host, docker's rules for the common cases — into an
 * existing directory keeps the name, otherwise the copy takes the destination's name; `-`
 * reads or writes a tar stream. The host side is packed and unpacked by GNU tar.
 */
export const cpCommand: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n  berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  flags: [flag('archive', 'boolean', 'Archive mode (copy all uid/gid information)', { short: 'a' }), flag('follow-link', 'boolean', 'Always follow symbol link in SRC_PATH', { short: 'L' }), flag('quiet', 'boolean', 'Suppress progress output during copy', { short: 'q' })],
  args: { min: 2, max: 2 },
  async run(context, _flags, [source, destination]) {
    const engine = await context.engine();
    const from = containerPath(source!);
    const to = containerPath(destination!);
    if ((from && to) || (!from && !to)) throw new InvalidArgumentError('copying between containers is not supported; one of the paths must be local and one a CONTAINER:PATH');
    if (from) {
      const { archive, stat: pathStat } = await engine.containers.getArchive(from.container, from.path);
      if (destination === '-') {
        await pipeline(archive, context.stdout, { end: false });
        return 0;
      }
      const target = destination!;
      const isDir = await stat(target).then((s) => s.isDirectory()).catch(() => false);
      const args = isDir ? ['-x', '-C', target] : ['-x', '-C', dirname(target), `--transform=s,^${escapePattern(pathStat.name)},${escapeReplacement(basename(target))},`];
      const tar = runTar(args, archive);
      tar.output.resume();
      await tar.done;
      return 0;
    }
    const target = to!;
    if (source === '-') {
      await engine.containers.putArchive(target.container, target.path, context.stdin as Readable);
      return 0;
    }
    const targetIsDir = await engine.containers.statPath(target.container, target.path).then((s) => (s.mode & 0x80000000) !== 0 || (s.mode & 0o170000) === 0o040000, (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    });
    if (!targetIsDir && target.path.endsWith('/')) throw new InvalidArgumentError(`Could not find the file ${target.path} in container ${target.container}: no such directory`);
    const name = basename(source!);
    const args = ['-c', '-C', dirname(source!), ...(targetIsDir ? [] : [`--transform=s,^${escapePattern(name)},${escapeReplacement(posix.basename(target.path))},`]), name];
    const tar = runTar(args);
    await Promise.all([engine.containers.putArchive(target.container, targetIsDir ? target.path : posix.dirname(target.path), tar.output), tar.done]);
    return 0;
  },
};

/** A literal for the pattern of tar's `--transform` (a sed expression delimited by `,`). */
function escapePattern(text: string): string {
  return text.replace(/[\\,.*[\]^$]/g, (c) => `\\${c}`);
}

/** A literal for the replacement of tar's `--transform`. */
function escapeReplacement(text: string): string {
  return text.replace(/[\\,&]/g, (c) => `\\${c}`);
}
