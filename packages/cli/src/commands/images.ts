import { createReadStream, createWriteStream } from 'node:fs';
import { type Readable, Writable } from 'node:stream';
import { InvalidArgumentError } from '@berth/errdefs';
import type { ImageConfig } from '@berth/spec';
import type { CommandSpec } from '../command.js';
import { writeList } from '../format/list-format.js';
import { IMAGE_LAYOUT, imageRows } from '../format/rows.js';
import { humanSize, shortId, timeAgo, ellipsis } from '../format/units.js';
import { forEachTarget } from '../internal/report-error.js';
import { FILTER_FLAG, FORMAT_FLAG, NO_TRUNC_FLAG, QUIET_FLAG, flag } from './flag.js';
import { parseFilterFlags } from './parse-values.js';
import { pullImage, pushImage } from './pull-image.js';

/** `pull NAME[:TAG|@DIGEST]` with docker's progress. */
export const pullCommand: CommandSpec = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  flags: [
    flag('all-tags', 'boolean', 'Download all tagged images in the repository', { short: 'a', hidden: true }),
    flag('platform', 'string', 'Set platform if server is multi-platform capable'),
    flag('quiet', 'boolean', 'Suppress verbose output', { short: 'q' }),
  ],
  args: { min: 1, max: 1 },
  async run(context, flags, [reference]) {
    const platform = flags.string('platform');
    await pullImage(context, await context.engine(), reference!, { quiet: flags.bool('quiet'), ...(platform ? { platform } : {}) });
    return 0;
  },
};

/** `push NAME[:TAG]`. */
export const pushCommand: CommandSpec = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  flags: [flag('quiet', 'boolean', 'Suppress verbose output', { short: 'q' })],
  args: { min: 1, max: 1 },
  async run(context, flags, [reference]) {
    await pushImage(context, await context.engine(), reference!, { quiet: flags.bool('quiet') });
    return 0;
  },
};

/** `images [REPOSITORY[:TAG]]`. */
export const imagesCommand: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  flags: [
    flag('all', 'boolean', 'Show all images (default hides intermediate images)', { short: 'a' }),
    flag('digests', 'boolean', 'Show digests'),
    FILTER_FLAG,
    FORMAT_FLAG,
    NO_TRUNC_FLAG,
    flag('quiet', 'boolean', 'Only show image IDs', { short: 'q' }),
  ],
  args: { min: 0, max: 1 },
  async run(context, flags, [reference]) {
    const filters = parseFilterFlags(flags.list('filter'));
    if (reference !== undefined) (filters.reference ??= []).push(reference);
    const images = await (await context.engine()).images.list({ filters, all: flags.bool('all') });
    const now = context.now();
    const truncate = !flags.bool('no-trunc');
    const sorted = [...images].sort((a, b) => b.created.getTime() - a.created.getTime());
    if (flags.bool('quiet') && !flags.has('format')) {
      // One line per image, not per tag, as docker's -q.
      for (const id of new Set(sorted.map((image) => (truncate ? shortId(image.id) : image.id)))) context.stdout.write(`${id}\n`);
      return 0;
    }
    const rows = sorted.flatMap((image) => imageRows(image, now, { truncate }));
    const layout = flags.bool('digests') ? { ...IMAGE_LAYOUT, table: 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}' } : IMAGE_LAYOUT;
    writeList(context.stdout, rows, flags.string('format'), layout);
    return 0;
  },
};

/** `tag SOURCE TARGET`. */
export const tagCommand: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  async run(context, _flags, [source, target]) {
    await (await context.engine()).images.tag(source!, target!);
    return 0;
  },
};

/** `rmi`: `Untagged: …` and `Deleted: …` lines per image. */
export const rmiCommand: CommandSpec = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  flags: [flag('force', 'boolean', 'Force removal of the image', { short: 'f' }), flag('no-prune', 'boolean', 'Do not delete untagged parents')],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      const entries = await engine.images.remove(target, { force: flags.bool('force'), noPrune: flags.bool('no-prune') });
      return entries.map((entry) => ('untagged' in entry ? `Untagged: ${entry.untagged}` : `Deleted: ${entry.deleted}`)).join('\n') || undefined;
    });
  },
};

/** `save -o FILE IMAGE…` (or to stdout, refused on a terminal as docker). */
export const saveCommand: CommandSpec = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [flag('output', 'string', 'Write to a file, instead of STDOUT', { short: 'o' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const output = flags.string('output');
    if (output === undefined && context.stdout.isTTY) {
      context.stderr.write('cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
      return 1;
    }
    await (await context.engine()).images.save(args, output ?? nonClosing(context.stdout), { signal: context.signal });
    return 0;
  },
};

/** `load -i FILE` (or stdin). */
export const loadCommand: CommandSpec = {
  name: 'load',
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  flags: [flag('input', 'string', 'Read from tar archive file, instead of STDIN', { short: 'i' }), flag('quiet', 'boolean', 'Suppress the load output', { short: 'q' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const input = flags.string('input');
    if (input === undefined && (!context.stdin || context.stdin.isTTY)) {
      context.stderr.write('requested load from stdin, but stdin is empty\n');
      return 1;
    }
    const result = await (await context.engine()).images.load(input ?? (context.stdin as Readable), { signal: context.signal });
    for (const image of result.images) {
      if (image.repoTags.length === 0) context.stdout.write(`Loaded image ID: ${image.id}\n`);
      for (const tag of image.repoTags) context.stdout.write(`Loaded image: ${tag}\n`);
    }
    return 0;
  },
};

/** `import FILE|- [REPOSITORY[:TAG]]`: a rootfs tar as an image. */
export const importCommand: CommandSpec = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  flags: [flag('change', 'list', 'Apply Dockerfile instruction to the created image', { short: 'c' }), flag('message', 'string', 'Set commit message for imported image', { short: 'm' }), flag('platform', 'string', 'Set platform if server is multi-platform capable')],
  args: { min: 1, max: 2 },
  async run(context, flags, [file, reference]) {
    if (/^https?:\/\//.test(file!)) throw new InvalidArgumentError('importing from a URL is not supported by berth; download the file first');
    const source = file === '-' ? (context.stdin as Readable) : createReadStream(file!);
    const message = flags.string('message');
    const changes = parseChanges(flags.list('change'));
    const { id } = await (await context.engine()).images.import(source, {
      signal: context.signal,
      ...(reference ? { reference } : {}),
      ...(message ? { message } : {}),
      ...(changes ? { changes } : {}),
    });
    context.stdout.write(`${id}\n`);
    return 0;
  },
};

/** `history IMAGE`. */
export const historyCommand: CommandSpec = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  flags: [flag('human', 'boolean', 'Print sizes and dates in human readable format', { short: 'H', defaultText: 'true' }), FORMAT_FLAG, NO_TRUNC_FLAG, QUIET_FLAG],
  args: { min: 1, max: 1 },
  async run(context, flags, [reference]) {
    const entries = await (await context.engine()).images.history(reference!);
    const now = context.now();
    const truncate = !flags.bool('no-trunc');
    const rows = entries.map((entry) => ({
      ID: truncate && entry.id !== '<missing>' ? shortId(entry.id) : entry.id,
      CreatedSince: timeAgo(entry.created, now),
      CreatedAt: entry.created.toISOString(),
      CreatedBy: truncate ? ellipsis(entry.createdBy, 45) : entry.createdBy,
      Size: humanSize(entry.size),
      Comment: entry.comment,
    }));
    writeList(context.stdout, rows, flags.string('format'), {
      table: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY' },
      quietField: 'ID',
    }, flags.bool('quiet'));
    return 0;
  },
};

/** `export -o FILE CONTAINER` (or stdout). */
export const exportCommand: CommandSpec = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  flags: [flag('output', 'string', 'Write to a file, instead of STDOUT', { short: 'o' })],
  args: { min: 1, max: 1 },
  async run(context, flags, [target]) {
    const output = flags.string('output');
    if (output === undefined && context.stdout.isTTY) {
      context.stderr.write('cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
      return 1;
    }
    await (await context.engine()).containers.export(target!, output ? createWriteStream(output) : nonClosing(context.stdout));
    return 0;
  },
};

/** `commit CONTAINER [REPOSITORY[:TAG]]`. */
export const commitCommand: CommandSpec = {
  name: 'commit',
  usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  description: "Create a new image from a container's changes",
  flags: [
    flag('author', 'string', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', { short: 'a' }),
    flag('change', 'list', 'Apply Dockerfile instruction to the created image', { short: 'c' }),
    flag('message', 'string', 'Commit message', { short: 'm' }),
    flag('pause', 'boolean', 'Pause container during commit', { short: 'p', defaultText: 'true' }),
  ],
  args: { min: 1, max: 2 },
  async run(context, flags, [target, reference]) {
    const author = flags.string('author');
    const message = flags.string('message');
    const changes = parseChanges(flags.list('change'));
    const { id } = await (await context.engine()).containers.commit(target!, {
      pause: flags.has('pause') ? flags.bool('pause') : true,
      ...(reference ? { reference } : {}),
      ...(author ? { author } : {}),
      ...(message ? { comment: message } : {}),
      ...(changes ? { changes } : {}),
    });
    context.stdout.write(`${id}\n`);
    return 0;
  },
};

type ImageChanges = NonNullable<ImageConfig['config']>;

/** `--change 'CMD ["sh"]'`, `ENV A=1`, `WORKDIR /x`, `ENTRYPOINT`, `USER`, `EXPOSE`, `LABEL`, `STOPSIGNAL` as image config fields. */
function parseChanges(lines: readonly string[]): ImageChanges | undefined {
  if (lines.length === 0) return undefined;
  const config: Record<string, unknown> = {};
  const words = (text: string): string[] => (text.trim().startsWith('[') ? (JSON.parse(text) as string[]) : ['/bin/sh', '-c', text.trim()]);
  for (const line of lines) {
    const match = /^\s*(\w+)\s+(.*)$/s.exec(line);
    if (!match) throw new InvalidArgumentError(`dockerfile parse error: ${line}`);
    const [, instruction, rest] = match as unknown as [string, string, string];
    switch (instruction.toUpperCase()) {
      case 'CMD':
        config.Cmd = words(rest);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = words(rest);
        break;
      case 'ENV':
        config.Env = [...((config.Env as string[]) ?? []), rest.includes('=') ? rest.trim() : rest.trim().replace(/\s+/, '=')];
        break;
      case 'WORKDIR':
        config.WorkingDir = rest.trim();
        break;
      case 'USER':
        config.User = rest.trim();
        break;
      case 'STOPSIGNAL':
        config.StopSignal = rest.trim();
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...((config.ExposedPorts as object) ?? {}), ...Object.fromEntries(rest.trim().split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
        break;
      case 'LABEL': {
        const [key, ...value] = rest.trim().split('=');
        config.Labels = { ...((config.Labels as object) ?? {}), [key!]: value.join('=').replace(/^"|"$/g, '') };
        break;
      }
      default:
        throw new InvalidArgumentError(`${instruction} is not a valid change command`);
    }
  }
  return config as ImageChanges;
}

/** stdout as an archive target: the engine ends the target stream when done, which must not close our stdout. */
function nonClosing(out: Writable): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (out.write(chunk)) callback();
      else out.once('drain', () => callback());
    },
    final(callback) {
      callback();
    },
  });
}
