import type { ContainerStatus } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import type { Endpoint, PortBinding } from '@berth/network';
import { parseUntil } from '../images/image-prune.js';
import type { ContainerContext } from './container-context.js';
import { networkNamespaceOf } from './container-networking.js';
import type { ContainerEntry } from './container-table.js';
import { containerSizer } from './container-size.js';
import type { ContainerInspect, ContainerInspectOptions, ContainerListOptions, ContainerSummary } from './container-types.js';

function endpointsOf(entry: ContainerEntry): Record<string, Endpoint> {
  const result: Record<string, Endpoint> = {};
  for (const [name, settings] of Object.entries(entry.record.networks)) {
    result[name] = (settings.endpoint as Endpoint | undefined) ?? {
      endpointId: '',
      containerId: entry.record.id,
      containerName: entry.record.name,
      aliases: settings.aliases ?? [],
      ports: [],
    };
  }
  return result;
}

function publishedPorts(entry: ContainerEntry): PortBinding[] {
  return Object.values(entry.record.networks).flatMap((settings) => (settings.endpoint as Endpoint | undefined)?.ports ?? []);
}

/** `docker inspect` of a container; with `size`, its writable layer and root file system measured. */
export async function inspectContainer(context: ContainerContext, entry: ContainerEntry, inspectOptions: ContainerInspectOptions = {}): Promise<ContainerInspect> {
  const { record } = entry;
  const sizes = inspectOptions.size ? await containerSizer(context.engine)({ id: record.id, imageId: record.imageId }) : {};
  const { config, options } = record;
  const ports: Record<string, PortBinding[] | null> = {};
  for (const key of [...(options.exposedPorts ?? []), ...Object.keys(options.portBindings ?? {})]) ports[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const binding of publishedPorts(entry)) {
    const key = `${binding.containerPort}/${binding.protocol}`;
    (ports[key] ??= []).push(binding);
  }
  const args = [...config.entrypoint, ...config.cmd];
  return {
    id: record.id,
    name: record.name,
    created: record.created,
    path: args[0] ?? '',
    args: args.slice(1),
    state: { ...record.state, ...(record.health ? { health: structuredClone(record.health) } : {}) },
    image: record.imageId,
    imageName: options.image,
    restartCount: record.state.restartCount,
    driver: context.engine.components.snapshotterName,
    platform: 'linux',
    mountLabel: '',
    logPath: record.logPath,
    config: { ...options, ...config, image: options.image },
    hostConfig: {
      networkMode: record.networkMode,
      portBindings: options.portBindings ?? {},
      publishAllPorts: options.publishAllPorts ?? false,
      restartPolicy: config.restartPolicy ?? { name: 'no' },
      autoRemove: options.autoRemove ?? false,
      resources: config.resources ?? {},
    },
    networkSettings: {
      ports,
      networks: endpointsOf(entry),
      sandboxKey: record.state.status === 'running' || record.state.status === 'paused' ? networkNamespaceOf(context, entry) : '',
    },
    mounts: await Promise.all((config.mounts ?? []).map(async (mount) => {
      const rw = !mount.readOnly;
      if (mount.type === 'volume') {
        const volume = await context.engine.volumes.inspect(mount.source!).catch(() => undefined);
        return { type: 'volume' as const, name: mount.source!, source: volume?.Mountpoint ?? '', destination: mount.target, driver: volume?.Driver ?? 'local', mode: 'z', rw };
      }
      if (mount.type === 'bind') return { type: 'bind' as const, source: mount.source, destination: mount.target, mode: '', rw };
      return { type: 'tmpfs' as const, source: '', destination: mount.target, mode: '', rw };
    })),
    execIds: [...entry.execs].filter((id) => context.execs.get(id)?.running),
    ...sizes,
  };
}

function ago(from: Date | undefined, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - (from?.getTime() ?? now.getTime())) / 1000));
  if (seconds < 1) return 'Less than a second';
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? 'About a minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return hours === 1 ? 'About an hour' : `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** docker's human status (`Up 3 seconds`, `Exited (0) 2 minutes ago`, `Created`). */
export function humanStatus(entry: ContainerEntry, now = new Date()): string {
  const { state } = entry.record;
  switch (state.status) {
    case 'running': {
      const health = entry.record.health ? ` (${entry.record.health.status === 'starting' ? 'health: starting' : entry.record.health.status})` : '';
      return `Up ${ago(state.startedAt, now)}${health}`;
    }
    case 'paused':
      return `Up ${ago(state.startedAt, now)} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${ago(state.finishedAt, now)} ago`;
    case 'exited':
      return `Exited (${state.exitCode}) ${ago(state.finishedAt, now)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** One `docker ps` line. */
export function summarizeContainer(entry: ContainerEntry): ContainerSummary {
  const { record } = entry;
  return {
    id: record.id,
    names: [record.name],
    image: record.options.image,
    imageId: record.imageId,
    // dockerd's list: the path, then the arguments with those holding a space in single quotes.
    command: [...record.config.entrypoint, ...record.config.cmd].map((arg, i) => (i > 0 && arg.includes(' ') ? `'${arg}'` : arg)).join(' '),
    created: record.created,
    state: record.state.status,
    status: humanStatus(entry),
    ports: publishedPorts(entry),
    labels: record.config.labels,
    networks: Object.keys(record.networks),
    mounts: Object.keys(record.volumes),
  };
}

const listKeys = new Set(['status', 'label', 'name', 'id', 'ancestor', 'exited', 'network', 'volume', 'before', 'since', 'health', 'isolation', 'is-task', 'publish', 'expose']);
const statuses: readonly string[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** docker matches `name` as a regular expression on `/name`; an invalid one as a substring. */
function nameMatches(name: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(`/${name}`);
  } catch {
    return name.includes(pattern.replace(/^\//, ''));
  }
}

function matchesLabel(labels: Record<string, string>, term: string): boolean {
  const at = term.indexOf('=');
  return at < 0 ? term in labels : labels[term.slice(0, at)] === term.slice(at + 1);
}

/**
 * `docker ps` with its filters; without `all`, only running (and paused, restarting)
 * containers. Newest first. With `size`, each container's layers are measured (a few at once).
 */
export async function listContainers(context: ContainerContext, options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
  const filters = options.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!listKeys.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  for (const status of filters.status ?? []) {
    if (!statuses.includes(status)) throw new InvalidArgumentError(`invalid filter 'status=${status}'`);
  }
  const exited = (filters.exited ?? []).map((code) => {
    const n = Number(code);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid filter 'exited=${code}'`);
    return n;
  });
  const ancestors: string[] = [];
  for (const reference of filters.ancestor ?? []) {
    try {
      ancestors.push((await context.engine.images.resolve(reference)).id);
    } catch {
      // docker matches nothing for an unknown image
    }
  }
  const publish = (filters.publish ?? []).map((value) => portFilter('publish', value));
  const expose = (filters.expose ?? []).map((value) => portFilter('expose', value));
  const before = (filters.before ?? []).map((ref) => context.table.get(ref).record.created.getTime());
  const since = (filters.since ?? []).map((ref) => context.table.get(ref).record.created.getTime());
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters[key];
    return values === undefined || values.length === 0 || values.some(test);
  };
  // docker: a status filter shows stopped containers without `all`.
  const showAll = (options.all ?? false) || (filters.status?.length ?? 0) > 0;
  let result = context.table.all().filter((entry) => {
    const { record } = entry;
    const status: ContainerStatus = record.state.status;
    if (!showAll && !['running', 'paused', 'restarting'].includes(status)) return false;
    if (!any('status', (value) => value === status)) return false;
    if (!(filters.label ?? []).every((term) => matchesLabel(record.config.labels, term))) return false;
    if (!any('name', (value) => nameMatches(record.name, value))) return false;
    if (!any('id', (value) => record.id.startsWith(value))) return false;
    if ((filters.ancestor ?? []).length > 0 && !ancestors.includes(record.imageId)) return false;
    if (exited.length > 0 && !(status === 'exited' && exited.includes(record.state.exitCode))) return false;
    if (!any('network', (value) => Object.keys(record.networks).includes(value) || Object.values(record.networks).some((n) => (n.endpoint as Endpoint | undefined)?.endpointId === value))) return false;
    if (!any('volume', (value) => value in record.volumes || (record.config.mounts ?? []).some((m) => m.target === value))) return false;
    if (!any('health', (value) => (entry.record.health?.status ?? 'none') === value)) return false;
    if (publish.length > 0 && !publish.some((matches) => publishedPorts(entry).some((b) => b.hostPort > 0 && matches(b.containerPort, b.protocol)))) return false;
    if (expose.length > 0 && !expose.some((matches) => exposedPorts(entry).some(([port, protocol]) => matches(port, protocol)))) return false;
    if (before.some((time) => record.created.getTime() >= time)) return false;
    if (since.some((time) => record.created.getTime() <= time)) return false;
    return true;
  });
  if (options.limit !== undefined && options.limit > 0) result = result.slice(0, options.limit);
  const summaries = result.map(summarizeContainer);
  if (!options.size) return summaries;
  const measure = containerSizer(context.engine);
  return Promise.all(summaries.map(async (summary) => ({ ...summary, ...(await measure(summary)) })));
}

/**
 * docker's `publish`/`expose` filter value: `80`, `80/udp` or a range `8000-8080/tcp` (tcp by
 * default), as a test of a container port.
 */
function portFilter(name: string, value: string): (port: number, protocol: string) => boolean {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(value);
  const low = Number(match?.[1]);
  const high = match?.[2] === undefined ? low : Number(match[2]);
  if (!match || low > high || high > 65535) throw new InvalidArgumentError(`invalid filter '${name}=${value}'`);
  const protocol = match[3] ?? 'tcp';
  return (port, portProtocol) => portProtocol === protocol && port >= low && port <= high;
}

/** The container ports a container exposes (`--expose`, the image's, published ones), as `[port, protocol]`. */
function exposedPorts(entry: ContainerEntry): Array<[number, string]> {
  const { options } = entry.record;
  const keys = [...(options.exposedPorts ?? []), ...Object.keys(options.portBindings ?? {})];
  const ports = keys.map((key): [number, string] => {
    const [port = '', protocol = 'tcp'] = key.split('/');
    return [Number(port), protocol];
  });
  return [...ports, ...publishedPorts(entry).map((b): [number, string] => [b.containerPort, b.protocol])];
}

/** Containers `prune` may remove: stopped ones passing the `label`, `label!` and `until` filters. */
export function prunableContainers(context: ContainerContext, filters: Record<string, readonly string[]>): ContainerEntry[] {
  for (const key of Object.keys(filters)) {
    if (!['label', 'label!', 'until'].includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const until = (filters.until ?? []).map(parseUntil);
  return context.table.all().filter((entry) => {
    const { record } = entry;
    if (!['created', 'exited', 'dead'].includes(record.state.status)) return false;
    if (!(filters.label ?? []).every((term) => matchesLabel(record.config.labels, term))) return false;
    if ((filters['label!'] ?? []).some((term) => matchesLabel(record.config.labels, term))) return false;
    return !until.some((limit) => record.created.getTime() >= limit.getTime());
  });
}
