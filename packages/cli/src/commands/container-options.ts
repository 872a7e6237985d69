import { readFileSync } from 'node:fs';
import type { ContainerCreateOptions, PortBindings } from '@berth/engine';
import { InvalidArgumentError } from '@berth/errdefs';
import type { FlagSpec, ParsedFlags } from '../command.js';
import { flag } from './flag.js';
import { parseInteger, parseKeyValues, parseMemory } from './parse-values.js';

/** The flags `create` and `run` share (docker's container options). */
export const CONTAINER_FLAGS: readonly FlagSpec[] = [
  flag('add-host', 'list', 'Add a custom host-to-IP mapping (host:ip)'),
  flag('attach', 'list', 'Attach to STDIN, STDOUT or STDERR', { short: 'a' }),
  flag('cap-add', 'list', 'Add Linux capabilities'),
  flag('cap-drop', 'list', 'Drop Linux capabilities'),
  flag('cpus', 'string', 'Number of CPUs', { valueName: 'decimal' }),
  flag('cpu-shares', 'string', 'CPU shares (relative weight)', { short: 'c', valueName: 'int' }),
  flag('dns', 'list', 'Set custom DNS servers'),
  flag('entrypoint', 'string', 'Overwrite the default ENTRYPOINT of the image'),
  flag('env', 'list', 'Set environment variables', { short: 'e' }),
  flag('env-file', 'list', 'Read in a file of environment variables'),
  flag('expose', 'list', 'Expose a port or a range of ports'),
  flag('group-add', 'list', 'Add additional groups to join'),
  flag('health-cmd', 'string', 'Command to run to check health'),
  flag('health-interval', 'string', 'Time between running the check (ms|s|m|h)', { valueName: 'duration' }),
  flag('health-retries', 'string', 'Consecutive failures needed to report unhealthy', { valueName: 'int' }),
  flag('health-timeout', 'string', 'Maximum time to allow one check to run (ms|s|m|h)', { valueName: 'duration' }),
  flag('hostname', 'string', 'Container host name', { short: 'h' }),
  flag('init', 'boolean', 'Run an init inside the container that forwards signals and reaps processes'),
  flag('interactive', 'boolean', 'Keep STDIN open even if not attached', { short: 'i' }),
  flag('ip', 'string', 'IPv4 address (e.g., 172.30.100.104)'),
  flag('label', 'list', 'Set meta data on a container', { short: 'l' }),
  flag('memory', 'string', 'Memory limit', { short: 'm', valueName: 'bytes' }),
  flag('memory-swap', 'string', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", { valueName: 'bytes' }),
  flag('mount', 'list', 'Attach a filesystem mount to the container', { valueName: 'mount' }),
  flag('name', 'string', 'Assign a name to the container'),
  flag('network', 'string', 'Connect a container to a network', { valueName: 'network' }),
  flag('network-alias', 'list', 'Add network-scoped alias for the container'),
  flag('pids-limit', 'string', 'Tune container pids limit (set -1 for unlimited)', { valueName: 'int' }),
  flag('platform', 'string', 'Set platform if server is multi-platform capable'),
  flag('privileged', 'boolean', 'Give extended privileges to this container'),
  flag('publish', 'list', "Publish a container's port(s) to the host", { short: 'p' }),
  flag('publish-all', 'boolean', 'Publish all exposed ports to random ports', { short: 'P' }),
  flag('pull', 'string', 'Pull image before creating ("always", "missing", "never")', { defaultText: '"missing"' }),
  flag('quiet', 'boolean', 'Suppress the pull output', { short: 'q' }),
  flag('read-only', 'boolean', "Mount the container's root filesystem as read only"),
  flag('restart', 'string', 'Restart policy to apply when a container exits', { defaultText: '"no"' }),
  flag('rm', 'boolean', 'Automatically remove the container and its associated anonymous volumes when it exits'),
  flag('shm-size', 'string', 'Size of /dev/shm', { valueName: 'bytes' }),
  flag('stop-signal', 'string', 'Signal to stop the container'),
  flag('stop-timeout', 'string', 'Timeout (in seconds) to stop a container', { valueName: 'int' }),
  flag('sysctl', 'list', 'Sysctl options', { valueName: 'map' }),
  flag('tmpfs', 'list', 'Mount a tmpfs directory'),
  flag('tty', 'boolean', 'Allocate a pseudo-TTY', { short: 't' }),
  flag('ulimit', 'list', 'Ulimit options', { valueName: 'ulimit' }),
  flag('user', 'string', 'Username or UID (format: <name|uid>[:<group|gid>])', { short: 'u' }),
  flag('volume', 'list', 'Bind mount a volume', { short: 'v' }),
  flag('workdir', 'string', 'Working directory inside the container', { short: 'w' }),
];

type Mounts = NonNullable<ContainerCreateOptions['mounts']>;

/**
 * The engine's create options from `create`/`run` flags, the image and the command.
 * Malformed values are `InvalidArgument` with docker's wording (the CLI exits 125).
 */
export function containerOptionsFromFlags(flags: ParsedFlags, image: string, command: readonly string[], env: Readonly<Record<string, string | undefined>>): ContainerCreateOptions {
  const options: ContainerCreateOptions = { image };
  if (command.length > 0) options.cmd = [...command];
  const entrypoint = flags.string('entrypoint');
  if (entrypoint !== undefined) options.entrypoint = entrypoint === '' ? [] : [entrypoint];
  const envEntries = [...flags.list('env-file').flatMap(readEnvFile), ...flags.list('env')].flatMap((entry) => expandEnv(entry, env));
  if (envEntries.length > 0) options.env = envEntries;
  const name = flags.string('name');
  if (name !== undefined) options.name = name;
  const text = (flagName: string, key: keyof ContainerCreateOptions) => {
    const value = flags.string(flagName);
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  };
  text('user', 'user');
  text('workdir', 'workingDir');
  text('hostname', 'hostname');
  text('stop-signal', 'stopSignal');
  text('platform', 'platform');
  if (flags.has('stop-timeout')) options.stopTimeout = parseInteger(flags.string('stop-timeout')!, 'stop-timeout');
  if (flags.bool('tty')) options.tty = true;
  if (flags.bool('interactive')) {
    options.openStdin = true;
    options.stdinOnce = true;
  }
  if (flags.bool('init')) options.init = true;
  if (flags.bool('read-only')) options.readOnlyRootfs = true;
  if (flags.bool('privileged')) options.privileged = true;
  if (flags.bool('rm')) options.autoRemove = true;
  if (flags.bool('publish-all')) options.publishAllPorts = true;
  const labels = parseKeyValues(flags.list('label'));
  if (Object.keys(labels).length > 0) options.labels = labels;
  const list = (flagName: string, key: keyof ContainerCreateOptions) => {
    const values = flags.list(flagName);
    if (values.length > 0) (options as unknown as Record<string, unknown>)[key] = values;
  };
  list('cap-add', 'capAdd');
  list('cap-drop', 'capDrop');
  list('dns', 'dns');
  list('group-add', 'groupAdd');
  list('add-host', 'extraHosts');
  if (flags.list('expose').length > 0) options.exposedPorts = flags.list('expose').map((p) => (p.includes('/') ? p : `${p}/tcp`));
  const network = flags.string('network');
  if (network !== undefined) options.networkMode = network;
  const aliases = flags.list('network-alias');
  const ip = flags.string('ip');
  if (aliases.length > 0 || ip !== undefined) {
    const target = network ?? 'bridge';
    options.networks = { [target]: { ...(aliases.length > 0 ? { aliases } : {}), ...(ip !== undefined ? { ipv4Address: ip } : {}) } };
  }
  const ports = flags.list('publish');
  if (ports.length > 0) options.portBindings = parsePublish(ports);
  const mounts: Mounts = [...flags.list('volume').map(parseVolumeFlag), ...flags.list('mount').map(parseMountFlag)];
  if (mounts.length > 0) options.mounts = mounts;
  const tmpfs = flags.list('tmpfs');
  if (tmpfs.length > 0) options.tmpfs = Object.fromEntries(tmpfs.map((t) => [t.split(':')[0]!, t.split(':').slice(1).join(':')]));
  const sysctls = parseKeyValues(flags.list('sysctl'));
  if (Object.keys(sysctls).length > 0) options.sysctls = sysctls;
  if (flags.list('ulimit').length > 0) options.ulimits = flags.list('ulimit').map(parseUlimit);
  const restart = flags.string('restart');
  if (restart !== undefined && restart !== '') options.restartPolicy = parseRestart(restart);
  const resources: NonNullable<ContainerCreateOptions['resources']> = {};
  if (flags.has('memory')) resources.memory = parseMemory(flags.string('memory')!);
  if (flags.has('memory-swap')) resources.memorySwap = flags.string('memory-swap') === '-1' ? -1 : parseMemory(flags.string('memory-swap')!);
  if (flags.has('cpus')) {
    const cpus = Number(flags.string('cpus'));
    if (!Number.isFinite(cpus) || cpus < 0) throw new InvalidArgumentError(`invalid argument "${flags.string('cpus')}" for "--cpus" flag: failed to parse ${flags.string('cpus')} as a rational number`);
    resources.nanoCpus = Math.round(cpus * 1e9);
  }
  if (flags.has('cpu-shares')) resources.cpuShares = parseInteger(flags.string('cpu-shares')!, 'cpu-shares');
  if (flags.has('pids-limit')) resources.pidsLimit = parseInteger(flags.string('pids-limit')!, 'pids-limit');
  if (Object.keys(resources).length > 0) options.resources = resources;
  if (flags.has('shm-size')) options.shmSize = parseMemory(flags.string('shm-size')!);
  const healthCmd = flags.string('health-cmd');
  if (healthCmd !== undefined) {
    options.healthcheck = { test: ['CMD-SHELL', healthCmd] };
    if (flags.has('health-retries')) options.healthcheck.retries = parseInteger(flags.string('health-retries')!, 'health-retries');
  }
  return options;
}

/** `-p [ip:][hostPort:]containerPort[/proto]`, ranges `8000-8001:80-81`, IPv6 in brackets. */
export function parsePublish(values: readonly string[]): PortBindings {
  const bindings: PortBindings = {};
  for (const value of values) {
    const [spec, protocol = 'tcp'] = value.split('/') as [string, string?];
    let hostIp = '';
    let rest = spec;
    const bracket = /^\[([^\]]+)\]:(.*)$/.exec(spec);
    if (bracket) {
      hostIp = bracket[1]!;
      rest = bracket[2]!;
    }
    const parts = rest.split(':');
    if (parts.length > 3 || parts.some((p, i) => p === '' && i === parts.length - 1)) throw new InvalidArgumentError(`invalid port format for --publish: ${value}`);
    const containerPart = parts.at(-1)!;
    const hostPart = parts.length >= 2 ? parts.at(-2)! : '';
    if (parts.length === 3) hostIp = parts[0]!;
    const containerPorts = portRange(containerPart, value);
    const hostPorts = hostPart === '' ? [] : portRange(hostPart, value);
    if (hostPorts.length > 1 && hostPorts.length !== containerPorts.length) throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
    containerPorts.forEach((port, i) => {
      const hostPort = hostPorts.length === 0 ? '' : String(hostPorts.length === 1 ? hostPorts[0] : hostPorts[i]);
      (bindings[`${port}/${protocol}`] ??= []).push({ hostIp, hostPort });
    });
  }
  return bindings;
}

function portRange(text: string, value: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new InvalidArgumentError(`invalid port format for --publish: ${value}`);
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end > 65535 || end < start) throw new InvalidArgumentError(`invalid range format for --publish: ${value}`);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** `-v [source:]target[:options]`: an absolute source binds, a name is a volume, none is anonymous. */
export function parseVolumeFlag(value: string): Mounts[number] {
  const parts = value.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid volume specification: '${value}'`);
  if (parts.length === 1) return { type: 'volume', target: parts[0]! };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const readOnly = mode.split(',').includes('ro');
  if (source.startsWith('/') || source.startsWith('.')) return { type: 'bind', source, target, ...(readOnly ? { readOnly } : {}) };
  return { type: 'volume', source, target, ...(readOnly ? { readOnly } : {}), ...(mode.split(',').includes('nocopy') ? { noCopy: true } : {}) };
}

/** `--mount type=bind,source=/a,target=/b,readonly`. */
export function parseMountFlag(value: string): Mounts[number] {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    fields[(eq === -1 ? part : part.slice(0, eq)).toLowerCase()] = eq === -1 ? 'true' : part.slice(eq + 1);
  }
  const type = fields.type ?? 'volume';
  const target = fields.target ?? fields.destination ?? fields.dst;
  if (!target) throw new InvalidArgumentError(`invalid argument "${value}" for "--mount" flag: target is required`);
  const readOnly = ['true', '1'].includes(fields.readonly ?? fields.ro ?? 'false');
  const source = fields.source ?? fields.src;
  if (type === 'bind') {
    if (!source) throw new InvalidArgumentError(`invalid argument "${value}" for "--mount" flag: source is required when specifying bind mount`);
    return { type: 'bind', source, target, ...(readOnly ? { readOnly } : {}) };
  }
  if (type === 'tmpfs') return { type: 'tmpfs', target, ...(fields['tmpfs-size'] ? { sizeBytes: parseMemory(fields['tmpfs-size']) } : {}) };
  if (type === 'volume') return { type: 'volume', target, ...(source ? { source } : {}), ...(readOnly ? { readOnly } : {}) };
  throw new InvalidArgumentError(`invalid argument "${value}" for "--mount" flag: invalid mount type: ${type}`);
}

function parseRestart(value: string): NonNullable<ContainerCreateOptions['restartPolicy']> {
  const [name, count] = value.split(':') as [string, string?];
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name)) throw new InvalidArgumentError(`invalid restart policy format: ${value}`);
  return { name: name as 'no', ...(count !== undefined ? { maximumRetryCount: parseInteger(count, 'restart') } : {}) };
}

function parseUlimit(value: string): { name: 'nofile'; soft: number; hard: number } {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!match) throw new InvalidArgumentError(`invalid ulimit argument: ${value}`);
  return { name: match[1] as 'nofile', soft: Number(match[2]), hard: Number(match[3] ?? match[2]) };
}

/** `-e KEY` takes KEY's value from the CLI's environment (dropped when unset), as docker. */
function expandEnv(entry: string, env: Readonly<Record<string, string | undefined>>): string[] {
  if (entry.includes('=')) return [entry];
  const value = env[entry];
  return value === undefined ? [] : [`${entry}=${value}`];
}

function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InvalidArgumentError(`open ${path}: no such file or directory`);
  }
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}
