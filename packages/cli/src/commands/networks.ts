import type { CommandSpec } from '../command.js';
import { writeList } from '../format/list-format.js';
import { NETWORK_LAYOUT, networkRow } from '../format/rows.js';
import { confirm } from '../internal/confirm.js';
import { forEachTarget } from '../internal/report-error.js';
import { FILTER_FLAG, FORMAT_FLAG, NO_TRUNC_FLAG, flag } from './flag.js';
import { inspectCommandFor } from './inspect.js';
import { parseFilterFlags, parseKeyValues } from './parse-values.js';

const createNetwork: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  flags: [
    flag('attachable', 'boolean', 'Enable manual container attachment'),
    flag('driver', 'string', 'Driver to manage the Network', { short: 'd', defaultText: '"bridge"' }),
    flag('gateway', 'list', 'IPv4 or IPv6 Gateway for the master subnet', { valueName: 'strings' }),
    flag('internal', 'boolean', 'Restrict external access to the network'),
    flag('ip-range', 'list', 'Allocate container ip from a sub-range', { valueName: 'strings' }),
    flag('ipv6', 'boolean', 'Enable or disable IPv6 networking'),
    flag('label', 'list', 'Set metadata on a network'),
    flag('opt', 'list', 'Set driver specific options', { short: 'o', valueName: 'map' }),
    flag('subnet', 'list', 'Subnet in CIDR format that represents a network segment', { valueName: 'strings' }),
  ],
  args: { min: 1, max: 1 },
  async run(context, flags, [name]) {
    const subnets = flags.list('subnet');
    const gateways = flags.list('gateway');
    const ranges = flags.list('ip-range');
    const config = subnets.map((subnet, i) => ({ subnet, ...(gateways[i] ? { gateway: gateways[i] } : {}), ...(ranges[i] ? { ipRange: ranges[i] } : {}) }));
    const driver = flags.string('driver');
    const network = await (await context.engine()).networks.create({
      name: name!,
      internal: flags.bool('internal'),
      attachable: flags.bool('attachable'),
      enableIpv6: flags.bool('ipv6'),
      labels: parseKeyValues(flags.list('label')),
      options: parseKeyValues(flags.list('opt')),
      ...(driver ? { driver } : {}),
      ...(config.length > 0 ? { ipam: { config } } : {}),
    });
    context.stdout.write(`${network.id}\n`);
    return 0;
  },
};

const listNetworks: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List networks',
  flags: [FILTER_FLAG, FORMAT_FLAG, NO_TRUNC_FLAG, flag('quiet', 'boolean', 'Only display network IDs', { short: 'q' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const networks = await (await context.engine()).networks.list({ filters: parseFilterFlags(flags.list('filter')) });
    const rows = [...networks].sort((a, b) => a.name.localeCompare(b.name)).map((n) => networkRow(n, !flags.bool('no-trunc')));
    writeList(context.stdout, rows, flags.string('format'), NETWORK_LAYOUT, flags.bool('quiet'));
    return 0;
  },
};

const removeNetworks: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  flags: [flag('force', 'boolean', 'Do not error if the network does not exist', { short: 'f' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      try {
        await engine.networks.remove(target);
      } catch (err) {
        if (flags.bool('force') && (err as { code?: string }).code === 'NotFound') return undefined;
        throw err;
      }
      return target;
    });
  },
};

const connectNetwork: CommandSpec = {
  name: 'connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  flags: [flag('alias', 'list', 'Add network-scoped alias for the container', { valueName: 'strings' }), flag('ip', 'string', 'IPv4 address (e.g., "172.30.100.104")'), flag('ip6', 'string', 'IPv6 address (e.g., "2001:db8::33")')],
  args: { min: 2, max: 2 },
  async run(context, flags, [network, container]) {
    const ip = flags.string('ip');
    const ip6 = flags.string('ip6');
    await (await context.engine()).networks.connect(network!, container!, {
      ...(flags.list('alias').length > 0 ? { aliases: flags.list('alias') } : {}),
      ...(ip ? { ipv4Address: ip } : {}),
      ...(ip6 ? { ipv6Address: ip6 } : {}),
    });
    return 0;
  },
};

const disconnectNetwork: CommandSpec = {
  name: 'disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  flags: [flag('force', 'boolean', 'Force the container to disconnect from a network', { short: 'f' })],
  args: { min: 2, max: 2 },
  async run(context, flags, [network, container]) {
    await (await context.engine()).networks.disconnect(network!, container!, { force: flags.bool('force') });
    return 0;
  },
};

const pruneNetworks: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  flags: [flag('filter', 'list', 'Provide filter values (e.g. "until=<timestamp>")', { valueName: 'filter' }), flag('force', 'boolean', 'Do not prompt for confirmation', { short: 'f' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    if (!flags.bool('force') && !(await confirm(context, 'WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
    const report = await (await context.engine()).networks.prune({ filters: parseFilterFlags(flags.list('filter')) });
    if (report.networksDeleted.length > 0) context.stdout.write(`Deleted Networks:\n${report.networksDeleted.map((n) => `${n}\n`).join('')}`);
    return 0;
  },
};

/** `network create|ls|rm|inspect|connect|disconnect|prune`. */
export const networkCommand: CommandSpec = {
  name: 'network',
  usage: 'COMMAND',
  description: 'Manage networks',
  subcommands: [connectNetwork, createNetwork, disconnectNetwork, inspectCommandFor('network', 'NETWORK'), listNetworks, pruneNetworks, removeNetworks],
};


