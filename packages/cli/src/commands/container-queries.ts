import { InvalidArgumentError } from '@berth/errdefs';
import type { CommandSpec } from '../command.js';
import { formatReadsField, writeList } from '../format/list-format.js';
import { CONTAINER_LAYOUT, CONTAINER_SIZE_LAYOUT, containerRow } from '../format/rows.js';
import { alignColumns } from '../format/tab-writer.js';
import { binarySize, humanSize, shortId } from '../format/units.js';
import { FILTER_FLAG, FORMAT_FLAG, NO_TRUNC_FLAG, QUIET_FLAG, flag } from './flag.js';
import { parseFilterFlags, parseInteger, parseTimeFlag } from './parse-values.js';
import { copyOutput } from './stream-output.js';

/** `ps`: docker's table, `-a`, `-q`, `-n`, `-l`, `--no-trunc`, `-f`, `--format`, `-s` (the SIZE column). */
export const psCommand: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS]',
  description: 'List containers',
  flags: [
    flag('all', 'boolean', 'Show all containers (default shows just running)', { short: 'a' }),
    FILTER_FLAG,
    FORMAT_FLAG,
    flag('last', 'string', 'Show n last created containers (includes all states)', { short: 'n', valueName: 'int', defaultText: '-1' }),
    flag('latest', 'boolean', 'Show the latest created container (includes all states)', { short: 'l' }),
    NO_TRUNC_FLAG,
    QUIET_FLAG,
    flag('size', 'boolean', 'Display total file sizes', { short: 's' }),
  ],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const engine = await context.engine();
    const last = flags.bool('latest') ? 1 : flags.has('last') ? parseInteger(flags.string('last')!, 'last') : -1;
    const format = flags.string('format');
    // As docker: sizes with -s, or when a --format reads .Size and -s was not set to false.
    const size = flags.has('size') ? flags.bool('size') : !flags.bool('quiet') && formatReadsField(format, 'Size');
    const containers = await engine.containers.list({
      all: flags.bool('all') || last > 0,
      ...(last > 0 ? { limit: last } : {}),
      filters: parseFilterFlags(flags.list('filter')),
      ...(size ? { size } : {}),
    });
    const now = context.now();
    const rows = containers.map((c) => containerRow(c, now, !flags.bool('no-trunc')));
    writeList(context.stdout, rows, format, size ? CONTAINER_SIZE_LAYOUT : CONTAINER_LAYOUT, flags.bool('quiet'));
    return 0;
  },
};

/** `logs`: `-f`, `--tail/-n`, `--since`, `--until`, `-t`; the container's stdout and stderr to ours. */
export const logsCommand: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    flag('details', 'boolean', 'Show extra details provided to logs'),
    flag('follow', 'boolean', 'Follow log output', { short: 'f' }),
    flag('since', 'string', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    flag('tail', 'string', 'Number of lines to show from the end of the logs', { short: 'n', defaultText: '"all"' }),
    flag('timestamps', 'boolean', 'Show timestamps', { short: 't' }),
    flag('until', 'string', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
  ],
  args: { min: 1, max: 1 },
  async run(context, flags, [target]) {
    const engine = await context.engine();
    const tail = flags.string('tail');
    const since = flags.string('since');
    const until = flags.string('until');
    const output = engine.containers.logs(target!, {
      stdout: true,
      stderr: true,
      follow: flags.bool('follow'),
      timestamps: flags.bool('timestamps'),
      signal: context.signal,
      ...(tail !== undefined && tail !== 'all' ? { tail: parseInteger(tail, 'tail') } : {}),
      ...(since ? { since: parseTimeFlag(since, context.now()) } : {}),
      ...(until ? { until: parseTimeFlag(until, context.now()) } : {}),
    });
    await copyOutput(context, output, { timestamps: flags.bool('timestamps') });
    return 0;
  },
};

/** `top CONTAINER [ps OPTIONS]`. */
export const topCommand: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  args: { min: 1 },
  interspersed: false,
  async run(context, _flags, [target, ...psArgs]) {
    const top = await (await context.engine()).containers.top(target!, psArgs.length > 0 ? psArgs.join(' ') : undefined);
    const lines = [top.titles, ...top.processes].map((row) => row.join('\t'));
    for (const line of alignColumns(lines)) context.stdout.write(`${line}\n`);
    return 0;
  },
};

/** `stats`: one sample per container with `--no-stream` (the default when stdout is no terminal is still streaming, as docker). */
export const statsCommand: CommandSpec = {
  name: 'stats',
  usage: '[OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: [flag('all', 'boolean', 'Show all containers (default shows just running)', { short: 'a' }), FORMAT_FLAG, flag('no-stream', 'boolean', 'Disable streaming stats and only pull the first result'), NO_TRUNC_FLAG],
  async run(context, flags, args) {
    const engine = await context.engine();
    const targets = args.length > 0 ? args : (await engine.containers.list({ all: flags.bool('all') })).map((c) => c.id);
    const layout = {
      table: 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.PIDs}}',
      headers: { ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', PIDs: 'PIDS', BlockIO: 'BLOCK I/O' },
      quietField: 'ID',
    };
    const sample = async (target: string) => {
      for await (const stats of engine.containers.stats(target, { stream: false, signal: context.signal })) {
        const rx = Object.values(stats.networks).reduce((sum, n) => sum + n.rxBytes, 0);
        const tx = Object.values(stats.networks).reduce((sum, n) => sum + n.txBytes, 0);
        const cpu = stats.cpu.systemUsageNs > 0 ? (stats.cpu.totalUsageNs / stats.cpu.systemUsageNs) * stats.cpu.onlineCpus * 100 : 0;
        return {
          ID: flags.bool('no-trunc') ? stats.id : shortId(stats.id),
          Container: target,
          Name: stats.name.replace(/^\//, ''),
          CPUPerc: `${cpu.toFixed(2)}%`,
          MemUsage: `${binarySize(stats.memory.usage)} / ${binarySize(stats.memory.limit)}`,
          MemPerc: `${stats.memory.limit > 0 ? ((stats.memory.usage / stats.memory.limit) * 100).toFixed(2) : '0.00'}%`,
          NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
          BlockIO: '0B / 0B',
          PIDs: String(stats.pids),
        };
      }
      throw new InvalidArgumentError(`no stats for container ${target}`);
    };
    do {
      const rows = await Promise.all(targets.map(sample));
      if (!flags.bool('no-stream') && context.stdout.isTTY) context.stdout.write('\x1b[2J\x1b[H');
      writeList(context.stdout, rows, flags.string('format'), layout);
      if (flags.bool('no-stream')) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } while (!context.signal.aborted);
    return 0;
  },
};

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]`. */
export const portCommand: CommandSpec = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  async run(context, _flags, [target, wanted]) {
    const inspect = await (await context.engine()).containers.inspect(target!);
    const key = wanted === undefined ? undefined : wanted.includes('/') ? wanted : `${wanted}/tcp`;
    let found = false;
    for (const [port, bindings] of Object.entries(inspect.networkSettings.ports)) {
      if (key !== undefined && port !== key) continue;
      for (const binding of bindings ?? []) {
        found = true;
        const address = `${binding.hostIp.includes(':') ? `[${binding.hostIp}]` : binding.hostIp}:${binding.hostPort}`;
        context.stdout.write(key === undefined ? `${port} -> ${address}\n` : `${address}\n`);
      }
    }
    if (key !== undefined && !found) {
      context.stderr.write(`Error: No public port '${key}' published for ${target}\n`);
      return 1;
    }
    return 0;
  },
};

/** `diff`: `A /path`, `C /path`, `D /path`. */
export const diffCommand: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  args: { min: 1, max: 1 },
  async run(context, _flags, [target]) {
    const changes = await (await context.engine()).containers.changes(target!);
    for (const change of changes) context.stdout.write(`${change.kind} ${change.path}\n`);
    return 0;
  },
};


