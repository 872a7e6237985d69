import type { CommandSpec } from '../command.js';
import { writeList } from '../format/list-format.js';
import { VOLUME_LAYOUT, volumeRow } from '../format/rows.js';
import { humanSize } from '../format/units.js';
import { confirm } from '../internal/confirm.js';
import { forEachTarget } from '../internal/report-error.js';
import { FILTER_FLAG, FORMAT_FLAG, flag } from './flag.js';
import { inspectCommandFor } from './inspect.js';
import { parseFilterFlags, parseKeyValues } from './parse-values.js';

const createVolume: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  flags: [
    flag('driver', 'string', 'Specify volume driver name', { short: 'd', defaultText: '"local"' }),
    flag('label', 'list', 'Set metadata for a volume'),
    flag('name', 'string', 'Specify volume name', { hidden: true }),
    flag('opt', 'list', 'Set driver specific options', { short: 'o', valueName: 'map' }),
  ],
  args: { min: 0, max: 1 },
  async run(context, flags, [positional]) {
    const name = positional ?? flags.string('name');
    const driver = flags.string('driver');
    const volume = await (await context.engine()).volumes.create({
      labels: parseKeyValues(flags.list('label')),
      driverOptions: parseKeyValues(flags.list('opt')),
      ...(name ? { name } : {}),
      ...(driver ? { driver } : {}),
    });
    context.stdout.write(`${volume.name}\n`);
    return 0;
  },
};

const listVolumes: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List volumes',
  flags: [FILTER_FLAG, FORMAT_FLAG, flag('quiet', 'boolean', 'Only display volume names', { short: 'q' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const { volumes, warnings } = await (await context.engine()).volumes.list({ filters: parseFilterFlags(flags.list('filter')) });
    for (const warning of warnings) context.stderr.write(`WARNING: ${warning}\n`);
    const rows = [...volumes].sort((a, b) => a.name.localeCompare(b.name)).map(volumeRow);
    writeList(context.stdout, rows, flags.string('format'), VOLUME_LAYOUT, flags.bool('quiet'));
    return 0;
  },
};

const removeVolumes: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  flags: [flag('force', 'boolean', 'Force the removal of one or more volumes', { short: 'f' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      await engine.volumes.remove(target, { force: flags.bool('force') });
      return target;
    });
  },
};

const pruneVolumes: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  flags: [flag('all', 'boolean', 'Remove all unused volumes, not just anonymous ones', { short: 'a' }), flag('filter', 'list', 'Provide filter values (e.g. "label=<label>")', { valueName: 'filter' }), flag('force', 'boolean', 'Do not prompt for confirmation', { short: 'f' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const warning = flags.bool('all') ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!flags.bool('force') && !(await confirm(context, warning))) return 0;
    const filters = parseFilterFlags(flags.list('filter'));
    if (flags.bool('all')) filters.all = ['true'];
    const report = await (await context.engine()).volumes.prune({ filters });
    if (report.volumesDeleted.length > 0) context.stdout.write(`Deleted Volumes:\n${report.volumesDeleted.map((v) => `${v}\n`).join('')}\n`);
    context.stdout.write(`Total reclaimed space: ${humanSize(report.spaceReclaimed)}\n`);
    return 0;
  },
};

/** `volume create|ls|rm|inspect|prune`. */
export const volumeCommand: CommandSpec = {
  name: 'volume',
  usage: 'COMMAND',
  description: 'Manage volumes',
  subcommands: [createVolume, inspectCommandFor('volume', 'VOLUME'), listVolumes, pruneVolumes, removeVolumes],
};
