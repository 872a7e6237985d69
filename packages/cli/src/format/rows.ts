import type { ContainerSummary, ImageSummary, NetworkInspect, Volume } from '@berth/engine';
import type { ListLayout } from './list-format.js';
import { ellipsis, humanSize, shortId, timeAgo } from './units.js';

/** docker's `CreatedAt` rendering (Go's `time.Time.String()` in UTC). */
export function goTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/** docker's PORTS column: `0.0.0.0:8080->80/tcp, 443/tcp`. */
export function portsText(ports: ContainerSummary['ports']): string {
  return [...ports]
    .sort((a, b) => a.containerPort - b.containerPort || a.hostPort - b.hostPort)
    .map((p) => (p.hostPort ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}` : `${p.containerPort}/${p.protocol}`))
    .join(', ');
}

/** `docker ps` layout. */
export const CONTAINER_LAYOUT: ListLayout = {
  table: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: { ID: 'CONTAINER ID', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', LocalVolumes: 'LOCAL VOLUMES' },
  quietField: 'ID',
};

/** `docker ps -s` layout: the default table with docker's SIZE column last. */
export const CONTAINER_SIZE_LAYOUT: ListLayout = { ...CONTAINER_LAYOUT, table: `${CONTAINER_LAYOUT.table}\t{{.Size}}` };

/** docker's SIZE: the writable layer, and the whole root file system when known (`1.05MB (virtual 5.31MB)`). */
function sizeText(c: ContainerSummary): string {
  const rw = humanSize(c.sizeRw ?? 0);
  return c.sizeRootFs !== undefined && c.sizeRootFs > 0 ? `${rw} (virtual ${humanSize(c.sizeRootFs)})` : rw;
}

/** One `docker ps` row: the strings docker's formatter exposes, plus `Label "key"`. */
export function containerRow(c: ContainerSummary, now: Date, truncate: boolean) {
  const image = truncate && c.image.startsWith('sha256:') ? shortId(c.image) : c.image;
  return {
    Command: JSON.stringify(truncate ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTime(c.created),
    ID: truncate ? shortId(c.id) : c.id,
    Image: image,
    Labels: labelText(c.labels),
    LocalVolumes: String(c.mounts.length),
    Mounts: c.mounts.map((m) => (truncate ? ellipsis(m, 15) : m)).join(','),
    Names: c.names.join(','),
    Networks: c.networks.join(','),
    Ports: portsText(c.ports),
    RunningFor: timeAgo(c.created, now),
    Size: sizeText(c),
    State: c.state,
    Status: c.status,
    Label: (key: string) => c.labels[key] ?? '',
  };
}

/** `docker images` layout. */
export const IMAGE_LAYOUT: ListLayout = {
  table: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' },
  quietField: 'ID',
};

/** `docker images` rows: one per tag (a dangling image is one `<none>` row). */
export function imageRows(image: ImageSummary, now: Date, options: { truncate: boolean; digests?: boolean }) {
  const base = {
    Containers: image.containers < 0 ? 'N/A' : String(image.containers),
    CreatedAt: goTime(image.created),
    CreatedSince: timeAgo(image.created, now),
    ID: options.truncate ? shortId(image.id) : image.id,
    Size: humanSize(image.size),
    SharedSize: 'N/A',
    UniqueSize: 'N/A',
    VirtualSize: humanSize(image.size),
  };
  const digestOf = (repository: string) =>
    image.repoDigests.find((d) => d.startsWith(`${repository}@`))?.slice(repository.length + 1) ?? image.repoDigests[0]?.split('@')[1] ?? '<none>';
  if (image.repoTags.length === 0) {
    const repository = image.repoDigests[0]?.split('@')[0] ?? '<none>';
    return [{ ...base, Repository: repository, Tag: '<none>', Digest: image.repoDigests[0]?.split('@')[1] ?? '<none>' }];
  }
  return image.repoTags.map((tag) => {
    const colon = tag.lastIndexOf(':');
    const repository = colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
    return { ...base, Repository: repository, Tag: colon > tag.lastIndexOf('/') ? tag.slice(colon + 1) : '<none>', Digest: digestOf(repository) };
  });
}

/** `docker network ls` layout. */
export const NETWORK_LAYOUT: ListLayout = {
  table: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: { ID: 'NETWORK ID', IPv6: 'IPV6' },
  quietField: 'ID',
};

/** One `docker network ls` row. */
export function networkRow(network: NetworkInspect, truncate: boolean) {
  return {
    CreatedAt: goTime(new Date(network.created)),
    Driver: network.driver,
    ID: truncate ? shortId(network.id) : network.id,
    IPv6: String(network.enableIpv6),
    Internal: String(network.internal),
    Labels: labelText(network.labels),
    Name: network.name,
    Scope: network.scope,
    Label: (key: string) => network.labels[key] ?? '',
  };
}

/** `docker volume ls` layout. */
export const VOLUME_LAYOUT: ListLayout = {
  table: 'table {{.Driver}}\t{{.Name}}',
  headers: { Name: 'VOLUME NAME' },
  quietField: 'Name',
};

/** One `docker volume ls` row. */
export function volumeRow(volume: Volume) {
  return {
    Availability: 'N/A',
    Driver: volume.driver,
    Group: 'N/A',
    Labels: labelText(volume.labels),
    Links: volume.usageData ? String(volume.usageData.refCount) : 'N/A',
    Mountpoint: volume.mountpoint,
    Name: volume.name,
    Scope: volume.scope,
    Size: volume.usageData && volume.usageData.size >= 0 ? humanSize(volume.usageData.size) : 'N/A',
    Status: 'N/A',
    Label: (key: string) => volume.labels[key] ?? '',
  };
}
