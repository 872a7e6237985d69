import type { EngineEvent } from '@berth/engine';
import type { CliContext, CommandSpec } from '../command.js';
import { toDockerJson } from '../format/docker-json.js';
import { writeList, writeObjects } from '../format/list-format.js';
import { compileTemplate } from '../format/template.js';
import { binarySize, humanSize } from '../format/units.js';
import { confirm } from '../internal/confirm.js';
import { errorText } from '../internal/report-error.js';
import { CLI_VERSION } from '../version.js';
import { FORMAT_FLAG, flag } from './flag.js';
import { parseFilterFlags, parseTimeFlag } from './parse-values.js';

const FORMAT_WITH_SHORT = { ...FORMAT_FLAG, short: 'f', description: 'Format output using a custom template' };

function clientFacts(context: CliContext) {
  return {
    Version: CLI_VERSION,
    ApiVersion: '1.47',
    NodeVersion: process.version,
    Os: process.platform,
    Arch: process.arch === 'x64' ? 'amd64' : process.arch,
    Context: context.env.DOCKER_CONTEXT ?? 'default',
  };
}

/** `version`: client facts, then the server's; `--format '{{.Server.Version}}'`. */
export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the Berth version information',
  flags: [FORMAT_WITH_SHORT],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const client = clientFacts(context);
    let server: Record<string, unknown> | undefined;
    let failure: unknown;
    try {
      server = toDockerJson(await (await context.engine()).system.version()) as Record<string, unknown>;
    } catch (err) {
      failure = err;
    }
    const format = flags.string('format');
    if (format !== undefined) {
      writeObjects(context.stdout, [{ Client: client, Server: server ?? null }], format);
    } else {
      const out = context.stdout;
      out.write(`Client:\n Version:           ${client.Version}\n API version:       ${client.ApiVersion}\n Node version:      ${client.NodeVersion}\n OS/Arch:           ${client.Os}/${client.Arch}\n Context:           ${client.Context}\n`);
      if (server) {
        out.write(`\nServer: Berth Engine\n Engine:\n`);
        out.write(`  Version:          ${String(server.Version)}\n  API version:      ${String(server.ApiVersion)} (minimum version ${String(server.MinApiVersion)})\n`);
        out.write(`  Node version:     ${String(server.NodeVersion)}\n  OS/Arch:          ${String(server.Os)}/${String(server.Arch)}\n  Kernel Version:   ${String(server.KernelVersion)}\n`);
        for (const component of (server.Components as Array<{ Name: string; Version: string }> | undefined) ?? []) {
          if (component.Name !== 'Engine') out.write(` ${component.Name}:\n  Version:          ${component.Version}\n`);
        }
      }
    }
    if (failure !== undefined) {
      context.stderr.write(`${errorText(failure)}\n`);
      return 1;
    }
    return 0;
  },
};

/** `info` (and `system info`). */
export const infoCommand: CommandSpec = {
  name: 'info',
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  flags: [FORMAT_WITH_SHORT],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const info = await (await context.engine()).system.info();
    const format = flags.string('format');
    if (format !== undefined) {
      writeObjects(context.stdout, [toDockerJson(info)], format);
      return 0;
    }
    const client = clientFacts(context);
    const lines = [
      'Client:',
      ` Version:    ${client.Version}`,
      ` Context:    ${client.Context}`,
      ` Debug Mode: false`,
      '',
      'Server:',
      ` Containers: ${info.containers}`,
      `  Running: ${info.containersRunning}`,
      `  Paused: ${info.containersPaused}`,
      `  Stopped: ${info.containersStopped}`,
      ` Images: ${info.images}`,
      ` Server Version: ${info.serverVersion}`,
      ` Storage Driver: ${info.driver}`,
      ` Plugins:`,
      `  Volume: ${info.plugins.volume.join(' ')}`,
      `  Network: ${info.plugins.network.join(' ')}`,
      ` Default Runtime: ${info.defaultRuntime}`,
      ` Engine Kind: ${info.engineKind}`,
      ` Kernel Version: ${info.kernelVersion}`,
      ` Operating System: ${info.operatingSystem}`,
      ` OSType: ${info.osType}`,
      ` Architecture: ${info.architecture}`,
      ` CPUs: ${info.ncpu}`,
      ` Total Memory: ${binarySize(info.memTotal)}`,
      ` Name: ${info.name}`,
      ` ID: ${info.id}`,
      ` Docker Root Dir: ${info.dataRoot}`,
    ];
    context.stdout.write(`${lines.join('\n')}\n`);
    for (const warning of info.warnings) context.stderr.write(`WARNING: ${warning}\n`);
    return 0;
  },
};

const dfCommand: CommandSpec = {
  name: 'df',
  usage: '[OPTIONS]',
  description: 'Show docker disk usage',
  flags: [FORMAT_FLAG, flag('verbose', 'boolean', 'Show detailed information on space usage', { short: 'v' })],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const usage = await (await context.engine()).system.df();
    const imagesInUse = usage.images.filter((image) => image.containers > 0);
    const imageSize = usage.layersSize;
    const unusedImageSize = usage.images.filter((image) => image.containers <= 0).reduce((sum, image) => sum + image.size, 0);
    const containerSize = usage.containers.reduce((sum, c) => sum + c.sizeRw, 0);
    const volumeSize = usage.volumes.reduce((sum, v) => sum + Math.max(0, v.usageData?.size ?? 0), 0);
    const unusedVolumes = usage.volumes.filter((v) => (v.usageData?.refCount ?? 0) === 0);
    const reclaim = (amount: number, total: number) => `${humanSize(amount)}${total > 0 ? ` (${Math.round((amount / total) * 100)}%)` : ''}`;
    const rows = [
      { Type: 'Images', TotalCount: String(usage.images.length), Active: String(imagesInUse.length), Size: humanSize(imageSize), Reclaimable: reclaim(Math.min(unusedImageSize, imageSize), imageSize) },
      { Type: 'Containers', TotalCount: String(usage.containers.length), Active: String(usage.containers.filter((c) => c.state === 'running').length), Size: humanSize(containerSize), Reclaimable: reclaim(usage.containers.filter((c) => c.state !== 'running').reduce((s, c) => s + c.sizeRw, 0), containerSize) },
      { Type: 'Local Volumes', TotalCount: String(usage.volumes.length), Active: String(usage.volumes.length - unusedVolumes.length), Size: humanSize(volumeSize), Reclaimable: reclaim(unusedVolumes.reduce((s, v) => s + Math.max(0, v.usageData?.size ?? 0), 0), volumeSize) },
    ];
    writeList(context.stdout, rows, flags.string('format'), {
      table: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: { TotalCount: 'TOTAL', Reclaimable: 'RECLAIMABLE' },
      quietField: 'Type',
    });
    return 0;
  },
};

const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused data',
  flags: [
    flag('all', 'boolean', 'Remove all unused images not just dangling ones', { short: 'a' }),
    flag('filter', 'list', 'Provide filter values (e.g. "label=<key>=<value>")', { valueName: 'filter' }),
    flag('force', 'boolean', 'Do not prompt for confirmation', { short: 'f' }),
    flag('volumes', 'boolean', 'Prune anonymous volumes'),
  ],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const all = flags.bool('all');
    const volumes = flags.bool('volumes');
    const warning = [
      'WARNING! This will remove:',
      '  - all stopped containers',
      '  - all networks not used by at least one container',
      ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
      all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    ].join('\n');
    if (!flags.bool('force') && !(await confirm(context, warning))) return 0;
    const report = await (await context.engine()).system.prune({ all, volumes, filters: parseFilterFlags(flags.list('filter')), signal: context.signal });
    const out = context.stdout;
    if (report.containersDeleted.length > 0) out.write(`Deleted Containers:\n${report.containersDeleted.join('\n')}\n\n`);
    if (report.networksDeleted.length > 0) out.write(`Deleted Networks:\n${report.networksDeleted.join('\n')}\n\n`);
    if (report.volumesDeleted.length > 0) out.write(`Deleted Volumes:\n${report.volumesDeleted.join('\n')}\n\n`);
    if (report.imagesDeleted.length > 0) out.write(`Deleted Images:\n${report.imagesDeleted.map((e) => ('untagged' in e ? `untagged: ${e.untagged}` : `deleted: ${e.deleted}`)).join('\n')}\n\n`);
    out.write(`Total reclaimed space: ${humanSize(report.spaceReclaimed)}\n`);
    return 0;
  },
};

/** docker's plain event line: `TIME TYPE ACTION ID (k=v, …)`. */
export function eventLine(event: EngineEvent): string {
  const attributes = Object.entries(event.actor.attributes).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
  return `${event.time.toISOString().replace(/\.(\d+)Z$/, (_m, f: string) => `.${f.padEnd(9, '0')}Z`)} ${event.type} ${event.action} ${event.actor.id}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}`;
}

/** `events`: streams until `--until` or interrupted. */
export const eventsCommand: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS]',
  description: 'Get real time events from the server',
  flags: [flag('filter', 'list', 'Filter output based on conditions provided', { short: 'f', valueName: 'filter' }), FORMAT_FLAG, flag('since', 'string', 'Show all events created since timestamp'), flag('until', 'string', 'Stream events until this timestamp')],
  args: { min: 0, max: 0 },
  async run(context, flags) {
    const since = flags.string('since');
    const until = flags.string('until');
    const format = flags.string('format')?.trim();
    const template = format === undefined || format === 'json' ? undefined : compileTemplate(format.replaceAll('\\t', '\t'));
    const render = (event: EngineEvent): string => (template ? template(toDockerJson(event)) : format === 'json' ? JSON.stringify(toDockerJson(event)) : eventLine(event));
    const events = (await context.engine()).events({
      filters: parseFilterFlags(flags.list('filter')),
      signal: context.signal,
      ...(since ? { since: parseTimeFlag(since, context.now()) } : {}),
      ...(until ? { until: parseTimeFlag(until, context.now()) } : {}),
    });
    for await (const event of events) context.stdout.write(`${render(event)}\n`);
    return 0;
  },
};

/** `system info|df|prune|events`. */
export const systemCommand: CommandSpec = {
  name: 'system',
  usage: 'COMMAND',
  description: 'Manage Berth',
  subcommands: [dfCommand, eventsCommand, infoCommand, pruneCommand],
};
