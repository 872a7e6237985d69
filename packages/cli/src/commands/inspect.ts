import type { Engine } from '@berth/engine';
import { isNotFound } from '@berth/errdefs';
import type { CliContext, CommandSpec } from '../command.js';
import { toDockerJson } from '../format/docker-json.js';
import { writeObjects } from '../format/list-format.js';
import { errorText } from '../internal/report-error.js';
import { FORMAT_FLAG, flag } from './flag.js';

type ObjectType = 'container' | 'image' | 'network' | 'volume';

const FINDERS: Record<ObjectType, (engine: Engine, name: string, size: boolean) => Promise<unknown>> = {
  // `--size` measures containers only (docker ignores it for other types).
  container: (engine, name, size) => engine.containers.inspect(name, size ? { size } : undefined),
  image: (engine, name) => engine.images.inspect(name),
  network: (engine, name) => engine.networks.inspect(name),
  volume: (engine, name) => engine.volumes.inspect(name),
};

/**
 * Inspects each name as the given types in order (docker's `inspect` tries container,
 * image, network, volume); prints docker-cased JSON or the `--format` template per object.
 * With `size`, containers carry `SizeRw` and `SizeRootFs`.
 * Unknown names print `Error: No such object: x` and the status is 1.
 */
export async function inspectObjects(context: CliContext, names: readonly string[], types: readonly ObjectType[], format: string | undefined, size = false): Promise<number> {
  const engine = await context.engine();
  const found: unknown[] = [];
  let status = 0;
  for (const name of names) {
    let document: unknown;
    for (const type of types) {
      try {
        document = await FINDERS[type](engine, name, size);
        break;
      } catch (err) {
        if (!isNotFound(err)) {
          context.stderr.write(`${errorText(err)}\n`);
          status = 1;
          document = null;
          break;
        }
      }
    }
    if (document === undefined) {
      context.stderr.write(types.length === 1 ? `Error: No such ${types[0]}: ${name}\n` : `Error: No such object: ${name}\n`);
      status = 1;
    } else if (document !== null) found.push(toDockerJson(document));
  }
  if (found.length > 0 || format === undefined) writeObjects(context.stdout, found, format);
  return status;
}

/** A type's `inspect` subcommand (`network inspect`, `volume inspect`, `image inspect`, `container inspect`). */
export function inspectCommandFor(type: ObjectType, noun: string): CommandSpec {
  return {
    name: 'inspect',
    usage: `[OPTIONS] ${noun} [${noun}...]`,
    description: `Display detailed information on one or more ${type}s`,
    flags: [
      { ...FORMAT_FLAG, short: 'f', description: 'Format output using a custom template' },
      ...(type === 'container' ? [flag('size', 'boolean', 'Display total file sizes', { short: 's' })] : []),
    ],
    args: { min: 1 },
    run: (context, flags, args) => inspectObjects(context, args, [type], flags.string('format'), type === 'container' && flags.bool('size')),
  };
}

/** `inspect`: any object by name or ID. */
export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Docker objects',
  flags: [
    { ...FORMAT_FLAG, short: 'f', description: 'Format output using a custom template' },
    flag('size', 'boolean', 'Display total file sizes if the type is container', { short: 's' }),
    flag('type', 'string', 'Return JSON for specified type'),
  ],
  args: { min: 1 },
  async run(context, flags, args) {
    const type = flags.string('type');
    const all: ObjectType[] = ['container', 'image', 'network', 'volume'];
    if (type !== undefined && !all.includes(type as ObjectType)) {
      context.stderr.write(`"${type}" is not a valid value for --type\n`);
      return 1;
    }
    return inspectObjects(context, args, type ? [type as ObjectType] : all, flags.string('format'), flags.bool('size'));
  },
};
